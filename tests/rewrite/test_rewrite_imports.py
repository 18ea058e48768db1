"""Where the runtime import goes: right after the TensorFlow import it joins or replaces, never above it."""

from __future__ import annotations

import pytest

from rnnmigrate.rewrite import rewrite_source

SITES = "cell = tf.nn.rnn_cell.GRUCell(8)\nout, st = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
RUNTIME = "from rnnmigrate.layers import DynamicRNN, GRUCell\n"


def test_setup_that_must_run_before_tensorflow_loads_stays_before_it():
    setup = (
        '"""Train the tagger."""\n'
        "from __future__ import annotations\n"
        "\n"
        "import os\n"
        "import sys\n"
        "import warnings\n"
        "\n"
        'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"\n'
        'os.environ["CUDA_VISIBLE_DEVICES"] = "0"\n'
        'sys.path.insert(0, "..")\n'
        "import matplotlib\n"
        'matplotlib.use("Agg")\n'
        'warnings.filterwarnings("ignore")\n'
    )
    text = rewrite_source(setup + "import tensorflow as tf\nimport numpy as np\n\n" + SITES).text
    assert text.startswith(setup + "import tensorflow as tf\n" + RUNTIME + "import numpy as np\n")


def test_a_replaced_tf_import_is_replaced_in_its_place():
    text = (
        "import os\n"
        'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"\n'
        "from tensorflow.contrib.rnn import GRUCell\n"
        "from tensorflow.nn import dynamic_rnn\n"
        "import numpy as np\n"
        "cell = GRUCell(8)\n"
        "out, st = dynamic_rnn(cell, np.zeros(3))\n"
    )
    assert rewrite_source(text).text == (
        "import os\n"
        'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"\n'
        + RUNTIME
        + "import numpy as np\n"
        "cell = GRUCell(8)\n"
        "out, st = DynamicRNN(cell)(np.zeros(3))\n"
    )


def test_after_a_tf_import_inside_a_top_level_try():
    prelude = (
        "import os\n"
        'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"\n'
        "try:\n"
        "    import tensorflow.compat.v1 as tf\n"
        "except ImportError:\n"
        "    import tensorflow as tf\n"
    )
    text = rewrite_source(prelude + "print(1)\n" + SITES).text
    assert text.startswith(prelude + RUNTIME + "print(1)\n")


@pytest.mark.parametrize("docstring", ["", '"""Doc."""\n'])
def test_tf_imported_only_inside_a_function_puts_the_import_after_the_docstring_and_future_imports(docstring: str):
    text = (
        docstring + "from __future__ import print_function\n"
        "import os\n"
        'os.environ["X"] = "1"\n'
        "def run(x):\n"
        "    import tensorflow as tf\n"
        "    cell = tf.nn.rnn_cell.GRUCell(8)\n"
        "    return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
    )
    new = rewrite_source(text).text
    assert new.startswith(docstring + "from __future__ import print_function\nimport os\n" + RUNTIME)


def test_the_import_joins_the_tf_import_the_sites_use():
    text = (
        "import tensorflow as tf\n"
        'tf.logging.set_verbosity(tf.logging.ERROR)\n'
        "from tensorflow.contrib import rnn\n"
        "x = tf.zeros([2, 3, 4])\n"
        "out, st = tf.nn.dynamic_rnn(rnn.GRUCell(8), x)\n"
    )
    assert rewrite_source(text).text == (
        "import tensorflow as tf\n"
        'tf.logging.set_verbosity(tf.logging.ERROR)\n'
        + RUNTIME
        + "x = tf.zeros([2, 3, 4])\n"
        "out, st = DynamicRNN(GRUCell(8))(x)\n"
    )
