"""Helpers for the rewrite tests: small TF1 files, their rewrites, and the CLI through typer's runner."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner, Result

from rnnmigrate.cli import app

# Two auto sites: RNN101 (line 3) and RNN001 (line 4).
AUTO = """\
import tensorflow as tf

cell = tf.nn.rnn_cell.GRUCell(8)
outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32, scope="encoder")
"""
AUTO_REWRITTEN = """\
import tensorflow as tf
from rnnmigrate.layers import DynamicRNN, GRUCell

cell = GRUCell(8)
outputs, state = DynamicRNN(cell, dtype=tf.float32, scope="encoder")(inputs)
"""

# One manual site: RNN006 on line 2.
MANUAL = """\
import tensorflow as tf
outputs_ta, state, _ = tf.nn.raw_rnn(make_cell(), loop_fn)
"""
MANUAL_ANNOTATED = """\
import tensorflow as tf
# TODO(rnnmigrate): RNN006 raw_rnn's loop_fn is arbitrary code; port the loop by hand
outputs_ta, state, _ = tf.nn.raw_rnn(make_cell(), loop_fn)
"""

# TensorFlow, but nothing for rnnmigrate.
CLEAN = """\
import tensorflow as tf
x = tf.keras.layers.LSTM(8)(inputs)
"""


def write(root: Path, relative: str, content: str | bytes, mode: int | None = None) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    if mode is not None:
        os.chmod(path, mode)
    return path


def run(*args: str) -> Result:
    """``rnnmigrate rewrite ARGS`` in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(app, ["rewrite", *args], catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), to show what a run did or did not write."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def leftovers(root: Path) -> list[Path]:
    """Temporary files an atomic write would leave behind if it were interrupted badly."""
    return sorted(path for path in root.rglob("*") if path.name.startswith(".rnnmigrate-"))
