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
    sources = [bound[inputs], *(bound[name] for name in call_keywords if name in bound)]
    call_args = [positional(bound[inputs])]
    call_args += [keyword(name, bound[name]) for name in call_keywords if name in bound]
    built = cst.Call(func=context.runtime_ref(layer), args=constructor)
    layout = laid_out_like(context.original_call, call_args, sources, list(bound.values()))
    return RewriteResult(cst.Call(func=built, **layout), tuple(notes))


def laid_out_like(original: cst.Call, args: list[cst.Arg], sources: list[cst.Arg], order: list[cst.Arg]) -> dict:
    """Keep a call written one argument per line written that way after the rewrite.

    ``sources[i]`` is the argument of the old call that ``args[i]`` comes from and ``order`` the
    old call's arguments as written (``bind`` keeps that order). Each argument keeps the comment
    lines above it and the comment at the end of its line; comments of arguments that moved
    into the constructor or were dropped go with them.
    """
    if not original.args or "\n" not in code_of(original.whitespace_before_args):
        return {"args": args}
    opening = original.whitespace_before_args
    if len(order) != len(original.args) or not isinstance(opening, cst.ParenthesizedWhitespace):
        return {"args": args}
    index = [next(k for k, arg in enumerate(order) if arg is source) for source in sources]
    plain = cst.TrailingWhitespace()
    afters = [arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else None for arg in original.args]
    last_arg = original.args[-1]
    trailing_comma = isinstance(last_arg.comma, cst.Comma)
    closing = afters[-1] if trailing_comma else last_arg.whitespace_after_arg
    if not isinstance(closing, cst.ParenthesizedWhitespace):
        return {"args": args}

    def above(k: int) -> tuple:
        before = opening if k == 0 else afters[k - 1]
        return tuple(before.empty_lines) if isinstance(before, cst.ParenthesizedWhitespace) else ()

    def end_of_line(k: int) -> cst.TrailingWhitespace:
        after = afters[k] if afters[k] is not None else original.args[k].whitespace_after_arg
        return after.first_line if isinstance(after, cst.ParenthesizedWhitespace) else plain

    laid_out = []
    for position, (arg, k) in enumerate(zip(args, index)):
        if position < len(args) - 1:
            after = opening.with_changes(first_line=end_of_line(k), empty_lines=above(index[position + 1]))
            laid_out.append(arg.with_changes(comma=cst.Comma(whitespace_after=after)))
        elif trailing_comma:
            after = closing.with_changes(first_line=end_of_line(k), empty_lines=())
            laid_out.append(arg.with_changes(comma=cst.Comma(whitespace_after=after)))
        else:
            after = closing.with_changes(first_line=end_of_line(k), empty_lines=())
            laid_out.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=after))
    first = opening.with_changes(empty_lines=above(index[0]))
    return {"args": laid_out, "whitespace_before_args": first}


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
