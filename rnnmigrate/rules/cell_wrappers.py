"""RNN105: ``ResidualWrapper``, ``DeviceWrapper``, ``OutputProjectionWrapper`` and ``InputProjectionWrapper``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CELL_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

# TF 1.15's constructors (rnn_cell_impl; contrib/rnn/python/ops/core_rnn_cell.py for the projections).
SIGNATURES = {
    "ResidualWrapper": ("cell", "residual_fn"),
    "DeviceWrapper": ("cell", "device"),
    "OutputProjectionWrapper": ("cell", "output_size", "activation", "reuse"),
    "InputProjectionWrapper": ("cell", "num_proj", "activation", "input_size", "reuse"),
}


def assess(site: Site) -> Assessment:
    """Auto with the wrapped cell, which is traced: the call migrates when the inner cell does."""
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    if "cell" not in bound:
        return as_assessment(cell_info(site, bound, f"{site.short_name} is called without its cell"))
    inner = site.tracer.trace(bound["cell"])
    return as_assessment(cell_info(site, bound, None, (), (inner,)))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN105",
    name="cell-wrapper",
    summary="ResidualWrapper / DeviceWrapper / OutputProjectionWrapper / InputProjectionWrapper construction",
    apis=names_in(CELL_MODULES, tuple(SIGNATURES)),
    kind="cell",
    what="Finds `ResidualWrapper(cell, residual_fn)`, `DeviceWrapper(cell, device)`, "
    "`OutputProjectionWrapper(cell, output_size, activation)` and "
    "`InputProjectionWrapper(cell, num_proj, activation)`, and traces the cell each wraps.",
    why="None exists in Keras 3 (the projection wrappers were `tf.contrib.rnn` only). Their TF1 "
    "behaviour matters for the numbers and the checkpoint: ResidualWrapper adds the cell's input to "
    "its output (or calls `residual_fn(inputs, outputs)`), DeviceWrapper runs the cell and creates its "
    "variables under `tf.device`, and the projection wrappers own `kernel` and `bias` in a scope of "
    "their own (`output_projection_wrapper`, `input_projection_wrapper`) with the wrapped cell's "
    "variables nested inside it.",
    fix="The same constructor call on the `rnnmigrate.layers` class of the same name, every argument "
    "kept; it migrates with the wrapped cell and the RNN call that runs them (manual when either stays "
    "manual). The runtime wrappers work around every runtime cell, in DynamicRNN, "
    "BidirectionalDynamicRNN, static_rnn and MultiRNNCell; a `residual_fn` runs step by step.",
    numerics="Exact up to float rounding. Proven against tf-keras's legacy "
    "`tf.compat.v1.nn.rnn_cell.ResidualWrapper` (with and without a `residual_fn`) and `DeviceWrapper`, "
    "and against TF1 cells written in the tests from TF 1.15's `core_rnn_cell.py` for the two "
    "projection wrappers (TF 2.21 has none): in `dynamic_rnn` and `bidirectional_dynamic_rnn`, lengths "
    "0, 1 and T, batch 1, time_major, initial states, every final state tensor, around LSTM, GRU and "
    "block cells and inside a MultiRNNCell, eagerly, in `tf.function`, in a TF1 graph restored by the "
    "program's own Saver (same variable names, shapes and devices), and after a `.keras` round trip: "
    "worst difference 6e-7 in float32 (bar 1e-5). The device is honoured: the cell's ops and variables "
    "land on it as in TF1. Negative controls (the projection's bias or the residual dropped) fail.",
    example_before="cell = tf.contrib.rnn.OutputProjectionWrapper(tf.nn.rnn_cell.GRUCell(64), 10)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
    example_after="cell = OutputProjectionWrapper(GRUCell(64), 10)\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
)
