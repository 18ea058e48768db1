"""RNN002: ``tf.nn.bidirectional_dynamic_rnn`` -> ``rnnmigrate.layers.BidirectionalDynamicRNN``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import NN_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.common import assess_rnn_call

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

PARAMS = (
    "cell_fw",
    "cell_bw",
    "inputs",
    "sequence_length",
    "initial_state_fw",
    "initial_state_bw",
    "dtype",
    "parallel_iterations",
    "swap_memory",
    "time_major",
    "scope",
)


def assess(site: Site) -> Assessment:
    return assess_rnn_call(site, PARAMS, ("cell_fw", "cell_bw"))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.cstargs import bind
    from rnnmigrate.rules.layer_calls import layer_call

    return layer_call(
        context,
        "BidirectionalDynamicRNN",
        bind(call, PARAMS),
        cells=("cell_fw", "cell_bw"),
        inputs="inputs",
        call_keywords=("sequence_length", "initial_state_fw", "initial_state_bw"),
    )


RULE = Rule(
    code="RNN002",
    name="bidirectional-dynamic-rnn",
    summary="tf.nn.bidirectional_dynamic_rnn call",
    apis=names_in(NN_MODULES, ("bidirectional_dynamic_rnn",)),
    kind="function",
    what="Finds calls of `tf.nn.bidirectional_dynamic_rnn` in every spelling.",
    why="TF1 reverses each row within its own length (`reverse_sequence`) before the backward "
    "pass, zeroes padded outputs of both directions and returns ((out_fw, out_bw), (st_fw, st_bw)). "
    "`keras.layers.Bidirectional` without a mask reverses the whole padded row, so the backward "
    "direction reads the padding first; its state list is flat and LSTM states are [h, c].",
    fix="`BidirectionalDynamicRNN(cell_fw, cell_bw, time_major=..., dtype=..., scope=..., "
    "parallel_iterations=..., swap_memory=...)(inputs, sequence_length=..., initial_state_fw=..., "
    "initial_state_bw=...)` from `rnnmigrate.layers`, returning TF1's nested structure; every "
    "argument is kept. Weights load from `<scope>/fw/...` and `<scope>/bw/...` (scope defaults "
    "to `bidirectional_rnn`).",
    numerics="Outputs and both final states agree with TF1 to about 2e-7 in float32. Without a "
    "mask, Keras's backward outputs differ at every step of every row shorter than the batch.",
    example_before="cf = tf.nn.rnn_cell.LSTMCell(64)\ncb = tf.nn.rnn_cell.LSTMCell(64)\n"
    "(fw, bw), (sf, sb) = tf.nn.bidirectional_dynamic_rnn(cf, cb, x, sequence_length=lengths, dtype=tf.float32)",
    example_after="cf = LSTMCell(64)\ncb = LSTMCell(64)\n"
    "(fw, bw), (sf, sb) = BidirectionalDynamicRNN(cf, cb, dtype=tf.float32)(x, sequence_length=lengths)",
    assess=assess,
    rewrite=rewrite,
)
