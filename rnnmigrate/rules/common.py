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
        return Assessment("manual", str(error))
    cells = tuple(site.tracer.trace(bound[name]) for name in cell_params if name in bound)
    problems = [problem for cell in cells for problem in cell.problems()]
    differences = rnn_differences(bound, cells)
    if problems:
        return Assessment("manual", problems[0], texts(bound, RNN_ARGUMENTS), cells, differences)
    return Assessment("auto", None, texts(bound, RNN_ARGUMENTS), cells, differences)


def rnn_differences(bound: dict[str, ast.expr], cells: tuple[CellInfo, ...]) -> tuple[str, ...]:
    """Tags for what a naive Keras port of this call would get wrong."""
    tags = ["padding"] if is_set(bound, "sequence_length") else []
    if is_set(bound, "time_major"):
        tags.append("time-major")
    if any(name.startswith("initial_state") for name in bound):
        tags.append("state-structure")
    for cell in cells:
        tags.extend(tag for tag in cell.all_differences() if tag not in tags)
    return tuple(tags)


def keyword_problem(bound: dict[str, ast.expr], name: str, reason: str) -> str | None:
    return reason if is_set(bound, name) else None


def always_manual(reason: str):
    """An assess function for APIs that have no exact automatic migration."""

    def assess(site: Site) -> Assessment:
        arguments: dict[str, str] = {}
        if site.call is not None:
            arguments = {
                keyword.arg: ast.unparse(keyword.value)
                for keyword in site.call.keywords
                if keyword.arg in RNN_ARGUMENTS
            }
        return Assessment("manual", reason, arguments)

    return assess
