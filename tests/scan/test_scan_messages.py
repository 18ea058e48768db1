"""One message style, exit codes for files that cannot be scanned, and the options around them."""

from __future__ import annotations

from pathlib import Path

from scan_helpers import AUTO_SOURCE, MANUAL_SOURCE, run_scan, write
from typer.testing import CliRunner

from rnnmigrate.cli import app

PY2 = "import tensorflow as tf\nprint 'rnn'\n"


def test_a_file_that_cannot_be_scanned_is_rnn999_and_fails_the_gate(project: Path):
    write(project, "py2.py", PY2)
    result = run_scan("py2.py", "--format", "text")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "py2.py:2:1: RNN999 Python 2 syntax (print statement); port the file to Python 3 first",
        "0 findings (0 auto, 0 manual) in 0 files; 1 file checked, 0 parsed, 1 could not be scanned",
    ]


def test_ignore_drops_rnn999_and_select_does_not_hide_it(project: Path):
    write(project, "py2.py", PY2)
    write(project, "model.py", AUTO_SOURCE)
    ignored = run_scan(".", "--format", "text", "--ignore", "RNN999")
    assert "RNN999" not in ignored.stdout
    assert ignored.stdout.splitlines()[-1].endswith("0 could not be scanned")
    assert run_scan("py2.py", "--ignore", "RNN999").exit_code == 0
    selected = run_scan(".", "--format", "text", "--select", "RNN001")
    assert "./py2.py:2:1: RNN999 " in selected.stdout


def test_select_and_ignore_take_comma_separated_lists(project: Path):
    write(project, "model.py", AUTO_SOURCE + MANUAL_SOURCE.split("\n", 1)[1])
    result = run_scan("model.py", "--format", "text", "--select", "RNN001,RNN006")
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == ["RNN001", "RNN006"]
    result = run_scan("model.py", "--format", "text", "--ignore", "rnn001, RNN1")
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == ["RNN006"]
    assert run_scan("model.py", "--select", "RNN001,RNN55").exit_code == 2


def test_statistics_count_findings_per_code(project: Path):
    write(project, "a.py", AUTO_SOURCE)
    write(project, "b.py", AUTO_SOURCE + MANUAL_SOURCE.split("\n", 1)[1])
    write(project, "c.py", PY2)
    result = run_scan(".", "--statistics")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "2\tRNN001\tdynamic-rnn (2 auto, 0 manual)",
        "2\tRNN101\tcore-cell (2 auto, 0 manual)",
        "1\tRNN006\traw-rnn (0 auto, 1 manual)",
        "1\tRNN999\tunscannable-file",
        "5 findings (4 auto, 1 manual) in 2 files; 3 files checked, 2 parsed, 1 could not be scanned",
    ]


def test_plural_forms_in_the_summary(project: Path):
    write(project, "model.py", MANUAL_SOURCE)
    result = run_scan("model.py", "--format", "text")
    assert result.stdout.splitlines()[-1] == "1 finding (0 auto, 1 manual) in 1 file; 1 file checked, 1 parsed, 0 could not be scanned"


def test_the_table_shows_the_spelling_beside_the_resolved_api(project: Path):
    write(
        project,
        "model.py",
        "import tensorflow.compat.v1 as tf\nfrom tensorflow.contrib import rnn\n"
        "cell = rnn.GRUCell(8)\nout, st = tf.nn.dynamic_rnn(cell, x)\n",
    )
    result = CliRunner().invoke(app, ["scan", "model.py", "--format", "table"], env={"COLUMNS": "200"})
    assert "as written" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "RNN101" in line)
    assert "rnn.GRUCell" in row and "tf.contrib.rnn.GRUCell" in row
    row = next(line for line in result.stdout.splitlines() if "RNN001" in line)
    assert "tf.nn.dynamic_rnn" in row and "tf.compat.v1.nn.dynamic_rnn" in row


def test_explain_wraps_to_the_terminal_and_shows_the_fix_safety():
    result = CliRunner().invoke(app, ["explain", "RNN001"], env={"COLUMNS": "60"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    examples = lines.index("Example: before")
    assert all(len(line) < 60 for line in lines[:examples])
    safety = lines[lines.index("Fix safety") + 1 : lines.index("Numerical differences")]
    assert safety[0].strip().startswith("safe. Any fix is unsafe at a site where a comment")
    assert "--unsafe-fixes" in " ".join(safety)
    shared = CliRunner().invoke(app, ["explain", "RNN102"], env={"COLUMNS": "100"}).stdout.splitlines()
    text = " ".join(line.strip() for line in shared[shared.index("Fix safety") + 1 : shared.index("Numerical differences")])
    assert text.startswith("safe. The fix is unsafe where one cell object fills several layers (`[cell] * n`")
    manual = CliRunner().invoke(app, ["explain", "RNN006"], env={"COLUMNS": "60"}).stdout.splitlines()
    assert manual[manual.index("Fix safety") + 1].strip().startswith("no automatic fix")


def test_explain_rnn999():
    result = CliRunner().invoke(app, ["explain", "RNN999"])
    assert result.exit_code == 0
    assert result.stdout.startswith("RNN999 (unscannable-file)")
    assert "--ignore RNN999" in result.stdout


def test_usage_errors_keep_the_program_prefix(project: Path):
    result = run_scan("missing.py")
    assert result.exit_code == 2
    assert result.stderr.startswith("rnnmigrate: error: ")
