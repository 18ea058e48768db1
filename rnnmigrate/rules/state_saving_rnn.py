"""RNN005: ``tf.nn.static_state_saving_rnn``: state kept in a queue-backed state saver."""

from __future__ import annotations

from rnnmigrate.rules.base import CONTRIB_RNN_MODULES, NN_MODULES, Rule, names_in
from rnnmigrate.rules.common import always_manual

RULE = Rule(
    code="RNN005",
    name="state-saving-rnn",
    summary="tf.nn.static_state_saving_rnn call",
    apis=names_in(NN_MODULES + CONTRIB_RNN_MODULES, ("static_state_saving_rnn", "state_saving_rnn")),
    kind="function",
    what="Finds calls of `tf.nn.static_state_saving_rnn` (pre-1.0: `tf.nn.state_saving_rnn`).",
    why="The state lives in a `state_saver` from the TF1 input-queue machinery "
    "(`tf.contrib.training.batch_sequences_with_states`), which has no TF2 counterpart.",
    fix="None automatic. Port the input pipeline to `tf.data`, keep the state in a Keras "
    "`stateful=True` layer or carry it explicitly, and run the cell with `rnnmigrate.layers.DynamicRNN`.",
    numerics="Depends on the port; verify with `rnnmigrate verify` on real data.",
    example_before="outputs, state = tf.nn.static_state_saving_rnn(cell, inputs, saver, 'lstm_state')",
    example_after="# no automatic rewrite",
    assess=always_manual(
        "the state saver belongs to TF1's queue-based input pipeline",
        {
            name: ("cell", "inputs", "state_saver", "state_name", "sequence_length", "scope")
            for name in ("static_state_saving_rnn", "state_saving_rnn")
        },
        cell_params=("cell",),
    ),
)
