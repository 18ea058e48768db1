"""The rewrite pipeline: scan a module, rewrite its ``auto`` sites with libcst, check, write.

The scan decides what is rewritten (one definition of a finding); libcst only carries the
edits out, so everything outside the rewritten calls keeps its bytes.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

from rnnmigrate import notebook
from rnnmigrate.findings import FileError, Finding
from rnnmigrate.rules import RULES_BY_CODE
from rnnmigrate.rules.base import RewriteContext
from rnnmigrate.runtime_imports import RuntimeImports
from rnnmigrate.scan import SUPPRESSION, CodeFilter, _refine_cell_verdicts, _suppressed, might_match, scan_source
from rnnmigrate.source import SourceError, decode, describe_syntax_error, read_bytes
from rnnmigrate.spans import LineIndex, split_lines

TODO_PREFIX = "# TODO(rnnmigrate): "

Span = tuple[int, int]


@dataclass
class RewriteOutcome:
    """What rewriting one module's text gave."""

    text: str
    rewritten: list[Finding] = field(default_factory=list)
    left: list[Finding] = field(default_factory=list)
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
    notes: list[str] = field(default_factory=list)
    error: FileError | None = None

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                split_lines(self.old_text),
                split_lines(self.new_text),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


def rewrite_source(
    text: str, path: str = "<string>", codes: CodeFilter = CodeFilter(), annotate: bool = False
) -> RewriteOutcome:
    """Rewrite every ``auto`` finding in a module; with ``annotate``, mark the manual ones."""
    findings = _findings(text, path, codes)
    auto = [finding for finding in findings if _rewritable(finding)]
    left = [finding for finding in findings if finding.verdict == "manual"]
    outcome = RewriteOutcome(text, left=left)
    if not auto and not (annotate and left):
        return outcome
    parsed = cst.parse_module(text)
    wrapper = MetadataWrapper(parsed, unsafe_skip_copy=True)  # a fresh tree: no need to copy it
    lines = LineIndex(text)
    imports = RuntimeImports(ast.parse(text), auto, lines)
    transformer = _Rewriter(auto, left if annotate else [], imports, lines, parsed.encoding)
    module = wrapper.visit(transformer)
    if transformer.pending:
        raise SourceError(_not_placed(next(iter(transformer.pending.values()))))
    try:
        module = imports.finish(module)  # parses the new code to count the names it uses
    except SyntaxError as error:  # the rewrite broke the code, not the input: say so
        raise SourceError(_does_not_parse(error)) from None
    outcome.text = module.code
    outcome.rewritten = transformer.done
    outcome.site_notes = transformer.notes
    outcome.notes = [f"line {finding.line}: {note}" for finding, note in transformer.notes]
    return outcome


LEFT_OUT = "left out of this run by --select/--ignore or a `# rnnmigrate: ignore` comment"


def _findings(text: str, path: str, codes: CodeFilter) -> list[Finding]:
    """The scan's findings for this run, with an RNN call and its cells rewritten only together.

    --select/--ignore and suppression comments leave findings out. A cell left out stays TF1,
    so every call that runs it must stay TF1 as well, and the cells of a call left out too:
    the left-out findings count as manual while the verdicts are spread again.
    """
    if codes == CodeFilter() and not SUPPRESSION.search(text):
        return scan_source(text, path, codes)
    everything = scan_source(SUPPRESSION.sub(lambda match: "#" + " " * (len(match.group(0)) - 1), text), path)
    lines = LineIndex(text)
    wanted = [codes.wants(finding.code) and not _suppressed(finding, lines) for finding in everything]
    marked = [
        finding if keep or finding.verdict != "auto" else replace(finding, verdict="manual", reason=LEFT_OUT)
        for finding, keep in zip(everything, wanted)
    ]
    return [finding for finding, keep in zip(_refine_cell_verdicts(marked), wanted) if keep]


def todo_comment(finding: Finding) -> str:
    """``# TODO(rnnmigrate): RNNxxx <reason>``, without the line numbers some reasons give.

    Those numbers would be stale as soon as the comments are added (and a later run would
    see a different comment and add it again); the API named is enough to find the site.
    """
    return f"{TODO_PREFIX}{finding.code} {_LINE_REFERENCE.sub('', finding.reason or '')}"


_LINE_REFERENCE = re.compile(r" on line \d+")


def _rewritable(finding: Finding) -> bool:
    return finding.verdict == "auto" and RULES_BY_CODE[finding.code].rewrite is not None


def _not_placed(finding: Finding) -> str:
    return (
        f"line {finding.line}: {finding.code} {finding.api} was found by the scan but its call "
        "could not be located for the rewrite; file left unchanged"
    )


class _Rewriter(cst.CSTTransformer, RewriteContext):
    """Replace the calls the scan marked ``auto``; put TODO comments above manual ones."""

    METADATA_DEPENDENCIES = (ByteSpanPositionProvider,)

    def __init__(
        self, auto: list[Finding], annotate: list[Finding], imports: RuntimeImports, lines: LineIndex, encoding: str
    ) -> None:
        super().__init__()
        self.lines = lines
        self.encoding = encoding
        # libcst's spans are bytes in the module's encoding: convert each finding once.
        self.pending: dict[Span, Finding] = {
            (lines.encoded(finding.offset, encoding), lines.encoded(finding.end_offset, encoding)): finding
            for finding in auto
        }
        self.todo: dict[int, list[Finding]] = {}
        for finding in annotate:
            self.todo.setdefault(finding.line, []).append(finding)
        self.imports = imports
        self.done: list[Finding] = []
        self.notes: list[tuple[Finding, str]] = []

    def runtime_ref(self, name: str) -> cst.BaseExpression:
        return self.imports.reference(name)

    def _take(self, node: cst.CSTNode) -> Finding | None:
        span = self.get_metadata(ByteSpanPositionProvider, node)
        return self.pending.pop((span.start, span.start + span.length), None)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        finding = self._take(original)
        if finding is None:
            return updated
        self.finding = finding
        self.original_call = original
        result = RULES_BY_CODE[finding.code].rewrite(updated, self)  # type: ignore[misc]
        self.done.append(finding)
        self.notes.extend((finding, note) for note in result.notes)
        return result.node

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
        span = self.get_metadata(ByteSpanPositionProvider, node)
        end = span.start + max(span.length - 1, 0)
        return self.lines.line_of_encoded(span.start, self.encoding), self.lines.line_of_encoded(end, self.encoding)


