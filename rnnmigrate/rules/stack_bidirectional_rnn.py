"""RNN007: ``tf.contrib.rnn.stack_bidirectional_(dynamic_)rnn``."""

from __future__ import annotations

from rnnmigrate.rules.base import CONTRIB_RNN_MODULES, Rule, names_in
from rnnmigrate.rules.common import always_manual

RULE = Rule(
    code="RNN007",
    name="stack-bidirectional-rnn",
    summary="tf.contrib.rnn.stack_bidirectional_dynamic_rnn / stack_bidirectional_rnn call",
    apis=names_in(CONTRIB_RNN_MODULES, ("stack_bidirectional_dynamic_rnn", "stack_bidirectional_rnn")),
    kind="function",
    what="Finds calls of `tf.contrib.rnn.stack_bidirectional_dynamic_rnn` and "
    "`tf.contrib.rnn.stack_bidirectional_rnn`.",
    why="`tf.contrib` is gone. Each layer's input is the previous layer's concatenated "
    "[fw, bw] outputs and the variables live under `stack_bidirectional_rnn/cell_k/bidirectional_rnn/`.",
    fix="None automatic yet: chain `rnnmigrate.layers.BidirectionalDynamicRNN` layers, "
    "concatenating outputs between them, and load each layer's weights with "
    "`load_tf1_weights(layer, ckpt, scope='stack_bidirectional_rnn/cell_k/bidirectional_rnn')`.",
    numerics="Exact when composed as above; verify with `rnnmigrate verify`.",
    example_before="outputs, sf, sb = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(fws, bws, x, "
    "sequence_length=lengths, dtype=tf.float32)",
    example_after="# no automatic rewrite",
    assess=always_manual(
        "stacked bidirectional layers must be composed by hand from BidirectionalDynamicRNN",
        {
            "stack_bidirectional_dynamic_rnn": (
                "cells_fw", "cells_bw", "inputs", "initial_states_fw", "initial_states_bw", "dtype",
                "sequence_length", "parallel_iterations", "time_major", "scope", "swap_memory",
            ),
            "stack_bidirectional_rnn": (
                "cells_fw", "cells_bw", "inputs", "initial_states_fw", "initial_states_bw", "dtype",
                "sequence_length", "scope",
            ),
        },
        cell_lists=("cells_fw", "cells_bw"),
    ),
)
