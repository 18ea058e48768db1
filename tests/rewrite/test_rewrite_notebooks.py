"""Rewriting .ipynb files: code cells rewritten, everything else (outputs, metadata, ids, other
cells, IPython lines) untouched, the result valid nbformat JSON, and a second run a no-op."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from rewrite_helpers import AUTO, AUTO_REWRITTEN, leftovers, run, write

SETUP = "%matplotlib inline\n!pip install rnnmigrate\nimport tensorflow as tf\nimport numpy as np"
MODEL = (
    "cell = tf.nn.rnn_cell.LSTMCell(64)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope='enc')\n"
    "%time session_run(outputs)\n"
    "files = !ls data\n"
    "tf.nn.dynamic_rnn?"
)
MANUAL = "nas = tf.contrib.rnn.UGRNNCell(8)\nif nas:\n    %timeit nas.zero_state(1, tf.float32)\n"
TIMED = "%%time\nmore, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), outputs, dtype=tf.float32)\n"
BASH = "%%bash\necho 'tf.nn.dynamic_rnn(cell, x)'\n"


def make_notebook() -> nbformat.NotebookNode:
    notebook = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [
        new_markdown_cell("# A TF1 model\nUses `tf.nn.dynamic_rnn(cell, x)`.", id="intro"),
        new_code_cell(SETUP, id="setup", execution_count=1, metadata={"tags": ["setup"]}),
        new_code_cell(
            MODEL,
            id="model",
            execution_count=2,
            metadata={"collapsed": False, "scrolled": True},
            outputs=[new_output("stream", name="stdout", text="CPU times: 1 s\n")],
        ),
        new_code_cell(MANUAL, id="manual", execution_count=3),
        new_code_cell(TIMED, id="timed"),
        new_code_cell(BASH, id="shell", outputs=[new_output("execute_result", data={"text/plain": "'x'"}, execution_count=5)]),
        new_code_cell("", id="empty"),
    ]
    return notebook


@pytest.fixture
def notebook_path(project: Path) -> Path:
    path = project / "model.ipynb"
    nbformat.write(make_notebook(), str(path))
    return path


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_code_cells_are_rewritten_and_everything_else_kept(notebook_path: Path):
    before = cells(notebook_path)
    result = run("--apply", "model.ipynb")
    assert result.exit_code == 1
    after = cells(notebook_path)
    assert [cell["id"] for cell in after] == ["intro", "setup", "model", "manual", "timed", "shell", "empty"]
    for old, new in zip(before, after):
        assert {key: value for key, value in old.items() if key != "source"} == {
            key: value for key, value in new.items() if key != "source"
        }
    # tf is still used by the manual cell: its import stays; the runtime's goes right after it
    assert source(after[1]) == SETUP.replace(
        "import tensorflow as tf\n", "import tensorflow as tf\nfrom rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell\n"
    )
    assert source(after[2]) == (
        "cell = LSTMCell(64)\n"
        "outputs, state = DynamicRNN(cell, dtype=tf.float32, scope='enc')(x)\n"
        "%time session_run(outputs)\n"
        "files = !ls data\n"
        "tf.nn.dynamic_rnn?"
    )
    assert source(after[4]) == "%%time\nmore, _ = DynamicRNN(GRUCell(4), dtype=tf.float32)(outputs)\n"
    for index in (0, 3, 5, 6):  # markdown, manual, %%bash and empty cells: untouched
        assert after[index]["source"] == before[index]["source"]
    everything = "\n".join(source(cell) for cell in after)
    assert everything.count("from rnnmigrate.layers import") == 1
    assert not leftovers(notebook_path.parent)


def test_result_is_a_valid_notebook(notebook_path: Path):
    run("--apply", "--annotate", "model.ipynb")
    notebook = nbformat.read(str(notebook_path), as_version=4)
    nbformat.validate(notebook)
    assert "# TODO(rnnmigrate): RNN107 UGRNNCell" in notebook.cells[3].source


def test_ipython_lines_survive_exactly(notebook_path: Path):
    run("--apply", "--annotate", "model.ipynb")
    text = "".join(source(cell) for cell in cells(notebook_path))
    for line in (
        "%matplotlib inline\n",
        "!pip install rnnmigrate\n",
        "%time session_run(outputs)\n",
        "files = !ls data\n",
        "tf.nn.dynamic_rnn?",
        "    %timeit nas.zero_state(1, tf.float32)\n",
        "%%time\n",
        "%%bash\necho 'tf.nn.dynamic_rnn(cell, x)'\n",
    ):
        assert line in text
    assert "rnnmigrate-ipython" not in text and "rnnmigrate-notebook-cell" not in text


def test_runtime_import_goes_after_the_install_line(notebook_path: Path):
    run("--apply", "model.ipynb")
    lines = source(cells(notebook_path)[1]).splitlines()
    assert lines.index("from rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell") > lines.index("!pip install rnnmigrate")


def test_only_changed_source_lines_differ_in_the_file(notebook_path: Path):
    old = notebook_path.read_text(encoding="utf-8").splitlines()
    run("--apply", "model.ipynb")
    new = notebook_path.read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.ndiff(old, new) if line[:2] in ("- ", "+ ")]
    assert changed
    assert all(re.fullmatch(r'[-+]\s+".*",?', line) for line in changed), changed


def test_second_run_changes_nothing(notebook_path: Path):
    run("--apply", "--annotate", "model.ipynb")
    once = notebook_path.read_bytes()
    assert run("--check", "--annotate", "model.ipynb").exit_code == 0
    run("--apply", "--annotate", "model.ipynb")
    assert notebook_path.read_bytes() == once


def test_diff_mode_writes_nothing_and_shows_one_diff_per_changed_code_cell(notebook_path: Path):
    before = notebook_path.read_bytes()
    result = run("model.ipynb")
    assert notebook_path.read_bytes() == before
    headers = [line for line in result.stdout.splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == [
        "--- a/model.ipynb:cell 2",
        "+++ b/model.ipynb:cell 2",
        "--- a/model.ipynb:cell 3",
        "+++ b/model.ipynb:cell 3",
        "--- a/model.ipynb:cell 5",
        "+++ b/model.ipynb:cell 5",
    ]
    assert "\n-cell = tf.nn.rnn_cell.LSTMCell(64)\n" in result.stdout
    assert "\n+cell = LSTMCell(64)\n" in result.stdout
    assert '"source"' not in result.stdout and "\\n" not in result.stdout  # the cells' code, not their JSON


def test_reasons_and_notes_in_a_notebook_name_the_cell_and_its_line(project: Path):
    notebook = new_notebook()
    notebook.cells = [
        new_code_cell("import tensorflow as tf"),
        new_markdown_cell("text"),
        new_code_cell("cell = tf.nn.rnn_cell.GRUCell(8)"),
        new_code_cell("x = 1\nout = tf.nn.dynamic_rnn(cell, x, *extra)"),
    ]
    nbformat.write(notebook, str(project / "reasons.ipynb"))
    result = run("reasons.ipynb")
    assert (
        "reasons.ipynb:cell 3:1:8: RNN101 tf.nn.rnn_cell.GRUCell: needs a person: runs in tf.nn.dynamic_rnn "
        "in cell 4, line 2, which stays manual"
    ) in result.stderr.splitlines()


def test_summary_names_cells_and_lines_as_scan_does(notebook_path: Path):
    result = run("model.ipynb")
    lines = result.stderr.splitlines()
    assert lines[0] == "would rewrite 4 sites in 1 file; 1 left for a person"
    assert (
        "model.ipynb:cell 4:1:7: RNN107 tf.contrib.rnn.UGRNNCell: needs a person: UGRNNCell existed only in tf.contrib; "
        "Keras 3 has no equivalent cell"
    ) in lines


def test_string_sources_and_two_space_indent_are_kept(project: Path):
    document = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": "a1", "metadata": {}, "outputs": [], "source": AUTO},
            {"cell_type": "code", "execution_count": None, "id": "a2", "metadata": {}, "outputs": [], "source": "x = 1\ny = 2"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = write(project, "two.ipynb", json.dumps(document, indent=2) + "\n")
    run("--apply", "two.ipynb")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "cells": [\n    {\n')
    new = json.loads(text)
    assert isinstance(new["cells"][0]["source"], str)
    assert new["cells"][0]["source"].startswith("import tensorflow as tf\nfrom rnnmigrate.layers import DynamicRNN, GRUCell\n")
    assert new["cells"][1]["source"] == "x = 1\ny = 2"
    nbformat.validate(nbformat.reads(text, as_version=4))


def test_broken_notebooks_are_reported_and_the_rest_proceed(project: Path):
    write(project, "a_truncated.ipynb", '{"cells": [{"cell_type": "code", "source": "import tensorflow as tf\\nx = tf.nn.dynamic_rnn')
    bad_cell = make_notebook()
    bad_cell.cells[2].source = "import tensorflow as tf\nx = tf.nn.dynamic_rnn(cell, x\n"
    nbformat.write(bad_cell, str(project / "b_syntax.ipynb"))
    write(project, "c_model.py", AUTO)
    before = {name: (project / name).read_bytes() for name in ("a_truncated.ipynb", "b_syntax.ipynb")}
    result = run("--apply", ".")
    errors = [line for line in result.stderr.splitlines() if "RNN999" in line]
    assert len(errors) == 2
    assert errors[0].startswith("./a_truncated.ipynb: RNN999 not a valid notebook: ")
    assert errors[1].startswith("./b_syntax.ipynb:cell 3:2:")
    assert ": RNN999 syntax error: " in errors[1]
    for name, data in before.items():
        assert (project / name).read_bytes() == data
    assert (project / "c_model.py").read_text() == AUTO_REWRITTEN


def test_rewritten_code_that_does_not_parse_names_the_cell(project: Path, monkeypatch: pytest.MonkeyPatch):
    import dataclasses

    import libcst as cst

    from rnnmigrate.rules import RULES_BY_CODE
    from rnnmigrate.rules.base import RewriteResult

    def broken(call, context):
        node = cst.Name("DynamicRNN")
        object.__setattr__(node, "value", "DynamicRNN(")  # past libcst's validation
        return RewriteResult(node)

    monkeypatch.setitem(RULES_BY_CODE, "RNN001", dataclasses.replace(RULES_BY_CODE["RNN001"], rewrite=broken))
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell("x"), new_code_cell("import tensorflow as tf\n\nout = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(2), x)")]
    nbformat.write(notebook, str(project / "broken.ipynb"))
    errors = [line for line in run("broken.ipynb").stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1
    assert "the rewritten code does not parse (" in errors[0] and " in cell 2, line 4)" in errors[0], errors
