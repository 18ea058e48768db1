"""What every cell rule does alike: describe a constructor call as a ``CellInfo``."""

from __future__ import annotations

import ast

from rnnmigrate.findings import CellInfo
from rnnmigrate.rules.base import TF0_CELL_MODULE, Assessment, Site, display, normalize
from rnnmigrate.rules.common import BindError, bind, literal, texts

CELL_ARGUMENTS = (
    "num_units",
    "forget_bias",
    "use_peepholes",
    "num_proj",
    "cell_clip",
    "proj_clip",
    "activation",
    "state_is_tuple",
    "input_keep_prob",
    "output_keep_prob",
    "state_keep_prob",
    "variational_recurrent",
    "name",
)


def bind_cell(site: Site, signatures: dict[str, tuple[str, ...]]) -> dict[str, ast.expr] | CellInfo:
    """The constructor's arguments, or an untraceable cell saying why they cannot be read."""
    assert site.call is not None
    try:
        return bind(site.call, signatures[site.short_name])
    except BindError as error:
        return cell_info(site, {}, problem=str(error))


def cell_info(
    site: Site,
    bound: dict[str, ast.expr],
    problem: str | None = None,
    differences: tuple[str, ...] = (),
    children: tuple[CellInfo, ...] = (),
    repeat: str | None = None,
    assumption: str | None = None,
) -> CellInfo:
    node = site.call or site.node
    return CellInfo(
        kind=site.short_name,
        api=display(site.qualified),
        line=node.lineno,
        column=node.col_offset,
        arguments=texts(bound, CELL_ARGUMENTS),
        children=children,
        repeat=repeat,
        problem=problem,
        differences=differences,
        assumption=assumption,
    )


def as_assessment(cell: CellInfo) -> Assessment:
    """A cell's own verdict; the scan refines it by what the cell is passed to."""
    if cell.problem:
        return Assessment("manual", cell.problem, dict(cell.arguments), (cell,), cell.differences)
    return Assessment("auto", None, dict(cell.arguments), (cell,), cell.all_differences_tuple(), cell.assumption)


def concatenated_state_problem(site: Site, bound: dict[str, ast.expr], what: str) -> str | None:
    """Why a cell whose state is concatenated (``state_is_tuple=False``) cannot be migrated.

    TF 0.x's ``tensorflow.models.rnn.rnn_cell`` defaulted to concatenated state; TF 1.x to tuples.
    """
    tf0 = normalize(site.qualified).startswith(TF0_CELL_MODULE + ".")
    state_is_tuple = literal(bound.get("state_is_tuple"), not tf0)
    if state_is_tuple is not False:
        return None
    prefix = "TF 0.x rnn_cell defaults to state_is_tuple=False" if tf0 and "state_is_tuple" not in bound else "state_is_tuple=False"
    return f"{prefix}: {what} concatenated into one tensor; rnnmigrate.layers keeps tuples"
