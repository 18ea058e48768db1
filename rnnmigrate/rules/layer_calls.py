"""The shared rewrite of the RNN functions into a runtime layer built then called.

``f(cells..., inputs, k=v...)`` becomes ``Layer(cells..., <constructor keywords>)(inputs, <call keywords>)``.
"""

from __future__ import annotations

import libcst as cst

from rnnmigrate.cstargs import code_of, is_implied_dtype, keyword, positional
from rnnmigrate.rules.base import RewriteContext, RewriteResult

DROPPED = ("parallel_iterations", "swap_memory")


def layer_call(
    context: RewriteContext,
    layer: str,
    bound: dict[str, cst.Arg],
    cells: tuple[str, ...],
    inputs: str,
    call_keywords: tuple[str, ...],
) -> RewriteResult:
    constructor, notes = constructor_arguments(bound, cells)
    call_args = [positional(bound[inputs])]
    call_args += [keyword(name, bound[name]) for name in call_keywords if name in bound]
    built = cst.Call(func=context.runtime_ref(layer), args=constructor)
    return RewriteResult(cst.Call(func=built, **laid_out_like(context.original_call, call_args)), tuple(notes))


def laid_out_like(original: cst.Call, args: list[cst.Arg]) -> dict:
    """Keep a call written one argument per line written that way after the rewrite."""
    if not original.args or "\n" not in code_of(original.whitespace_before_args):
        return {"args": args}
    commas = [arg.comma for arg in original.args]
    between = commas[:-1] or commas
    laid_out = [
        arg.with_changes(comma=between[min(index, len(between) - 1)])
        for index, arg in enumerate(args[:-1])
    ]
    laid_out.append(args[-1].with_changes(comma=commas[-1]))
    return {"args": laid_out, "whitespace_before_args": original.whitespace_before_args}


def constructor_arguments(bound: dict[str, cst.Arg], cells: tuple[str, ...]) -> tuple[list[cst.Arg], list[str]]:
    """Cells first, then time_major, a non-default dtype and the scope as the layer name."""
    args = [positional(bound[name]) for name in cells]
    notes = [f"dropped `{name}=` (no Keras meaning)" for name in DROPPED if name in bound]
    if "time_major" in bound:
        args.append(keyword("time_major", bound["time_major"]))
    dtype = bound.get("dtype")
    if dtype is not None and not is_implied_dtype(dtype):
        args.append(keyword("dtype", dtype))
    elif dtype is not None:
        notes.append("dropped `dtype=` (float32 is implied)")
    if "scope" in bound:
        args.append(keyword("name", bound["scope"]))
        notes.append(
            f"scope {code_of(bound['scope'].value)} is now the layer name: "
            "load the TF1 weights with tf1_weights()/load_tf1_weights() under that scope"
        )
    return args, notes


def rename_function(call: cst.Call, context: RewriteContext, function: str) -> RewriteResult:
    """The runtime function has the TF1 signature: only the name changes."""
    return RewriteResult(call.with_changes(func=context.runtime_ref(function)))


def rename_class(call: cst.Call, context: RewriteContext) -> RewriteResult:
    """A TF1 cell constructor becomes the runtime class of the same name, arguments kept."""
    name = context.finding.api.rsplit(".", 1)[-1]
    return RewriteResult(call.with_changes(func=context.runtime_ref(name)))
