"""The files other tools read: the pre-commit hooks and the licence pyproject declares."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rnnmigrate.cli import app

ROOT = Path(__file__).parent.parent
TF1 = "import tensorflow as tf\ncell = tf.nn.rnn_cell.GRUCell(8)\nout, st = tf.nn.dynamic_rnn(cell, x)\n"


def hooks() -> dict[str, dict]:
    yaml = pytest.importorskip("yaml")
    return {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def test_license_file_matches_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    assert declared == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text


def test_the_hooks_run_the_cli_as_pre_commit_calls_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    found = hooks()
    assert set(found) == {"rnnmigrate-scan", "rnnmigrate-rewrite"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(TF1)
    for hook in found.values():
        assert hook["language"] == "python" and set(hook["types_or"]) == {"python", "jupyter"}
    scan = shlex.split(found["rnnmigrate-scan"]["entry"])
    assert scan[0] == "rnnmigrate"
    assert CliRunner().invoke(app, [*scan[1:], "model.py"]).exit_code == 1  # findings fail the commit
    rewrite = shlex.split(found["rnnmigrate-rewrite"]["entry"])
    result = CliRunner().invoke(app, [*rewrite[1:], "model.py"])
    assert result.exit_code == 0  # pre-commit fails the run itself when the hook changed files
    assert "DynamicRNN(cell)(x)" in (tmp_path / "model.py").read_text()