# -- files ----------------------------------------------------------------------------


def plan_file(
    path: str, codes: CodeFilter = CodeFilter(), annotate: bool = False, data: bytes | None = None
) -> FileRewrite:
    """Read, rewrite and re-check one file in memory. Never raises for bad input."""
    plan = FileRewrite(path)
    try:
        if data is None:
            data = read_bytes(path)
        plan.old = data
        if path.endswith(".ipynb"):
            _plan_notebook(plan, codes, annotate)
        else:
            _plan_python(plan, codes, annotate)
    except OSError as error:
        plan.error = FileError(path, f"cannot read: {error.strerror or error}")
    except SourceError as error:
        plan.error = FileError(path, str(error))
    except SyntaxError as error:
        plan.error = FileError(path, describe_syntax_error(error, plan.old_text))
    except RecursionError:
        plan.error = FileError(path, "too deeply nested to parse")
    except Exception as error:  # a bug in a rule's rewrite must not stop the other files
        plan.error = FileError(path, f"internal error while rewriting ({type(error).__name__}: {error}); file left unchanged")
        plan.new = None
    return plan


def _plan_python(plan: FileRewrite, codes: CodeFilter, annotate: bool) -> None:
    source = decode(plan.old)
    plan.old_text = source.text
    outcome = rewrite_source(source.text, plan.path, codes, annotate)
    _record(plan, outcome)
    if outcome.text != source.text:
        _check_parses(plan, outcome.text)
        plan.new = source.encode(outcome.text)


def _plan_notebook(plan: FileRewrite, codes: CodeFilter, annotate: bool) -> None:
    document = notebook.load(plan.old)
    plan.old_text = document.text
    try:
        outcome = rewrite_source(document.text, plan.path, codes, annotate)
    except SyntaxError as error:
        cell, line = document.locate(error.lineno or 0)
        error.lineno = line
        source = document.document["cells"][cell - 1].get("source", "") if cell else ""
        source = "".join(source) if isinstance(source, list) else source
        raise SourceError(f"cell {cell}: {describe_syntax_error(error, source)}") from None
    _record(plan, outcome)
    # Say where sites are as the scan does: the cell, and the line within it.
    plan.rewritten = [_in_cell(document, finding) for finding in outcome.rewritten]
    plan.left = [_in_cell(document, finding) for finding in outcome.left]
    plan.notes = [
        "cell {} line {}: {}".format(*document.locate(finding.line), note) for finding, note in outcome.site_notes
    ]
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
    plan.notes = outcome.notes


def _check_parses(plan: FileRewrite, text: str) -> None:
    try:
        ast.parse(text)
    except SyntaxError as error:
        raise SourceError(_does_not_parse(error)) from None


def _does_not_parse(error: SyntaxError) -> str:
    return f"the rewritten code does not parse ({error.msg} on line {error.lineno}); file left unchanged"


def apply(plan: FileRewrite) -> FileError | None:
    """Write a planned rewrite; an error leaves the file as it was."""
    from rnnmigrate.write import WriteError, write_atomically

    if not plan.changed:
        return None
    try:
        write_atomically(plan.path, plan.new)  # type: ignore[arg-type]
    except WriteError as error:
        return FileError(plan.path, str(error))
    return None


def plan_files(
    files: list[str], codes: CodeFilter = CodeFilter(), annotate: bool = False, jobs: int | None = None
) -> list[FileRewrite]:
    """Plan the rewrite of many files on all cores; only files with something to say come back."""
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from rnnmigrate.scan import CHUNK_SIZE, PARALLEL_THRESHOLD, _fork_context, default_jobs

    worker = partial(_plan_chunk, codes=codes, annotate=annotate)
    chunks = [files[start : start + CHUNK_SIZE] for start in range(0, len(files), CHUNK_SIZE)]
    jobs = jobs or default_jobs()
    if jobs == 1 or len(files) < PARALLEL_THRESHOLD:
        return [plan for chunk in chunks for plan in worker(chunk)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_fork_context()) as pool:
        return [plan for batch in pool.map(worker, chunks) for plan in batch]


def _plan_chunk(paths: list[str], codes: CodeFilter, annotate: bool) -> list[FileRewrite]:
    plans = []
    for path in paths:
        plan = _plan_if_relevant(path, codes, annotate)
        if plan is not None and (plan.changed or plan.left or plan.error):
            plans.append(plan)
    return plans


def _plan_if_relevant(path: str, codes: CodeFilter, annotate: bool) -> FileRewrite | None:
    try:
        data = read_bytes(path)
    except OSError as error:
        return FileRewrite(path, error=FileError(path, f"cannot read: {error.strerror or error}"))
    if not might_match(data):
        return None
    return plan_file(path, codes, annotate, data)
