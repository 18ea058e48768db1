"""RNN104: ``LSTMStateTuple``: the (c, h) pair TF1 LSTM cells carry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CELL_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

SIGNATURES = {"LSTMStateTuple": ("c", "h")}


def assess(site: Site) -> Assessment:
    """A rename, so arguments it cannot map (`LSTMStateTuple(*states)`, bilm-tf) carry over as
    written: the runtime's class is the same (c, h) namedtuple."""
    bound = bind_cell(site, SIGNATURES)
    return as_assessment(cell_info(site, bound if isinstance(bound, dict) else {}, differences=("state-structure",)))


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN104",
    name="lstm-state-tuple",
    summary="LSTMStateTuple construction",
    apis=names_in(CELL_MODULES, tuple(SIGNATURES)),
    kind="value",
    what="Finds `LSTMStateTuple(c, h)`, typically an `initial_state` handed from an encoder.",
    why="Keras LSTM layers take and return states as [h, c], the other order: passing a TF1 "
    "(c, h) pair to Keras swaps cell and hidden state without an error.",
    fix="`LSTMStateTuple(c, h)` from `rnnmigrate.layers`, the structure its RNN layers take and return.",
    numerics="None: it is the same named tuple.",
    example_before="state = tf.nn.rnn_cell.LSTMStateTuple(c, h)",
    example_after="state = LSTMStateTuple(c, h)",
    assess=assess,
    rewrite=rewrite,
)
