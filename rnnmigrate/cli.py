"""Command-line interface: a thin layer over the pipeline functions."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="rnnmigrate",
    help="Audit, rewrite and verify the migration of TensorFlow 1 RNN code to Keras 3.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Audit, rewrite and verify the migration of TensorFlow 1 RNN code to Keras 3."""


def main() -> None:
    app()
