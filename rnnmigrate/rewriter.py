"""The libcst transformer of a rewrite: replace the sites the scan marked ``auto``, annotate manual ones.

Sites are found by their character offsets in the text both parsers saw. libcst's positions
(line, character column) become offsets through the same line index the scan used (lines end
only where Python ends them). Not ByteSpanPositionProvider: in libcst 1.9 it drops the spaces
of ``except X :`` and every span after one is off (found by bench/stdlib_smoke.py).
"""

from __future__ import annotations

import ast
import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from rnnmigrate.cstargs import code_of
from rnnmigrate.findings import Finding
from rnnmigrate.layout import lost_comments
from rnnmigrate.rules import RULES_BY_CODE
from rnnmigrate.rules.base import RewriteContext
from rnnmigrate.runtime_imports import RuntimeImports
from rnnmigrate.spans import LineIndex

Span = tuple[int, int]
TODO_PREFIX = "# TODO(rnnmigrate): "


def todo_comment(finding: Finding) -> str:
    """``# TODO(rnnmigrate): RNNxxx <reason>``, without the line numbers some reasons give.

    Those numbers would be stale as soon as the comments are added (and a later run would
    see a different comment and add it again); the API named is enough to find the site.
    """
    return f"{TODO_PREFIX}{finding.code} {_LINE_REFERENCE.sub('', finding.reason or '')}"


_LINE_REFERENCE = re.compile(r" (?:on line \d+|in cell \d+, line \d+)")


def comment_assumptions(text: str, auto: list[Finding], line_length: int) -> dict[Span, str]:
    """The assumption of each site whose rewrite would drop a comment, found by rewriting ``text`` in memory.

    A file libcst cannot rewrite gives none: the rewrite itself reports that failure.
    """
    lines = LineIndex(text)
    try:
        transformer = Rewriter(auto, [], RuntimeImports(ast.parse(text), auto, lines), lines, line_length)
        MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True).visit(transformer)
    except Exception:  # noqa: BLE001 - any failure here is the rewrite's to report
        return {}
    return {span: dropped_comments(comments) for span, comments in transformer.lost.items()}


def dropped_comments(comments: list[str]) -> str:
    listed = ", ".join(f"`{comment}`" for comment in comments)
    one = len(comments) == 1
    return (
        f"{'the comment' if one else 'the comments'} {listed} can go "
        f"(the rewrite cannot place {'it' if one else 'them'} on the new call)"
    )


