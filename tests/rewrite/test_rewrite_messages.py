"""What rewrite says about files it cannot rewrite, diffs git can apply, and its exit codes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rewrite_helpers import AUTO, AUTO_REWRITTEN, run, snapshot, write
from typer.testing import CliRunner

from rnnmigrate.cli import app

# Valid Python that libcst (1.x) does not parse: a parenthesised annotated target.
LIBCST_FAILS = AUTO + "(flag): bool = True\n"


def test_a_file_libcst_cannot_parse_is_one_error_line_and_left_unchanged(project: Path):
    write(project, "model.py", LIBCST_FAILS)
    write(project, "other.py", AUTO)
    result = run("--apply", ".")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1
    assert errors[0].startswith("./model.py:5:")
    assert ": error: libcst cannot parse this file (expected one of" in errors[0]
    assert errors[0].endswith("; file left unchanged")
    assert "internal error" not in result.stderr
    assert (project / "model.py").read_text() == LIBCST_FAILS
    assert (project / "other.py").read_text() == AUTO_REWRITTEN
    # Its findings stay reported, as sites left for a person with the reason.
    assert any(line.startswith("./model.py:4:18: RNN001 ") and "not rewritten" in line for line in lines)
    scan = CliRunner().invoke(app, ["scan", "model.py", "--format", "text"])
    assert scan.exit_code == 1 and "model.py:4:18: RNN001" in scan.stdout


@pytest.mark.parametrize("where", [".", "./model.py", "model.py", "ABSOLUTE"])
def test_the_diff_applies_with_git_apply_from_the_working_directory(project: Path, where: str):
    write(project, "model.py", AUTO)
    subprocess.run(["git", "init", "-q"], check=True)
    target = str(project / "model.py") if where == "ABSOLUTE" else where
    diff = run(target).stdout
    assert diff.startswith("--- a/model.py\n+++ b/model.py\n")
    (project / "change.patch").write_text(diff)
    subprocess.run(["git", "apply", "change.patch"], check=True)
    assert (project / "model.py").read_text() == AUTO_REWRITTEN


def test_a_file_that_cannot_be_scanned_makes_rewrite_exit_1_and_ignore_drops_it(project: Path):
    write(project, "py2.py", "import tensorflow as tf\nprint 'rnn'\n")
    before = snapshot(project)
    result = run(".")
    assert result.exit_code == 1
    assert "./py2.py:2:1: RNN999 Python 2 syntax (print statement); port the file to Python 3 first" in result.stderr
    assert run("--check", ".").exit_code == 1
    ignored = run("--ignore", "RNN999", ".")
    assert ignored.exit_code == 0
    assert "RNN999" not in ignored.stderr
    assert snapshot(project) == before


def test_counts_in_the_summary_have_their_plural_forms(project: Path):
    write(project, "model.py", "import tensorflow as tf\ns = tf.nn.rnn_cell.LSTMStateTuple(c, h)\n")
    assert run("model.py").stderr.splitlines()[0] == "would rewrite 1 site in 1 file; 0 left for a person"
