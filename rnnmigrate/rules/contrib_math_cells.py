"""RNN112: ``tf.contrib.rnn``'s ``LayerNormBasicLSTMCell`` and ``NASCell``, migrated to exact runtime ports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info
from rnnmigrate.rules.common import is_set, literal
from rnnmigrate.rules.contrib_cells import CONTRIB_CELL_MODULES

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

# TF 1.15's constructors (tensorflow/contrib/rnn/python/ops/rnn_cell.py), in their order.
SIGNATURES = {
    "LayerNormBasicLSTMCell": (
        "num_units",
        "forget_bias",
        "input_size",
        "activation",
        "layer_norm",
        "norm_gain",
        "norm_shift",
        "dropout_keep_prob",
        "dropout_prob_seed",
        "reuse",
    ),
    "NASCell": ("num_units", "num_proj", "use_biases", "reuse"),
}


def assess(site: Site) -> Assessment:
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    return as_assessment(cell_info(site, bound, None, _differences(site.short_name, bound)))


def _differences(kind: str, bound: dict) -> tuple[str, ...]:
    if kind == "NASCell":
        return ("nas-cell",)
    tags = ["layer-norm-lstm"] if literal(bound.get("layer_norm"), True) is not False else ["lstm-gate-order"]
    if literal(bound.get("forget_bias"), 1.0) != 0:
        tags.append("forget-bias")
    if is_set(bound, "dropout_keep_prob"):
        tags.append("dropout-training")
    return tuple(tags)


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN112",
    name="contrib-math-cell",
    summary="tf.contrib.rnn LayerNormBasicLSTMCell / NASCell construction",
    apis=names_in(CONTRIB_CELL_MODULES, tuple(SIGNATURES)),
    kind="cell",
    what="Finds `tf.contrib.rnn.LayerNormBasicLSTMCell(...)` (layer norm on each gate and on the new "
    "cell state, recurrent dropout on the candidate) and `tf.contrib.rnn.NASCell(...)` (the "
    "architecture-search cell: 8 gates, optional biases and projection).",
    why="`tf.contrib` is gone since TF 2.0 and no kernel of these cells survives. Keras 3 has neither; "
    "TF Addons' `LayerNormLSTMCell` is other math (it normalises the input and recurrent parts "
    "separately, with epsilon 1e-3). The checkpoint holds TF1's names: `kernel` [inputs + units, 4u] "
    "with gates i, j, f, o and `input|transform|forget|output|state/gamma|beta` (or `bias` with "
    "`layer_norm=False`) under `layer_norm_basic_lstm_cell/`; `kernel` [inputs, 8u], "
    "`recurrent_kernel` [p, 8u], `bias`, `projection_weights` under `nas_cell/`.",
    fix="The same constructor call on `rnnmigrate.layers.LayerNormBasicLSTMCell` / `NASCell`, every "
    "argument kept: Keras 3 cells with TF1's variables (the program's own Saver and `tf1_weights` "
    "restore them) and TF1's math, the layer norm with TF1's moments and epsilon (1e-12; 1e-3 in "
    "float16). `dropout_keep_prob` may be a number or a tensor (a placeholder too); "
    "`dropout_prob_seed` is kept as the dropout op's seed. Nothing stays manual but calls that cannot "
    "be read (`**kwargs`, unknown arguments).",
    numerics="Exact up to float rounding. How it was proven (no TF kernel of these cells survives): "
    "(1) the values TF 1.x's own unit tests assert, computed by TF1 (`testNASCell`, `testNASCellProj`, "
    "`LayerNormBasicLSTMCellTest`: with and without norm, and dropout), matched within 5.4e-7; "
    "(2) an independent float64 NumPy port of the TF 1.15 source, random weights, gains, shifts and "
    "biases, within 4.4e-16; (3) TF1 graphs of the 1.15 source (legacy RNNCell subclasses held to (1) "
    "and (2)) in `dynamic_rnn` and `bidirectional_dynamic_rnn`, lengths 0, 1 and T, time-major, "
    "initial states, eager and `tf.function`, restored by the program's own Saver, a `.keras` round "
    "trip, within 4.8e-7 in float32; gradients of every variable match TF1's (9.5e-7). As for "
    "`DropoutWrapper`, "
    "recurrent dropout (`dropout_keep_prob` below 1) always runs in a TF1 graph, follows `training` "
    "in Keras when it is a number, and always runs when it is a tensor; its masks are random in both "
    "and are not compared number for number.",
    example_before="cell = tf.contrib.rnn.LayerNormBasicLSTMCell(128, dropout_keep_prob=keep_prob)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
    example_after="cell = LayerNormBasicLSTMCell(128, dropout_keep_prob=keep_prob)\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
    renames_as_value=True,
)
