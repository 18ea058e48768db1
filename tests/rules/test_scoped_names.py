"""Names are resolved per scope (module, class, function, lambda, comprehension), star imports included."""

from __future__ import annotations

import textwrap

from rnnmigrate.rewrite import rewrite_source
from rnnmigrate.scan import scan_source


def found(source: str) -> list[tuple[int, str, str]]:
    return [(finding.line, finding.code, finding.verdict) for finding in scan_source(textwrap.dedent(source))]


def test_a_star_import_from_a_tf_module_brings_its_cells_and_functions():
    source = """\
        import tensorflow as tf
        from tensorflow.contrib.rnn import *
        cell = LSTMCell(8)
        outputs, state = static_rnn(cell, steps, dtype=tf.float32)
        other = range(3)
    """
    assert found(source) == [(3, "RNN101", "auto"), (4, "RNN003", "auto")]


def test_a_star_import_of_a_tf_package_brings_its_modules():
    source = """\
        from tensorflow import *
        from tensorflow.contrib import *
        cell = rnn.GRUCell(8)
        outputs, state = nn.dynamic_rnn(cell, x, dtype=float32)
    """
    assert found(source) == [(3, "RNN101", "auto"), (4, "RNN001", "auto")]


def test_star_imported_names_are_rewritten_and_the_runtime_import_shadows_them_after_the_star():
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow.contrib.rnn import *
        cell = LSTMCell(8)
        outputs, state = tf.nn.dynamic_rnn(cell, x)
        """
    )
    assert rewrite_source(source).text == (
        "from tensorflow.contrib.rnn import *\n"
        "from rnnmigrate.layers import DynamicRNN, LSTMCell\n"
        "cell = LSTMCell(8)\n"
        "outputs, state = DynamicRNN(cell)(x)\n"
    )


def test_a_star_imported_name_still_used_by_tf1_code_is_reached_through_the_runtime_module():
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow.contrib.rnn import *
        cell = LSTMCell(8)
        outputs, state = tf.nn.dynamic_rnn(cell, x)
        spare = LSTMCell(4)
        """
    )
    new = rewrite_source(source).text
    assert "cell = rnnmigrate.layers.LSTMCell(8)\n" in new
    assert "spare = LSTMCell(4)\n" in new


def test_a_method_named_rnn_does_not_hide_the_module_level_import():
    source = """\
        import tensorflow as tf
        from tensorflow.contrib import rnn

        class Model:
            def rnn(self):
                return None

            def build(self, x):
                cell = rnn.LSTMCell(8)
                return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    """
    assert found(source) == [(9, "RNN101", "auto"), (10, "RNN001", "auto")]


def test_inside_the_class_body_the_method_does_hide_it():
    source = """\
        from tensorflow.contrib import rnn

        class Model:
            def rnn(self):
                return None
            cells = rnn.LSTMCell(8)
    """
    assert found(source) == []


def test_a_parameter_named_tf_is_not_tensorflow():
    source = """\
        import tensorflow as tf

        def run(tf, cell, x):
            return tf.nn.dynamic_rnn(cell, x)

        outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x)
        apply = lambda tf: tf.nn.dynamic_rnn(None, None)
    """
    assert found(source) == [(6, "RNN001", "auto"), (6, "RNN101", "auto")]


def test_a_local_import_of_another_library_as_tf_shadows_only_its_function():
    source = """\
        import tensorflow as tf

        def torch_model(cell, x):
            import torch as tf
            return tf.nn.dynamic_rnn(cell, x)

        def tf_model(x):
            return tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x)
    """
    assert found(source) == [(8, "RNN001", "auto"), (8, "RNN101", "auto")]


def test_a_comprehension_variable_shadows_inside_the_comprehension_only():
    source = """\
        import tensorflow as tf
        from tensorflow.nn import rnn
        cell = tf.nn.rnn_cell.GRUCell(8)
        results = [rnn(cell, steps) for rnn in runners]
        outputs, state = rnn(cell, steps, dtype=tf.float32)
    """
    assert found(source) == [(3, "RNN101", "auto"), (5, "RNN003", "auto")]


def test_a_tf_import_inside_a_function_is_seen_in_that_function_only():
    source = """\
        def build(x):
            import tensorflow as tf
            return tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x)

        def other(tf, x):
            return tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x)
    """
    assert found(source) == [(3, "RNN001", "auto"), (3, "RNN101", "auto")]


def test_a_global_declaration_binds_the_module_name():
    source = """\
        tf = None

        def setup():
            global tf
            import tensorflow as tf

        def build(x):
            return tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x)
    """
    assert found(source) == [(8, "RNN001", "auto"), (8, "RNN101", "auto")]


def test_decorators_and_defaults_see_the_enclosing_scope():
    source = """\
        import tensorflow as tf

        def outer(tf=tf.nn.rnn_cell.GRUCell(8)):
            return tf

        @tf.contrib.rnn.LSTMCell
        def decorated(tf):
            return tf
    """
    assert [code for _, code, _ in found(source)] == ["RNN101", "RNN101"]
