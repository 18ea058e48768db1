"""RNN102: ``MultiRNNCell``: a stack of cells run as one."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from rnnmigrate.rules.base import CELL_MODULES, Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info, concatenated_state_problem

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

SIGNATURES = {"MultiRNNCell": ("cells", "state_is_tuple")}
SHARED_CELL = (
    "each layer's input depth equals the shared cell's output size (`{cells}` puts one cell object, "
    "one kernel, in every layer; where the depths differ TF1 failed at graph build, and so does the runtime)"
)


def assess(site: Site) -> Assessment:
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    if "cells" not in bound:
        return as_assessment(cell_info(site, bound, "MultiRNNCell is called without its cells"))
    children, repeat = site.tracer.trace_sequence(bound["cells"])
    problem = concatenated_state_problem(site, bound, "the layers' states are")
    assumption = None
    if site.tracer.shares_one_cell(bound["cells"]):
        assumption = SHARED_CELL.format(cells=ast.unparse(bound["cells"]))
    cell = cell_info(site, bound, problem, ("state-structure",), tuple(children), repeat, assumption)
    return as_assessment(cell)


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN102",
    name="multi-rnn-cell",
    summary="MultiRNNCell construction",
    apis=names_in(CELL_MODULES, tuple(SIGNATURES)),
    kind="cell",
    what="Finds `MultiRNNCell([...])` in every spelling and traces the cells of the stack "
    "(a list, a comprehension, a list built with `append`, a helper function, one cell repeated: "
    "`[cell] * n`, `[cell for _ in range(n)]`).",
    why="Keras's `StackedRNNCells` returns states as a flat list per layer with LSTM states as "
    "[h, c]; TF1 code indexes `state[-1].h`. TF1 variables live under `multi_rnn_cell/cell_k/`.",
    fix="`MultiRNNCell([...])` from `rnnmigrate.layers` (a Keras `StackedRNNCells`), whose state "
    "is a tuple per layer in TF1 structure; weights load from `multi_rnn_cell/cell_k/...`.",
    numerics="Exact up to float rounding once every layer's weights are imported. One cell object in "
    "every layer is one set of weights under `cell_0`, as in TF 1.15.",
    unsafe_when="The fix is unsafe where one cell object fills several layers (`[cell] * n`, "
    "`[cell for _ in range(n)]` with `cell` built before the list): TF 1.15 runs the same kernel in "
    "every layer, which fits only when each layer's input depth equals the cell's output size, and "
    "the scan cannot see the inputs' depth. Where the depths agree the migrated stack shares the "
    "weights exactly as TF1 did; where they do not, TF1 failed at graph build (\"Dimensions must be "
    "equal\") and the runtime's MultiRNNCell fails at build with a one-line reason, so numbers never "
    "change silently. A count of literal 1 shares nothing and stays safe.",
    example_before="cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(64) for _ in range(2)])\n"
    "outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
    example_after="cell = MultiRNNCell([GRUCell(64) for _ in range(2)])\n"
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
)
