"""RNN004: ``tf.nn.static_bidirectional_rnn`` (and pre-1.0 ``tf.nn.bidirectional_rnn``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CONTRIB_RNN_MODULES, NN_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.common import assess_rnn_call

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

PARAMS = (
    "cell_fw",
    "cell_bw",
    "inputs",
    "initial_state_fw",
    "initial_state_bw",
    "dtype",
    "sequence_length",
    "scope",
)


def assess(site: Site) -> Assessment:
    return assess_rnn_call(site, PARAMS, ("cell_fw", "cell_bw"))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_function

    return rename_function(call, context, "static_bidirectional_rnn")


RULE = Rule(
    code="RNN004",
    name="static-bidirectional-rnn",
    summary="tf.nn.static_bidirectional_rnn call over a list of time steps",
    apis=names_in(NN_MODULES + CONTRIB_RNN_MODULES, ("static_bidirectional_rnn",))
    | names_in(NN_MODULES, ("bidirectional_rnn",)),
    kind="function",
    what="Finds calls of `tf.nn.static_bidirectional_rnn`, its contrib spelling and the pre-1.0 "
    "`tf.nn.bidirectional_rnn`.",
    why="The backward direction is reversed within each row's length and the outputs are the "
    "per-step concatenation [fw, bw]; Keras has no list-of-steps equivalent.",
    fix="`static_bidirectional_rnn(cell_fw, cell_bw, inputs, ...)` from `rnnmigrate.layers`, "
    "same arguments and return value `(outputs, state_fw, state_bw)`.",
    numerics="Outputs and both states agree with TF1 to about 2e-7 in float32.",
    example_before="cf = tf.nn.rnn_cell.GRUCell(32)\ncb = tf.nn.rnn_cell.GRUCell(32)\n"
    "outputs, sf, sb = tf.nn.static_bidirectional_rnn(cf, cb, steps, dtype=tf.float32)",
    example_after="cf = GRUCell(32)\ncb = GRUCell(32)\n"
    "outputs, sf, sb = static_bidirectional_rnn(cf, cb, steps, dtype=tf.float32)",
    assess=assess,
    rewrite=rewrite,
)
