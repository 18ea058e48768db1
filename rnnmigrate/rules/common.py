"""Helpers the rule modules share: argument binding, literals, and the RNN-function assessment."""

from __future__ import annotations

import ast
from typing import Any

from rnnmigrate.findings import CellInfo
from rnnmigrate.rules.base import Assessment, Site


RNN_ARGUMENTS = (
    "sequence_length",
    "time_major",
    "initial_state",
    "initial_state_fw",
    "initial_state_bw",
    "dtype",
    "scope",
    "swap_memory",
    "parallel_iterations",
)


class BindError(Exception):
    """A call whose arguments cannot be mapped onto the API's parameters."""


def bind(call: ast.Call, params: tuple[str, ...]) -> dict[str, ast.expr]:
    """Map positional and keyword arguments to parameter names, as Python would."""
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        raise BindError("arguments are passed with `*args`; they cannot be mapped")
    if any(keyword.arg is None for keyword in call.keywords):
        raise BindError("arguments are passed with `**kwargs`; they cannot be mapped")
    if len(call.args) > len(params):
        raise BindError(f"{len(call.args)} positional arguments, but the API takes {len(params)}")
    bound = dict(zip(params, call.args))
    for keyword in call.keywords:
        if keyword.arg not in params:
            raise BindError(f"unknown argument `{keyword.arg}=`")
        bound[keyword.arg] = keyword.value  # type: ignore[index]
    return bound


def bind_partially(call: ast.Call, params: tuple[str, ...]) -> dict[str, ast.expr]:
    """What ``bind`` can still map of a call it rejects: positionals before any ``*args``, known keywords."""
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(params, call.args):
        if isinstance(arg, ast.Starred):
            break
        bound[name] = arg
    for keyword in call.keywords:
        if keyword.arg in params:
            bound[keyword.arg] = keyword.value  # type: ignore[index]
    return bound


def trace_cells(
    site: Site, bound: dict[str, ast.expr], cell_params: tuple[str, ...], cell_lists: tuple[str, ...] = ()
) -> tuple[CellInfo, ...]:
    """The cells a call runs: single-cell arguments traced, list-of-cells arguments traced per element."""
    cells = [site.tracer.trace(bound[name]) for name in cell_params if name in bound]
    for name in cell_lists:
        if name in bound:
            cells.extend(site.tracer.trace_sequence(bound[name])[0])
    return tuple(cells)


def literal(expr: ast.expr | None, default: Any = None) -> Any:
    """The value of a literal argument; ``default`` when absent; ``...`` when not a literal."""
    if expr is None:
        return default
    try:
        return ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ...


def texts(bound: dict[str, ast.expr], names: tuple[str, ...]) -> dict[str, str]:
    return {name: ast.unparse(bound[name]) for name in names if name in bound}


def is_set(bound: dict[str, ast.expr], name: str) -> bool:
    """True when an argument is given and not a literal None/False."""
    return name in bound and literal(bound[name]) not in (None, False)


def assess_rnn_call(site: Site, params: tuple[str, ...], cell_params: tuple[str, ...]) -> Assessment:
    """Classify a call of an RNN function whose cells can be migrated."""
    assert site.call is not None
    try:
        bound = bind(site.call, params)
    except BindError as error:
        # Still trace what can be bound, so that the cells it runs are known to stay manual.
        partial = bind_partially(site.call, params)
        return Assessment("manual", str(error), texts(partial, RNN_ARGUMENTS), trace_cells(site, partial, cell_params))
    cells = trace_cells(site, bound, cell_params)
    problems = [problem for cell in cells for problem in cell.problems()]
    differences = rnn_differences(bound, cells)
    if problems:
        return Assessment("manual", problems[0], texts(bound, RNN_ARGUMENTS), cells, differences)
    via = next((found for cell in cells if (found := cell.trace_assumption())), None)
    return Assessment("auto", None, texts(bound, RNN_ARGUMENTS), cells, differences, via)


def rnn_differences(bound: dict[str, ast.expr], cells: tuple[CellInfo, ...]) -> tuple[str, ...]:
    """Tags for what a naive Keras port of this call would get wrong."""
    tags = ["padding"] if is_set(bound, "sequence_length") else []
    if is_set(bound, "time_major"):
        tags.append("time-major")
    if any(is_set(bound, name) for name in bound if name.startswith("initial_state")):
        tags.append("state-structure")
    for cell in cells:
        tags.extend(tag for tag in cell.all_differences() if tag not in tags)
    return tuple(tags)


def always_manual(
    reason: str,
    signatures: dict[str, tuple[str, ...]] | None = None,
    cell_params: tuple[str, ...] = (),
    cell_lists: tuple[str, ...] = (),
):
    """An assess function for APIs that have no exact automatic migration.

    With the API's signatures (by short name), the cells the call runs are traced too: they
    stay TF1 with it, which keeps them and every other call that runs them manual.
    """

    def assess(site: Site) -> Assessment:
        arguments: dict[str, str] = {}
        cells: tuple[CellInfo, ...] = ()
        if site.call is not None:
            arguments = {
                keyword.arg: ast.unparse(keyword.value)
                for keyword in site.call.keywords
                if keyword.arg in RNN_ARGUMENTS
            }
            params = (signatures or {}).get(site.short_name)
            if params:
                bound = bind_partially(site.call, params)
                arguments = texts(bound, RNN_ARGUMENTS)
                cells = trace_cells(site, bound, cell_params, cell_lists)
        return Assessment("manual", reason, arguments, cells)

    return assess
