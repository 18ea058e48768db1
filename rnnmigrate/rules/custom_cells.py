"""RNN106: classes that subclass a TF1 ``RNNCell``."""

from __future__ import annotations

import ast

from rnnmigrate.rules.base import CELL_MODULES, Assessment, Rule, Site, display, names_in


def assess(site: Site) -> Assessment:
    if isinstance(site.node, ast.ClassDef):
        reason = f"class {site.node.name} subclasses {display(site.qualified)}; port its call() to a Keras 3 cell"
    else:
        reason = f"{display(site.qualified)} is the TF1 cell base class; Keras 3 cells have another interface"
    return Assessment("manual", reason)


RULE = Rule(
    code="RNN106",
    name="custom-cell",
    summary="class that subclasses a TF1 RNNCell",
    apis=names_in(CELL_MODULES, ("RNNCell", "LayerRNNCell")),
    kind="class",
    what="Finds classes deriving from `tf.nn.rnn_cell.RNNCell`, `LayerRNNCell` or any TF1 cell "
    "class, and other uses of the base classes.",
    why="A TF1 cell implements `__call__(inputs, state, scope)` / `call(inputs, state)` with "
    "`state_size`/`output_size` properties and creates variables with `tf.get_variable` or "
    "`add_variable`. A Keras 3 cell implements `build`, `call(inputs, states, training)` and "
    "`state_size`, with states as lists. Its code must be ported by a person.",
    fix="None automatic. Port it to a Keras 3 cell (subclass `keras.layers.Layer` with "
    "`state_size`), run it with `rnnmigrate.layers.DynamicRNN`, which gives TF1's padding and "
    "state semantics to any Keras cell, and map its variables by hand.",
    numerics="Depends on the port; verify with `rnnmigrate verify`.",
    example_before="class MyCell(tf.nn.rnn_cell.RNNCell):\n    def call(self, inputs, state): ...",
    example_after="# no automatic rewrite",
    assess=assess,
)
