"""RNN006: ``tf.nn.raw_rnn``: a user-written loop_fn drives the cell."""

from __future__ import annotations

from rnnmigrate.rules.base import NN_MODULES, Rule, names_in
from rnnmigrate.rules.common import always_manual

RULE = Rule(
    code="RNN006",
    name="raw-rnn",
    summary="tf.nn.raw_rnn call",
    apis=names_in(NN_MODULES, ("raw_rnn",)),
    kind="function",
    what="Finds calls of `tf.nn.raw_rnn`.",
    why="`raw_rnn`'s `loop_fn` decides inputs, outputs and termination step by step "
    "(beam search, pointer networks, scheduled sampling). Its semantics are the user's code.",
    fix="None automatic. Write the loop with `tf.while_loop` or a Python loop in a `tf.function`, "
    "calling an `rnnmigrate.layers` cell step by step; its TF1 weights load with `load_tf1_weights`.",
    numerics="Depends on the port; verify with `rnnmigrate verify`.",
    example_before="outputs_ta, state, _ = tf.nn.raw_rnn(cell, loop_fn)",
    example_after="# no automatic rewrite",
    assess=always_manual(
        "raw_rnn's loop_fn is arbitrary code; port the loop by hand",
        {"raw_rnn": ("cell", "loop_fn", "parallel_iterations", "swap_memory", "scope")},
        cell_params=("cell",),
    ),
)
