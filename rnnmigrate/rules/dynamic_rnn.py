"""RNN001: ``tf.nn.dynamic_rnn`` -> ``rnnmigrate.layers.DynamicRNN``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import NN_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.common import assess_rnn_call

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

PARAMS = (
    "cell",
    "inputs",
    "sequence_length",
    "initial_state",
    "dtype",
    "parallel_iterations",
    "swap_memory",
    "time_major",
    "scope",
)


def assess(site: Site) -> Assessment:
    return assess_rnn_call(site, PARAMS, ("cell",))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.cstargs import bind
    from rnnmigrate.rules.layer_calls import layer_call

    return layer_call(
        context,
        "DynamicRNN",
        bind(call, PARAMS),
        cells=("cell",),
        inputs="inputs",
        call_keywords=("sequence_length", "initial_state"),
    )


RULE = Rule(
    code="RNN001",
    name="dynamic-rnn",
    summary="tf.nn.dynamic_rnn call",
    apis=names_in(NN_MODULES, ("dynamic_rnn",)),
    kind="function",
    what="Finds calls of `tf.nn.dynamic_rnn` (also `tf.compat.v1.nn.dynamic_rnn` and "
    "`tensorflow.python.ops.rnn.dynamic_rnn`), whatever the import alias.",
    why="`dynamic_rnn` does not exist in TF2, and the suggested `keras.layers.RNN(cell)` is not "
    "equivalent: `dynamic_rnn` writes zeros to outputs at t >= sequence_length[b] and returns the "
    "state of the last valid step. A Keras RNN without a mask runs over the padding as if it were "
    "data; with a mask it repeats the last valid output into the padding instead of zeros. Keras 3 "
    "also has no `time_major` and returns LSTM state as [h, c] where TF1 had LSTMStateTuple(c, h).",
    fix="`DynamicRNN(cell, time_major=..., dtype=..., scope=..., parallel_iterations=..., "
    "swap_memory=...)(inputs, sequence_length=..., initial_state=...)` from `rnnmigrate.layers`, "
    "which zeroes padded outputs, returns the last valid state in TF1 structure and honours "
    "time_major. Every argument is kept, with its comment: `scope=` (a name or a VariableScope) "
    "is where `load_tf1_weights` / `tf1_weights` find the TF1 variables, `dtype` is the layer's "
    "dtype, and `parallel_iterations` / `swap_memory` are accepted and ignored (Keras has no use "
    "for them).",
    numerics="With the TF1 weights imported, outputs and final states agree with TF1 to about "
    "2e-7 in float32. A plain `keras.layers.RNN` with a mask differs at every padded step "
    "(the last output repeated) and a missing mask changes final states by O(1).",
    example_before="cell = tf.nn.rnn_cell.GRUCell(64)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32, scope='encoder')",
    example_after="cell = GRUCell(64)\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32, scope='encoder')(x, sequence_length=lengths)",
    assess=assess,
    rewrite=rewrite,
)
