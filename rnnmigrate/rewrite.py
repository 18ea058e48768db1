"""The rewrite pipeline: scan a module, rewrite its ``auto`` sites with libcst, check, write.

The scan decides what is rewritten (one definition of a finding); libcst only carries the
edits out, so everything outside the rewritten calls keeps its bytes.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper

from rnnmigrate import notebook
from rnnmigrate.diffs import cell_diffs, diff_path, unified  # noqa: F401 - diff_path is part of this module's API
from rnnmigrate.findings import UNSCANNABLE, FileError, Finding, unscannable
from rnnmigrate.rewriter import TODO_PREFIX, Rewriter, dropped_comments, todo_comment  # noqa: F401 - part of this module's API
from rnnmigrate.rules import RULES_BY_CODE
from rnnmigrate.runtime_imports import RuntimeImports
from rnnmigrate.scan import CodeFilter, scan_source
from rnnmigrate.verdicts import on_line, settle_safety
from rnnmigrate.config import DEFAULT_LINE_LENGTH
from rnnmigrate.source import SourceError, decode, describe_syntax_error, read_bytes
from rnnmigrate.spans import LineIndex



@dataclass
class RewriteOutcome:
    """What rewriting one module's text gave."""

    text: str
    rewritten: list[Finding] = field(default_factory=list)
    left: list[Finding] = field(default_factory=list)
    held: list[Finding] = field(default_factory=list)  # unsafe fixes not applied (no --unsafe-fixes)
    notes: list[str] = field(default_factory=list)
    # (site, note) pairs behind ``notes``, for callers that locate sites their own way (notebooks).
    site_notes: list[tuple[Finding, str]] = field(default_factory=list)


@dataclass
class FileRewrite:
    """A planned rewrite of one file: its old and new bytes, and what was done to it."""

    path: str
    old: bytes = b""
    new: bytes | None = None
    old_text: str = ""
    new_text: str = ""
    rewritten: list[Finding] = field(default_factory=list)
    left: list[Finding] = field(default_factory=list)
    held: list[Finding] = field(default_factory=list)  # unsafe fixes not applied (no --unsafe-fixes)
    notes: list[tuple[Finding, str]] = field(default_factory=list)  # (site, note), sites located as scan does
    error: FileError | None = None

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old

    def diff(self) -> str:
        """A unified diff ``git apply`` takes; for a notebook, one per changed code cell (to read)."""
        if self.path.endswith(".ipynb"):
            return "".join(cell_diffs(self.path, self.old, self.new or self.old))
        return unified(self.old_text, self.new_text, diff_path(self.path))


def rewrite_source(
    text: str,
    path: str = "<string>",
    codes: CodeFilter = CodeFilter(),
    annotate: bool = False,
    line_length: int = DEFAULT_LINE_LENGTH,
    where: Callable[[int], str] = on_line,
    decided: list[Finding] | None = None,
    unsafe_fixes: bool = False,
) -> RewriteOutcome:
    """Rewrite every ``auto`` finding with a safe fix (and unsafe ones with ``unsafe_fixes``); with
    ``annotate``, mark the manual ones.

    ``where`` words a line of ``text`` in reasons (a notebook's names the cell). ``decided``
    are the module's findings as a scan of the whole run decided them (files that link to
    each other); without them the module is scanned on its own.
    """
    if decided is None:
        decided = _findings(text, path, codes, where, line_length)
    findings = [
        finding if finding.verdict == "manual" or _rewritable(finding) else replace(finding, verdict="manual", reason=NO_REWRITE)
        for finding in decided
    ]  # an auto site no rule can rewrite is listed, never silently skipped
    left = [finding for finding in findings if finding.verdict == "manual"]
    parsed: cst.Module | None = None
    while True:
        applied = [finding for finding in findings if _rewritable(finding) and (unsafe_fixes or finding.safety == "safe")]
        held = [finding for finding in findings if _rewritable(finding) and not (unsafe_fixes or finding.safety == "safe")]
        outcome = RewriteOutcome(text, left=left, held=held)
        if not applied and not (annotate and left):
            return outcome
        parsed = parsed or _parse(text, findings)
        transformer, code = _transform(text, parsed, applied, left if annotate else [], line_length, findings)
        # A comment lost where the scan foresaw none (it can only be the layout): unsafe after all.
        surprises = {span: dropped_comments(lost) for span, lost in transformer.lost.items()}
        surprises = {span: text for span, text in surprises.items() if span in _safe_spans(applied)}
        if unsafe_fixes or not surprises:
            break
        findings = settle_safety(findings, where, surprises)
    outcome.text = code
    outcome.rewritten = transformer.done
    outcome.site_notes = transformer.notes
    outcome.notes = [f"line {finding.line}: {note}" for finding, note in transformer.notes]
    return outcome


