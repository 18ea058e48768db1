"""RNN111: ``tf.contrib.rnn``'s block cells (LSTMBlockCell, LSTMBlockFusedCell, GRUBlockCell, GRUBlockCellV2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

CONTRIB_RNN = "tensorflow.contrib.rnn"
LSTM_OPS = "tensorflow.contrib.rnn.python.ops.lstm_ops"
GRU_OPS = "tensorflow.contrib.rnn.python.ops.gru_ops"

# TF 1.15's constructors (lstm_ops.py, gru_ops.py), in their positional order.
SIGNATURES = {
    "LSTMBlockCell": ("num_units", "forget_bias", "cell_clip", "use_peephole", "dtype", "reuse", "name"),
    "LSTMBlockFusedCell": ("num_units", "forget_bias", "cell_clip", "use_peephole", "reuse", "dtype", "name"),
    "GRUBlockCell": ("num_units", "cell_size", "reuse", "name"),
    "GRUBlockCellV2": ("num_units", "cell_size", "reuse", "name"),
}
LSTM_NAMES = ("LSTMBlockCell", "LSTMBlockFusedCell")
GRU_NAMES = ("GRUBlockCell", "GRUBlockCellV2")
FUSED = "LSTMBlockFusedCell"


def assess(site: Site) -> Assessment:
    """A step cell migrates with the RNN call that runs it; the fused cell is a layer called on its own."""
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    differences = ("lstm-gate-order", "forget-bias") if "LSTM" in site.short_name else ("gru-reset-before",)
    if site.short_name == FUSED:
        differences = (*differences, "time-major", "padding")
    cell = cell_info(site, bound, None, differences)
    assessment = as_assessment(cell)
    if site.short_name == FUSED:
        # Not a cell any RNN call runs (TF1 calls it on whole sequences): its verdict is its own.
        return Assessment(assessment.verdict, None, assessment.arguments, (), differences)
    return assessment


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN111",
    name="block-cell",
    summary="tf.contrib.rnn LSTMBlockCell / LSTMBlockFusedCell / GRUBlockCell / GRUBlockCellV2",
    apis=names_in((CONTRIB_RNN,), tuple(SIGNATURES)) | names_in((LSTM_OPS,), LSTM_NAMES) | names_in((GRU_OPS,), GRU_NAMES),
    kind="cell",
    what="Finds constructions of the block (fused-kernel) cells of `tf.contrib.rnn`: `LSTMBlockCell`, "
    "`LSTMBlockFusedCell`, `GRUBlockCell` and `GRUBlockCellV2` (also spelled through "
    "`tensorflow.contrib.rnn.python.ops.lstm_ops` / `gru_ops`).",
    why="`tf.contrib` was removed in TF 2.0 and Keras 3 has no such cells. Their kernels compute "
    "LSTMCell's and GRUCell's math, but the variables differ: LSTMBlockFusedCell lives under "
    "`lstm_fused_cell`, GRUBlockCell names its weights `w_ru`, `b_ru`, `w_c`, `b_c`, and `forget_bias` "
    "is added at run time, not stored. LSTMBlockFusedCell is not a cell at all: it is called on a "
    "whole time-major sequence, `cell(inputs, initial_state=(c, h), dtype=, sequence_length=)`.",
    fix="The same constructor call on the `rnnmigrate.layers` class of the same name, every argument "
    "kept. The step cells migrate with the RNN call that runs them; `LSTMBlockFusedCell` on its own, "
    "since the runtime class takes TF1's call (time-major inputs or a list of steps, `initial_state`, "
    "`dtype`, `sequence_length`, `scope`) and returns `(outputs, LSTMStateTuple(c, h))`.",
    numerics="Exact up to float rounding: proven against TensorFlow's own kernels, which still run in "
    "TF 2.21 on the CPU (`tf.raw_ops.LSTMBlockCell`, `BlockLSTM`, `GRUBlockCell`), each driven as a "
    "TF1 cell with the variables TF 1.15's class created. The tests run them in `dynamic_rnn` and "
    "`bidirectional_dynamic_rnn` (lengths 0, 1 and T, batch 1, time_major, initial states, every final "
    "state tensor), the fused cell through its own call with TF 1.15's masking and final-state gather, "
    "eagerly, in `tf.function`, in a TF1 graph restored by the program's own Saver, and after a `.keras` "
    "round trip: worst difference 2.7e-7 in float32 (bar 1e-5). Negative controls (gates j and f or r and u "
    "swapped, `forget_bias` dropped) fail the same check. As in the kernels, `cell_clip` clips only "
    "when positive (`cell_clip=0` means no clipping, unlike LSTMCell). A `sequence_length` beyond the "
    "sequence made TF1's fused cell fail in `gather_nd`; the runtime reads the last step.",
    example_before="cell = tf.contrib.rnn.LSTMBlockCell(128, use_peephole=True)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
    "fused = tf.contrib.rnn.LSTMBlockFusedCell(128)\n"
    "outputs_tm, state = fused(x_tm, dtype=tf.float32, sequence_length=lengths)",
    example_after="cell = LSTMBlockCell(128, use_peephole=True)\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)\n"
    "fused = LSTMBlockFusedCell(128)\n"
    "outputs_tm, state = fused(x_tm, dtype=tf.float32, sequence_length=lengths)",
    assess=assess,
    rewrite=rewrite,
)
