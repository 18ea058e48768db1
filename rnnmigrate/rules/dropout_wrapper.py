"""RNN103: ``DropoutWrapper``: dropout on a cell's inputs, outputs and state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CELL_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info
from rnnmigrate.rules.common import is_set

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

SIGNATURES = {
    "DropoutWrapper": (
        "cell",
        "input_keep_prob",
        "output_keep_prob",
        "state_keep_prob",
        "variational_recurrent",
        "input_size",
        "dtype",
        "seed",
        "dropout_state_filter_visitor",
    )
}


KEEP_PROBS = ("input_keep_prob", "output_keep_prob", "state_keep_prob")


def assess(site: Site) -> Assessment:
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    if "cell" not in bound:
        return as_assessment(cell_info(site, bound, "DropoutWrapper is called without its cell"))
    inner = site.tracer.trace(bound["cell"])
    problem = None
    if is_set(bound, "variational_recurrent"):
        problem = "variational_recurrent=True samples one dropout mask per sequence; port its training behaviour by hand"
    elif is_set(bound, "dropout_state_filter_visitor"):
        problem = "dropout_state_filter_visitor is arbitrary code choosing which state is dropped"
    return as_assessment(cell_info(site, bound, problem, ("dropout-training",), (inner,)))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN103",
    name="dropout-wrapper",
    summary="DropoutWrapper construction",
    apis=names_in(CELL_MODULES, tuple(SIGNATURES)),
    kind="cell",
    what="Finds `DropoutWrapper(cell, input_keep_prob=..., output_keep_prob=..., state_keep_prob=...)`.",
    why="Keras cells express dropout as `dropout`/`recurrent_dropout` rates on the cell's inputs "
    "and recurrent inputs; TF1 wraps any cell and drops its inputs, outputs and state with keep "
    "probabilities. The wrapper adds no variable scope, so weights keep their TF1 names.",
    fix="`DropoutWrapper(...)` from `rnnmigrate.layers`, arguments kept: numbers or tensors "
    "(placeholders too). Manual when `variational_recurrent=True` or a `dropout_state_filter_visitor` "
    "is given.",
    numerics="Inference (keep probabilities 1.0, or `training=False`) is exact. As in TF1, in a TF1 "
    "graph dropout runs whenever a keep probability is below 1; in Keras a number keep probability "
    "follows `training` and a tensor always applies. Training-time masks are random in both and are "
    "not compared number for number.",
    example_before="cell = tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.GRUCell(64), output_keep_prob=0.8)\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
    example_after="cell = DropoutWrapper(GRUCell(64), output_keep_prob=0.8)\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
)