class Rewriter(cst.CSTTransformer, RewriteContext):
    """Replace the calls the scan marked ``auto``; put TODO comments above manual ones."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        auto: list[Finding],
        annotate: list[Finding],
        imports: RuntimeImports,
        lines: LineIndex,
        line_length: int = 88,
    ) -> None:
        super().__init__()
        self.lines = lines
        self.line_length = line_length
        self.pending: dict[Span, Finding] = {(finding.offset, finding.end_offset): finding for finding in auto}
        self.todo: dict[int, list[Finding]] = {}
        for finding in annotate:
            self.todo.setdefault(finding.line, []).append(finding)
        self.imports = imports
        self.done: list[Finding] = []
        self.notes: list[tuple[Finding, str]] = []
        self.lost: dict[Span, list[str]] = {}  # comments a site's new call does not carry, by its span

    def runtime_ref(self, name: str) -> cst.BaseExpression:
        return self.imports.reference(name)

    def _take(self, node: cst.CSTNode) -> Finding | None:
        position = self.get_metadata(PositionProvider, node)
        starts = self.lines.starts
        span = (starts[position.start.line - 1] + position.start.column, starts[position.end.line - 1] + position.end.column)
        return self.pending.pop(span, None)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        finding = self._take(original)
        if finding is None:
            return updated
        self.finding = finding
        self.original_call = original
        result = RULES_BY_CODE[finding.code].rewrite(updated, self)  # type: ignore[misc]
        node = result.node
        if isinstance(node, cst.Call) and node is not updated:  # outer parentheses and their comments stay
            node = node.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        self.done.append(finding)
        self.notes.extend((finding, note) for note in result.notes)
        for comment in self._lost_comments(updated, node):
            self.lost.setdefault((finding.offset, finding.end_offset), []).append(comment)
            self.notes.append((finding, f"unsafe fix: the comment `{comment}` could not be placed on the new call"))
        return node

    @staticmethod
    def _lost_comments(old: cst.CSTNode, new: cst.CSTNode) -> list[str]:
        try:
            return lost_comments(old, new)
        except cst.CSTValidationError:  # a broken replacement: the parse check after the rewrite reports it
            return []

    @property
    def line_indent(self) -> str:
        line = self.lines.line(self.finding.line)
        return line[: len(line) - len(line.lstrip(" \t"))]

    def fits(self, node: cst.CSTNode) -> bool:
        """False when ``node`` in place of the site makes a line longer than both the site's longest
        line and the line length."""
        finding = self.finding
        last = self.lines.line(finding.end_line)
        prefix = self.lines.column(finding.offset) - 1
        suffix = len(last) - (self.lines.column(finding.end_offset) - 1)
        widths = [len(line) for line in code_of(node).split("\n")]
        widths[0] += prefix
        widths[-1] += suffix
        longest = max(len(self.lines.line(number)) for number in range(finding.line, finding.end_line + 1))
        return max(widths) <= max(longest, self.line_length)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return self._reference(original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self._reference(original, updated)

    def _reference(self, original: cst.CSTNode, updated: cst.BaseExpression) -> cst.BaseExpression:
        """``LSTMStateTuple`` used as a value (``isinstance``) becomes the runtime class."""
        finding = self._take(original)
        if finding is None:
            return updated
        self.done.append(finding)
        return self.imports.reference(finding.api.rsplit(".", 1)[-1])

    def visit_Module(self, node: cst.Module) -> None:
        # A comment above the first statement parses into the module header, not its leading lines.
        self.first_statement = node.body[0] if node.body else None
        self.header_comments = {line.comment.value for line in node.header if line.comment is not None}

    def leave_SimpleStatementLine(self, original, updated):
        return self._annotate(original, updated)

    def leave_FunctionDef(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_ClassDef(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_For(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_With(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_If(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_While(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_ExceptHandler(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def leave_Match(self, original, updated):
        return self._annotate(original, updated, header_only=True)

    def _annotate(self, original, updated, header_only: bool = False):
        if not self.todo:
            return updated
        first, last = self._lines(original, header_only)
        lines = [line for line in self.todo if first <= line <= last]
        comments = []
        existing = {line.comment.value for line in updated.leading_lines if line.comment is not None}
        if original is self.first_statement:
            existing |= self.header_comments
        for line in sorted(lines):
            for finding in self.todo.pop(line):
                comment = todo_comment(finding)
                if comment not in existing and comment not in {c.comment.value for c in comments}:
                    comments.append(cst.EmptyLine(indent=True, comment=cst.Comment(comment)))
        if not comments:
            return updated
        return updated.with_changes(leading_lines=[*updated.leading_lines, *comments])

    def _lines(self, original, header_only: bool) -> tuple[int, int]:
        """The lines a statement's TODO comments cover: all of it, or a compound statement's header.

        A header runs from the first decorator to the line before the body (a one-line body
        such as ``if x: y = f()`` counts as header), so that a multi-line ``def f(\n  a=...,\n):``
        is covered.
        """
        first, last = self._line_range(original)
        for decorator in getattr(original, "decorators", ()):
            first = min(first, self._line_range(decorator)[0])
        if not header_only:
            return first, last
        body = original.cases[0] if isinstance(original, cst.Match) else original.body
        start = self._line_range(body)[0]
        return first, start - 1 if isinstance(body, (cst.IndentedBlock, cst.MatchCase)) else start

    def _line_range(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self.get_metadata(PositionProvider, node)
        return position.start.line, position.end.line
