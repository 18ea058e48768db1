"""libcst helpers for rules' rewrites: bind a call's arguments, build the replacement call.

Imported only by rewrites, so that a scan never pays for libcst.
"""

from __future__ import annotations

import libcst as cst

_NO_SPACE = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


def bind(call: cst.Call, params: tuple[str, ...]) -> dict[str, cst.Arg]:
    """The call's arguments by parameter name (the scan has already checked they bind)."""
    bound: dict[str, cst.Arg] = {}
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    for name, arg in zip(params, positional):
        bound[name] = arg
    for arg in call.args:
        if arg.keyword is not None:
            bound[arg.keyword.value] = arg
    return bound


def positional(arg: cst.Arg) -> cst.Arg:
    return cst.Arg(value=arg.value)


def keyword(name: str, arg: cst.Arg) -> cst.Arg:
    equal = arg.equal if arg.keyword is not None and isinstance(arg.equal, cst.AssignEqual) else _NO_SPACE
    return cst.Arg(value=arg.value, keyword=cst.Name(name), equal=equal)


def call(func: cst.BaseExpression, args: list[cst.Arg]) -> cst.Call:
    return cst.Call(func=func, args=args)


def code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
