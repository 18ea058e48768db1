"""The shared rewrite of the RNN functions into a runtime layer built then called.

``f(cells..., inputs, k=v...)`` becomes ``Layer(cells..., <constructor keywords>)(inputs, <call keywords>)``.
Nothing the runtime accepts is dropped: ``dtype``, ``scope``, ``parallel_iterations`` and
``swap_memory`` are keywords of the runtime layers' constructors.
"""

from __future__ import annotations

import libcst as cst

from rnnmigrate.cstargs import keyword, positional
from rnnmigrate.layout import arrange, read_layout
from rnnmigrate.rules.base import RewriteContext, RewriteResult

CONSTRUCTOR_KEYWORDS = ("time_major", "dtype", "scope", "parallel_iterations", "swap_memory")


def layer_call(
    context: RewriteContext,
    layer: str,
    bound: dict[str, cst.Arg],
    cells: tuple[str, ...],
    inputs: str,
    call_keywords: tuple[str, ...],
) -> RewriteResult:
    """``Layer(cells..., time_major=, dtype=, scope=, parallel_iterations=, swap_memory=)(inputs, ...)``.

    Every argument the runtime accepts is kept, so that its comment stays with it; keywords
    keep the order they were written in, and the layout follows the old call's
    (``rnnmigrate.layout``), wrapped one argument per line when a line would grow too long.
    """
    original = context.original_call
    order = {id(arg): index for index, arg in enumerate(bound.values())}  # ``bind`` keeps the written order
    constructor = [(positional(bound[name]), order[id(bound[name])]) for name in cells]
    constructor += sorted(
        ((keyword(name, bound[name]), order[id(bound[name])]) for name in CONSTRUCTOR_KEYWORDS if name in bound),
        key=lambda pair: pair[1],
    )
    call = [(positional(bound[inputs]), order[id(bound[inputs])])]
    call += sorted(
        ((keyword(name, bound[name]), order[id(bound[name])]) for name in call_keywords if name in bound),
        key=lambda pair: pair[1],
    )
    layout = read_layout(original) if len(bound) == len(original.args) else None

    def build(wrap: bool) -> cst.Call:
        if layout is None:
            built, called = {"args": [arg for arg, _ in constructor]}, {"args": [arg for arg, _ in call]}
        else:
            built, called = arrange(layout, [constructor, call], context.line_indent, wrap)
        return cst.Call(func=cst.Call(func=context.runtime_ref(layer), **built), **called)

    node = build(wrap=False)
    if layout is not None and not context.fits(node):
        node = build(wrap=True)
    return RewriteResult(node)


def rename_function(call: cst.Call, context: RewriteContext, function: str) -> RewriteResult:
    """The runtime function has the TF1 signature: only the name changes."""
    return RewriteResult(call.with_changes(func=context.runtime_ref(function)))


def rename_class(call: cst.Call, context: RewriteContext, prefix: str = "") -> RewriteResult:
    """A cell constructor becomes the runtime class of the same name (after ``prefix``), arguments kept."""
    name = prefix + context.finding.api.rsplit(".", 1)[-1]
    return RewriteResult(call.with_changes(func=context.runtime_ref(name)))
