"""Helpers for the scan tests: small TF1 files on disk and the CLI run through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from rnnmigrate.cli import app

# Two findings: RNN101 (line 2) and RNN001 (line 3), both auto.
AUTO_SOURCE = """\
import tensorflow as tf
cell = tf.nn.rnn_cell.GRUCell(8)
outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
"""

# One finding: RNN006 (line 2), manual.
MANUAL_SOURCE = """\
import tensorflow as tf
outputs_ta, state, _ = tf.nn.raw_rnn(make_cell(), loop_fn)
"""

# TensorFlow, but no TF1 RNN API.
CLEAN_SOURCE = """\
import tensorflow as tf
x = tf.keras.layers.LSTM(8)(inputs)  # a Keras RNN layer, not a TF1 one
"""


def write(root: Path, relative: str, text: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def notebook(*cells: tuple[str, str]) -> str:
    """An nbformat 4 document from (cell_type, source) pairs; sources are stored as line lists."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {},
                    "source": source.splitlines(keepends=True),
                    **({"execution_count": None, "outputs": []} if kind == "code" else {}),
                }
                for kind, source in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def run_scan(*args: str) -> Result:
    return CliRunner().invoke(app, ["scan", *map(str, args)])


def scan_json(*args: str) -> dict:
    """Run `scan --format json` and return the parsed document (findings or not)."""
    result = run_scan("--format", "json", "--exit-zero", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def located(document: dict) -> set[tuple[str, int, str]]:
    """(file name, line, code) of every finding in a JSON report."""
    return {(Path(item["path"]).name, item["line"], item["code"]) for item in document["findings"]}
