"""RNN101: the core TF1 cells: BasicRNNCell, BasicLSTMCell, LSTMCell, GRUCell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CELL_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info, concatenated_state_problem
from rnnmigrate.rules.common import is_set, literal

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

SIGNATURES = {
    "BasicRNNCell": ("num_units", "activation", "reuse", "name", "dtype"),
    "BasicLSTMCell": ("num_units", "forget_bias", "state_is_tuple", "activation", "reuse", "name", "dtype"),
    "LSTMCell": (
        "num_units",
        "use_peepholes",
        "cell_clip",
        "initializer",
        "num_proj",
        "proj_clip",
        "num_unit_shards",
        "num_proj_shards",
        "forget_bias",
        "state_is_tuple",
        "activation",
        "reuse",
        "name",
        "dtype",
    ),
    "GRUCell": ("num_units", "activation", "reuse", "kernel_initializer", "bias_initializer", "name", "dtype"),
}


def assess(site: Site) -> Assessment:
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    return as_assessment(cell_info(site, bound, _problem(site, bound), _differences(site.short_name, bound)))


def _problem(site: Site, bound: dict) -> str | None:
    if "LSTM" in site.short_name:
        concatenated = concatenated_state_problem(site, bound, "c and h are")
        if concatenated:
            return concatenated
    for shards in ("num_unit_shards", "num_proj_shards"):
        if literal(bound.get(shards), None) not in (None, 1):
            return f"{shards} splits the kernel into sharded variables; merge them by hand"
    return None


def _differences(kind: str, bound: dict) -> tuple[str, ...]:
    if kind == "GRUCell":
        return ("gru-reset-before",)
    if kind == "BasicRNNCell":
        return ("kernel-split",)
    tags = ["lstm-gate-order"]
    if literal(bound.get("forget_bias"), 1.0) != 0:
        tags.append("forget-bias")
    if any(is_set(bound, name) for name in ("use_peepholes", "num_proj", "cell_clip", "proj_clip")):
        tags.append("no-keras-equivalent")
    return tuple(tags)


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN101",
    name="core-cell",
    summary="BasicRNNCell / BasicLSTMCell / LSTMCell / GRUCell construction",
    apis=names_in(CELL_MODULES, tuple(SIGNATURES)),
    kind="cell",
    what="Finds constructions of the TF1 cells `BasicRNNCell`, `BasicLSTMCell`, `LSTMCell` and "
    "`GRUCell` from `tf.nn.rnn_cell`, `tf.contrib.rnn`, `tf.compat.v1.nn.rnn_cell` and "
    "`tensorflow.python.ops.rnn_cell(_impl)`.",
    why="Keras 3 has no `tf.compat.v1.nn.rnn_cell`: these raise at construction. Their Keras "
    "look-alikes differ: TF1 LSTM keeps one kernel over [inputs, h] with gates i, j, f, o and adds "
    "`forget_bias` at run time (it is not in the checkpoint); Keras splits kernel and "
    "recurrent_kernel and orders gates i, f, c, o. TF1 `GRUCell` resets before the matmul "
    "(Keras `reset_after=False`, not the default). Keras 3 has no peephole, projection or clipping LSTM.",
    fix="The same constructor call on the `rnnmigrate.layers` class of the same name, every "
    "argument kept. Those classes are Keras 3 cells with TF1's formulas that load TF1 weights.",
    numerics="Exact up to float rounding (about 2e-7 in float32) once weights are imported. "
    "Forgetting `forget_bias` costs about 0.1 absolute error; Keras's default GRU "
    "(`reset_after=True`) 5e-3 to 4e-2.",
    example_before="cell = tf.nn.rnn_cell.LSTMCell(128, forget_bias=1.0, use_peepholes=True)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
    example_after="cell = LSTMCell(128, forget_bias=1.0, use_peepholes=True)\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
    renames_as_value=True,
)