def _safe_spans(findings: list[Finding]) -> set[tuple[int, int]]:
    return {(finding.offset, finding.end_offset) for finding in findings if finding.safety == "safe"}


def _transform(
    text: str, parsed: cst.Module, applied: list[Finding], annotate: list[Finding], line_length: int,
    findings: list[Finding],
) -> tuple[Rewriter, str]:
    """Carry the fixes out on libcst's tree; the transformer (what it did) and the new code."""
    wrapper = MetadataWrapper(parsed, unsafe_skip_copy=True)  # the tree is immutable: no need to copy it
    lines = LineIndex(text)
    imports = RuntimeImports(ast.parse(text), applied, lines)
    transformer = Rewriter(applied, annotate, imports, lines, line_length)
    try:
        module = wrapper.visit(transformer)
    except RecursionError:
        raise RewriteError("libcst cannot handle this file (too deeply nested); file left unchanged", findings=findings) from None
    if transformer.pending:
        raise _not_placed(next(iter(transformer.pending.values())), findings)
    try:
        _, code = imports.finish(module)  # parses the new code to count the names it uses
    except SyntaxError as error:  # the rewrite broke the code, not the input: say so
        raise _does_not_parse(error, getattr(error, "module_code", "")) from None
    return transformer, code


NO_REWRITE = "its rule has no automatic rewrite"


def _findings(
    text: str, path: str, codes: CodeFilter, where: Callable[[int], str] = on_line, line_length: int = DEFAULT_LINE_LENGTH
) -> list[Finding]:
    """The scan's findings for this run (one decision for scan and rewrite: ``verdicts.decide``);
    the informational RNN2xx findings are the scan's alone."""
    return scan_source(text, path, codes, where, blockers=False, line_length=line_length)




def _rewritable(finding: Finding) -> bool:
    return finding.verdict == "auto" and RULES_BY_CODE[finding.code].rewrite is not None


class RewriteError(Exception):
    """The rewrite of a file failed, not its input: the file is left unchanged, its findings are kept."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.findings = findings or []


def _parse(text: str, findings: list[Finding]) -> cst.Module:
    """libcst's tree; a file ast parses but libcst cannot (``(flag): bool = True``) is a RewriteError."""
    try:
        module = cst.parse_module(text)
        code = module.code
    except cst.ParserSyntaxError as error:
        where = _LIBCST_AT.search(error.message)
        line, column = (int(where.group(1)), int(where.group(2)) + 1) if where else (error.raw_line, error.raw_column + 1)
        message = _LIBCST_AT.sub("", error.message).removeprefix("parser error: ").strip()
        raise RewriteError(f"libcst cannot parse this file ({message}); file left unchanged", line, column, findings) from None
    except RecursionError:
        raise RewriteError("libcst cannot parse this file (too deeply nested); file left unchanged", None, None, findings) from None
    if code != text:  # libcst 1.9 writes `except X :` back as `except X:`: never rewrite what it would change
        same = len(os.path.commonprefix([text, code]))
        line = text.count("\n", 0, same) + 1
        raise RewriteError(
            "libcst cannot reproduce this file byte for byte (a libcst bug), so a rewrite would change "
            "code outside the sites; file left unchanged",
            line,
            None,
            findings,
        )
    return module


_LIBCST_AT = re.compile(r"error at (\d+):(\d+): ")


def _not_placed(finding: Finding, findings: list[Finding]) -> RewriteError:
    return RewriteError(
        f"{finding.code} {finding.api} was found by the scan but its call could not be located for the "
        "rewrite; file left unchanged",
        finding.line,
        finding.column,
        findings,
    )


# -- files ----------------------------------------------------------------------------


def plan_file(
    path: str,
    codes: CodeFilter = CodeFilter(),
    annotate: bool = False,
    data: bytes | None = None,
    line_length: int = DEFAULT_LINE_LENGTH,
    decided: list[Finding] | None = None,
    unsafe_fixes: bool = False,
) -> FileRewrite:
    """Read, rewrite and re-check one file in memory. Never raises for bad input.

    ``decided``: the file's findings as the run's scan decided them (see ``rewrite_source``).
    """
    plan = FileRewrite(path)
    try:
        if data is None:
            data = read_bytes(path)
        plan.old = data
        if path.endswith(".ipynb"):
            _plan_notebook(plan, codes, annotate, line_length, unsafe_fixes)
        else:
            _plan_python(plan, codes, annotate, line_length, decided, unsafe_fixes)
    except OSError as error:
        plan.error = unscannable(path, f"cannot read: {error.strerror or error}")
    except SourceError as error:
        plan.error = unscannable(path, str(error), error.line)
    except _NotebookSyntaxError as error:
        plan.error = unscannable(path, error.message, error.line, error.column, error.cell)
    except SyntaxError as error:
        plan.error = unscannable(path, describe_syntax_error(error, plan.old_text), error.lineno, error.offset)
    except RewriteError as error:
        _failed(plan, error)
    except RecursionError:
        plan.error = unscannable(path, "too deeply nested to parse")
    except Exception as error:  # a bug in a rule's rewrite must not stop the other files
        plan.error = FileError(path, f"internal error while rewriting ({type(error).__name__}: {error}); file left unchanged")
        plan.new = None
    if plan.error is not None and plan.error.code == UNSCANNABLE and not codes.reports(UNSCANNABLE):
        plan.error = None
    return plan


