"""Jupyter notebooks: code cells only, IPython magics and shell lines masked, findings name their cell."""

from __future__ import annotations

import json
from pathlib import Path

from scan_helpers import notebook, run_scan, scan_json, write

from rnnmigrate.scan import scan_file

IMPORTS = "%matplotlib inline\n!pip install tensorflow==1.15\nimport tensorflow as tf\n"
MODEL = "%%time\ncell = tf.nn.rnn_cell.LSTMCell(16)\noutputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"


def findings_of(document: dict) -> list[tuple[int | None, int, int, str, str]]:
    return [
        (item["notebook_cell"], item["line"], item["column"], item["code"], item["verdict"])
        for item in document["findings"]
    ]


def test_findings_name_the_cell_and_the_line_within_it(project: Path):
    write(
        project,
        "train.ipynb",
        notebook(
            ("markdown", "# Training\nWe call `tf.nn.dynamic_rnn(cell, x)` below.\n"),
            ("code", IMPORTS),
            ("raw", "tf.nn.dynamic_rnn(cell, x)\n"),
            ("code", MODEL),
        ),
    )
    document = scan_json("train.ipynb")
    assert findings_of(document) == [(4, 2, 8, "RNN101", "auto"), (4, 3, 18, "RNN001", "auto")]
    assert document["errors"] == []
    text = run_scan("train.ipynb", "--format", "text").stdout
    assert text.splitlines()[0].startswith("train.ipynb:cell 4:2:8: RNN101 ")


def test_magics_and_shell_lines_anywhere_do_not_break_parsing(project: Path):
    cells = (
        ("code", "%load_ext autoreload\n%autoreload 2\nimport tensorflow as tf\n"),
        ("code", "!nvidia-smi\nfiles = !ls data\n"),
        ("code", "%%bash\necho 'tf.nn.dynamic_rnn(cell, x)'\nfor i in 1 2; do echo $i; done\n"),
        ("code", "tf.nn.dynamic_rnn?\ntf.nn.rnn_cell??\n"),
        (
            "code",
            "for step in range(3):\n"
            "    %time cell = tf.nn.rnn_cell.GRUCell(8)\n"
            "    !echo step\n"
            "    out, st = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x, dtype=tf.float32)\n",
        ),
    )
    write(project, "magic.ipynb", notebook(*cells))
    document = scan_json("magic.ipynb")
    assert document["errors"] == []
    assert findings_of(document) == [(5, 4, 15, "RNN001", "auto"), (5, 4, 33, "RNN101", "auto")]


def test_an_import_in_one_cell_resolves_names_in_later_cells(project: Path):
    write(
        project,
        "split.ipynb",
        notebook(
            ("code", "from tensorflow.contrib import rnn as contrib_rnn\n"),
            ("code", "def build(x):\n    return contrib_rnn.static_rnn(contrib_rnn.GRUCell(4), x, dtype=None)\n"),
        ),
    )
    assert findings_of(scan_json("split.ipynb")) == [(2, 2, 12, "RNN003", "auto"), (2, 2, 35, "RNN101", "auto")]


def test_cell_source_as_a_single_string(project: Path):
    document = json.loads(notebook(("code", "import tensorflow as tf\ntf.nn.raw_rnn(cell, loop_fn)\n")))
    document["cells"][0]["source"] = "".join(document["cells"][0]["source"])
    write(project, "string.ipynb", json.dumps(document))
    assert findings_of(scan_json("string.ipynb")) == [(1, 2, 1, "RNN006", "manual")]


def test_suppression_comment_in_a_cell(project: Path):
    write(
        project,
        "quiet.ipynb",
        notebook(("code", "import tensorflow as tf\ntf.nn.raw_rnn(cell, loop_fn)  # rnnmigrate: ignore\n")),
    )
    assert findings_of(scan_json("quiet.ipynb")) == []


def test_a_syntax_error_names_the_cell_and_its_line(project: Path):
    write(
        project,
        "broken_cell.ipynb",
        notebook(
            ("markdown", "text"),
            ("code", "import tensorflow as tf\n"),
            ("code", "cell = tf.nn.rnn_cell.GRUCell(4)\nx = (1 +\n"),
        ),
    )
    result = scan_file("broken_cell.ipynb")
    assert result.findings == []
    assert result.error is not None
    assert (result.error.notebook_cell, result.error.line) == (3, 2)
    assert str(result.error).startswith("broken_cell.ipynb:cell 3:2:")
    assert result.error.message.startswith("syntax error: ")


def test_python_2_print_in_a_cell_is_named(project: Path):
    write(project, "py2.ipynb", notebook(("code", "import tensorflow as tf\nprint 'rnn'\n")))
    result = scan_file("py2.ipynb")
    assert result.error is not None
    assert str(result.error) == "py2.ipynb:cell 1:2:1: RNN999 Python 2 syntax (print statement); port the file to Python 3 first"


def test_notebooks_are_found_when_walking_a_folder(project: Path):
    write(project, "nb/a.ipynb", notebook(("code", "import tensorflow as tf\n" + "tf.nn.raw_rnn(c, f)\n")))
    write(project, "nb/.ipynb_checkpoints/a-checkpoint.ipynb", notebook(("code", "import tensorflow as tf\ntf.nn.raw_rnn(c, f)\n")))
    document = scan_json(".")
    assert [(Path(item["path"]).name, item["notebook_cell"]) for item in document["findings"]] == [("a.ipynb", 1)]
