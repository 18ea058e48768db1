"""Lay out the calls a rewrite builds like the call they replace: line breaks, indentation, comments.

A rewrite turns one call ``f(a, b, c)`` into one or more calls (``Layer(a, c)(b)``) whose arguments
come from the old call. Each new argument keeps what surrounded its source: the comment lines
above it, the comment at the end of its line and whether a line ended after it. The comments
after the opening parenthesis and before the closing one go to the first and the last new call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import libcst as cst

_PLAIN = cst.TrailingWhitespace()


@dataclass(frozen=True)
class ArgLayout:
    """What surrounds one argument of the old call."""

    above: tuple[cst.EmptyLine, ...]
    end_of_line: cst.TrailingWhitespace | None  # set when a line ends after the argument
    inline_after: str  # the spaces after its comma when no line ends there


@dataclass(frozen=True)
class CallLayout:
    """The layout of an old call, read once."""

    args: tuple[ArgLayout, ...]
    opening: cst.BaseParenthesizableWhitespace
    indent: cst.SimpleWhitespace | None  # the arguments' indentation, where a line starts with one
    closing_above: tuple[cst.EmptyLine, ...]
    closing_indent: cst.SimpleWhitespace | None  # before ``)``, where it starts a line
    trailing_comma: bool


def read_layout(call: cst.Call) -> CallLayout:
    """The layout of ``call``'s argument list."""
    afters = [_after(arg) for arg in call.args]
    befores = [call.whitespace_before_args, *afters[:-1]]
    args = []
    for before, after in zip(befores, afters):
        broken = isinstance(after, cst.ParenthesizedWhitespace)
        args.append(
            ArgLayout(
                above=tuple(before.empty_lines) if isinstance(before, cst.ParenthesizedWhitespace) else (),
                end_of_line=after.first_line if broken else None,  # type: ignore[union-attr]
                inline_after=after.value if isinstance(after, cst.SimpleWhitespace) else " ",
            )
        )
    indent = next((ws.last_line for ws in befores if isinstance(ws, cst.ParenthesizedWhitespace)), None)
    closing = afters[-1] if afters else call.whitespace_before_args
    closing_broken = isinstance(closing, cst.ParenthesizedWhitespace) and bool(call.args)
    return CallLayout(
        args=tuple(args),
        opening=call.whitespace_before_args,
        indent=indent,
        closing_above=tuple(closing.empty_lines) if closing_broken else (),  # type: ignore[union-attr]
        closing_indent=closing.last_line if closing_broken else None,  # type: ignore[union-attr]
        trailing_comma=bool(call.args) and isinstance(call.args[-1].comma, cst.Comma),
    )


def _after(arg: cst.Arg) -> cst.BaseParenthesizableWhitespace:
    return arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg


Group = list[tuple[cst.Arg, int]]  # new arguments and the index of the old argument each comes from


def arrange(layout: CallLayout, groups: list[Group], line_indent: str, wrap: bool = False) -> list[dict]:
    """``Call`` fields (``args``, ``whitespace_before_args``) for each group, laid out like the old call.

    ``wrap`` puts every argument on its own line, one level (a tab or four spaces, as the line
    is indented) deeper than the block; libcst indents broken lines relative to their block.
    """
    level = cst.SimpleWhitespace("\t" if line_indent.startswith("\t") else "    ")
    indent = level if wrap or layout.indent is None else layout.indent
    if wrap:
        closing_indent = cst.SimpleWhitespace("")
    else:
        closing_indent = layout.closing_indent if layout.closing_indent is not None else indent
    fields = []
    for number, group in enumerate(groups):
        first, last = number == 0, number == len(groups) - 1
        fields.append(_group(layout, group, first, last, indent, closing_indent, wrap))
    return fields


def _group(layout, group: Group, first: bool, last: bool, indent, closing_indent, wrap: bool) -> dict:
    if not group:
        return {"args": []}

    def broken(first_line, above, last_line) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(first_line=first_line, empty_lines=above, indent=True, last_line=last_line)

    sources = [layout.args[k] for _, k in group]
    opening_comment = layout.opening.first_line if first and isinstance(layout.opening, cst.ParenthesizedWhitespace) else _PLAIN
    if wrap or isinstance(layout.opening, cst.ParenthesizedWhitespace) or sources[0].above:
        opening: cst.BaseParenthesizableWhitespace = broken(opening_comment, sources[0].above, indent)
    else:
        opening = layout.opening if first else cst.SimpleWhitespace("")
    args = []
    for position, (arg, _) in enumerate(group):
        source = sources[position]
        if position < len(group) - 1:
            following = sources[position + 1]
            if wrap or source.end_of_line is not None or following.above:
                after = broken(source.end_of_line or _PLAIN, following.above, indent)
            else:
                after = cst.SimpleWhitespace(source.inline_after)
            args.append(arg.with_changes(comma=cst.Comma(whitespace_after=after), whitespace_after_arg=cst.SimpleWhitespace("")))
            continue
        closing_above = layout.closing_above if last else ()
        commented = source.end_of_line is not None and source.end_of_line.comment is not None
        if wrap or layout.closing_indent is not None or commented or closing_above:
            after = broken(source.end_of_line or _PLAIN, closing_above, closing_indent)
        else:
            after = cst.SimpleWhitespace("")
        if layout.trailing_comma or wrap:
            args.append(arg.with_changes(comma=cst.Comma(whitespace_after=after), whitespace_after_arg=cst.SimpleWhitespace("")))
        else:
            args.append(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=after))
    return {"args": args, "whitespace_before_args": opening}


def comments(node: cst.CSTNode) -> Counter[str]:
    """Every comment inside a node, as a multiset."""
    found: Counter[str] = Counter()

    class _Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found[comment.value] += 1

    node.visit(_Collect())
    return found


def lost_comments(old: cst.CSTNode, new: cst.CSTNode) -> list[str]:
    """Comments of ``old`` that ``new`` does not carry."""
    return sorted((comments(old) - comments(new)).elements())
