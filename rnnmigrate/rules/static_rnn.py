"""RNN003: ``tf.nn.static_rnn`` (and pre-1.0 ``tf.nn.rnn``) -> ``rnnmigrate.layers.static_rnn``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CONTRIB_RNN_MODULES, NN_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.common import assess_rnn_call

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

PARAMS = ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope")


def assess(site: Site) -> Assessment:
    return assess_rnn_call(site, PARAMS, ("cell",))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_function

    return rename_function(call, context, "static_rnn")


RULE = Rule(
    code="RNN003",
    name="static-rnn",
    summary="tf.nn.static_rnn call over a list of time steps",
    apis=names_in(NN_MODULES + CONTRIB_RNN_MODULES, ("static_rnn",)) | names_in(NN_MODULES, ("rnn",)),
    kind="function",
    what="Finds calls of `tf.nn.static_rnn`, `tf.contrib.rnn.static_rnn` and the pre-1.0 `tf.nn.rnn`.",
    why="`static_rnn` unrolls the cell over a Python list of [batch, depth] tensors. With "
    "`sequence_length` it zeroes outputs past each row's length and copies the state through, "
    "exactly like `dynamic_rnn`; Keras has no list-of-steps RNN and masks differently.",
    fix="`static_rnn(cell, inputs, ...)` from `rnnmigrate.layers`: same arguments, same per-step "
    "list of outputs and TF1-structured state; the cell's weights load under `scope` (default `rnn`).",
    numerics="Outputs and final state agree with TF1 `static_rnn` to about 2e-7 in float32.",
    example_before="cell = tf.nn.rnn_cell.BasicLSTMCell(32)\n"
    "outputs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)",
    example_after="cell = BasicLSTMCell(32)\noutputs, state = static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)",
    assess=assess,
    rewrite=rewrite,
)