def _plan_python(plan: FileRewrite, codes: CodeFilter, annotate: bool, line_length: int,
                 decided: list[Finding] | None = None, unsafe_fixes: bool = False) -> None:
    source = decode(plan.old)
    plan.old_text = source.text
    outcome = rewrite_source(source.text, plan.path, codes, annotate, line_length, decided=decided,
                             unsafe_fixes=unsafe_fixes)
    _record(plan, outcome)
    if outcome.text != source.text:
        _check_parses(plan, outcome.text)
        plan.new = source.encode(outcome.text)


def _plan_notebook(plan: FileRewrite, codes: CodeFilter, annotate: bool, line_length: int, unsafe_fixes: bool) -> None:
    document = notebook.load(plan.old)
    plan.old_text = document.text
    try:
        outcome = rewrite_source(document.text, plan.path, codes, annotate, line_length, document.where,
                                 unsafe_fixes=unsafe_fixes)
    except SyntaxError as error:
        cell, line = document.locate(error.lineno or 0)
        error.lineno = line
        source = document.document["cells"][cell - 1].get("source", "") if cell else ""
        source = "".join(source) if isinstance(source, list) else source
        raise _NotebookSyntaxError(describe_syntax_error(error, source), line, error.offset, cell) from None
    except RewriteError as error:
        cell, line = document.locate(error.line or 0)
        error.line, error.findings = line, [_in_cell(document, finding) for finding in error.findings]
        raise _NotebookRewriteError(error, cell) from None
    _record(plan, outcome)
    # Say where sites are as the scan does: the cell, and the line within it.
    plan.rewritten = [_in_cell(document, finding) for finding in outcome.rewritten]
    plan.left = [_in_cell(document, finding) for finding in outcome.left]
    plan.held = [_in_cell(document, finding) for finding in outcome.held]
    plan.notes = [(_in_cell(document, finding), note) for finding, note in outcome.site_notes]
    if outcome.text != document.text:
        _check_parses(plan, outcome.text)
        plan.new = notebook.dump(document, outcome.text, plan.old)
        plan.old_text = plan.old.decode("utf-8")
        plan.new_text = plan.new.decode("utf-8")


def _in_cell(document: notebook.NotebookSource, finding: Finding) -> Finding:
    cell, line = document.locate(finding.line)
    _, end_line = document.locate(finding.end_line)
    return replace(finding, line=line, end_line=end_line, notebook_cell=cell)


def _record(plan: FileRewrite, outcome: RewriteOutcome) -> None:
    plan.new_text = outcome.text
    plan.rewritten = outcome.rewritten
    plan.left = outcome.left
    plan.held = outcome.held
    plan.notes = outcome.site_notes


def _check_parses(plan: FileRewrite, text: str) -> None:
    try:
        ast.parse(text)
    except SyntaxError as error:
        raise _does_not_parse(error, text) from None


def _does_not_parse(error: SyntaxError, text: str) -> RewriteError:
    """Where the new code breaks: a line of the file, or of a notebook's cell (read off its markers)."""
    line = error.lineno or 0
    where = notebook.where_in(text, line) if notebook.CELL_MARKER in text else on_line(line)
    return RewriteError(f"the rewritten code does not parse ({error.msg} {where}); file left unchanged")


class _NotebookSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int | None, cell: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.cell = message, line, column, cell


class _NotebookRewriteError(RewriteError):
    def __init__(self, error: RewriteError, cell: int) -> None:
        super().__init__(str(error), error.line, error.column, error.findings)
        self.cell = cell


def _failed(plan: FileRewrite, error: RewriteError) -> None:
    """The file stays as it is; its auto findings are listed with the manual ones, saying why."""
    cell = getattr(error, "cell", None)
    plan.error = FileError(plan.path, str(error), error.line, error.column, cell)
    plan.new = None
    plan.rewritten = []
    reason = "not rewritten: the rewrite of this file failed (see the error)"
    plan.left = [
        finding if finding.verdict == "manual" else replace(finding, verdict="manual", reason=reason)
        for finding in error.findings
    ]
