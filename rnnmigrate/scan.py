"""The scan pipeline: discover files, skip those that cannot match, parse, match, report findings.

Matching uses the stdlib ``ast`` (about ten times faster to parse than libcst); the rewrite
re-parses only the files that have something to rewrite, with libcst.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, islice
from typing import TYPE_CHECKING

from rnnmigrate.config import DEFAULT_LINE_LENGTH
from rnnmigrate.findings import UNSCANNABLE, CellInfo, FileResult, Finding, unscannable
from rnnmigrate.linking import decide_linked_files, linked_paths
from rnnmigrate.names import ImportTable
from rnnmigrate.rules import RULES_BY_CODE, known_codes, known_name, rule_for
from rnnmigrate.rules.base import Assessment, Rule, Site, display
from rnnmigrate.scan_report import ScanReport  # re-exported: reports and the CLI import it from here
from rnnmigrate.source import SourceError, decode, describe_syntax_error, read_bytes
from rnnmigrate.spans import LineIndex
from rnnmigrate.bindings import walk_with_parents
from rnnmigrate.trace import CellTracer
from rnnmigrate.verdicts import decide, drop_cells_no_tf1_rnn_runs, on_line, settle_keras_cell_defaults, settle_safety, used_as_value

if TYPE_CHECKING:
    from rnnmigrate import notebook
    from rnnmigrate.project import Project

# A finding needs an import of tensorflow or keras, and every target API is spelled with
# "rnn"/"RNN" (dynamic_rnn, rnn_cell, contrib.rnn, cudnn_rnn) or "CuDNN" somewhere in the file.
MIGHT_MATCH = re.compile(rb"rnn|RNN|Rnn|CuDNN|cudnn")


def might_match(data: bytes) -> bool:
    """False when a file cannot hold an RNN finding, decided on its bytes before any parsing."""
    return (b"tensorflow" in data or b"keras" in data) and MIGHT_MATCH.search(data) is not None


def might_block(data: bytes) -> bool:
    """False when a file cannot hold an RNN2xx finding: it never names tensorflow or keras."""
    return b"tensorflow" in data or b"keras" in data


SUPPRESSION = re.compile(r"#\s*rnnmigrate:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")
CHUNK_SIZE = 256
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class CodeFilter:
    """Which rule codes a run reports."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    # False for a file the byte prefilter found no RNN text in: only the blockers are looked for.
    rnn: bool = True

    def wants(self, code: str) -> bool:
        selected = not self.select or any(code.startswith(prefix) for prefix in self.select)
        return selected and not any(code.startswith(prefix) for prefix in self.ignore)

    def wants_blockers(self) -> bool:
        """Whether any informational RNN2xx rule is reported in this run."""
        from rnnmigrate.blockers import BLOCKER_CODES

        return any(self.wants(code) for code in BLOCKER_CODES)

    def reports(self, code: str) -> bool:
        """For diagnostics that are not rules (UNSCANNABLE): shown unless ignored by name or prefix."""
        return not any(code.startswith(prefix) for prefix in self.ignore)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    known = known_codes() | {UNSCANNABLE}
    return [code for code in codes if not any(real.startswith(code) for real in known)]


# -- one file ---------------------------------------------------------------------


def scan_file(path: str, codes: CodeFilter = CodeFilter(), project: Project | None = None,
              line_length: int = DEFAULT_LINE_LENGTH) -> FileResult:
    """Scan one file; never raises for bad input, reports it as the result's error."""
    try:
        data = read_bytes(path)
    except OSError as error:
        return _unscannable(path, codes, f"cannot read: {error.strerror or error}")
    # A file without RNN bytes is parsed only for the blockers (RNN2xx), when they are wanted.
    rnn = might_match(data)
    if not rnn and not (codes.wants_blockers() and might_block(data)):
        return FileResult(path)
    if not rnn:
        codes = replace(codes, rnn=False)
    try:
        if path.endswith(".ipynb"):
            return _scan_notebook(path, data, codes)
        return _scan_text(path, decode(data).text, codes, project, line_length)
    except SourceError as error:
        return _unscannable(path, codes, str(error), error.line)
    except RecursionError:
        return _unscannable(path, codes, "too deeply nested to parse")
    except Exception as error:  # a bug of ours costs one file, not the run (rewrite does the same)
        return _unscannable(path, codes, f"internal error while scanning ({type(error).__name__}: {error}); please report it")


def _unscannable(path: str, codes: CodeFilter, message: str, line: int | None = None,
                 column: int | None = None, cell: int | None = None) -> FileResult:
    """A file the scan could not read or parse: an UNSCANNABLE diagnostic unless ``--ignore``d."""
    error = unscannable(path, message, line, column, cell) if codes.reports(UNSCANNABLE) else None
    return FileResult(path, error=error)


def _scan_text(path: str, text: str, codes: CodeFilter, project: Project | None = None,
               line_length: int = DEFAULT_LINE_LENGTH) -> FileResult:
    try:
        undecided = match_source(text, path, codes, project, line_length=line_length)
    except SyntaxError as error:
        return _unscannable(path, codes, describe_syntax_error(error, text), error.lineno, error.offset)
    linked = project is not None and bool(linked_paths(undecided[0]))
    decided = settle_safety(decide(*undecided))
    return FileResult(path, decided, parsed=True, undecided=undecided if linked else None)


def _scan_notebook(path: str, data: bytes, codes: CodeFilter) -> FileResult:
    from rnnmigrate import notebook

    document = notebook.load(data)
    try:
        findings = scan_source(document.text, path, codes, document.where)
    except SyntaxError as error:
        cell, line = document.locate(error.lineno or 0)
        error.lineno = line
        message = describe_syntax_error(error, _cell_source(document, cell))
        return _unscannable(path, codes, message, line, error.offset, cell)
    located = []
    for finding in findings:
        cell, line = document.locate(finding.line)
        _, end_line = document.locate(finding.end_line)
        cells = tuple(info.moved(lambda joined: document.locate(joined)[1]) for info in finding.cells)
        located.append(replace(finding, line=line, end_line=end_line, notebook_cell=cell, cells=cells))
    return FileResult(path, located, parsed=True)


def _cell_source(document: notebook.NotebookSource, cell: int) -> str:
    cells = document.document["cells"]
    source = cells[cell - 1].get("source", "") if 0 < cell <= len(cells) else ""
    return "".join(source) if isinstance(source, list) else source


# -- one module's text ----------------------------------------------------------------


def scan_source(
    text: str,
    path: str = "<string>",
    codes: CodeFilter = CodeFilter(),
    where: Callable[[int], str] = on_line,
    project: Project | None = None,
    blockers: bool = True,
    line_length: int = DEFAULT_LINE_LENGTH,
) -> list[Finding]:
    """Findings in one module's source text. Raises SyntaxError for code that does not parse.

    ``where`` words a line of ``text`` in reasons that point at another site. ``blockers``:
    also the informational RNN2xx findings (the rewrite leaves them out). ``line_length`` is
    the rewrite's, which decides how a rewritten call is laid out (and so which comments it keeps).
    """
    return settle_safety(decide(*match_source(text, path, codes, project, blockers, line_length), where), where)


def match_source(
    text: str,
    path: str = "<string>",
    codes: CodeFilter = CodeFilter(),
    project: Project | None = None,
    blockers: bool = True,
    line_length: int = DEFAULT_LINE_LENGTH,
) -> tuple[list[Finding], list[bool]]:
    """Every finding of a module before verdicts spread, and whether this run wants each one.

    A finding is unwanted when --select/--ignore or a suppression comment leaves it out. A site
    whose rewrite would drop a comment carries that as its fix's assumption.
    """
    tree = ast.parse(text, filename=path)
    nodes, parents = walk_with_parents(tree)
    if project is not None:
        imports = project.import_table(tree, nodes, parents, path)
    else:
        imports = ImportTable(tree, nodes, parents, exports=known_name)
    if not imports.bindings and not imports.has_star:
        return [], []
    lines = LineIndex(text)
    findings: list[Finding] = []
    if codes.rnn:
        matched = _Matcher(tree, nodes, parents, imports, path, lines, project).run()
        findings = settle_keras_cell_defaults(drop_cells_no_tf1_rnn_runs(matched))
        assumptions = _comment_assumptions(text, findings, line_length)
        findings = [
            replace(finding, assumption=finding.assumption or assumptions.get((finding.offset, finding.end_offset)))
            for finding in findings
        ]
    if blockers and codes.wants_blockers():
        from rnnmigrate.blockers import find_blockers

        findings = sorted(
            findings + find_blockers(nodes, parents, imports, path, lines),
            key=lambda finding: (finding.line, finding.column, finding.code),
        )
    return findings, [codes.wants(finding.code) and not _suppressed(finding, lines) for finding in findings]


class _Matcher:
    """Walk a module once and assess every site whose name resolves to a rule's API."""

    def __init__(
        self,
        tree: ast.Module,
        nodes: list[ast.AST],
        parents: dict[int, ast.AST],
        imports: ImportTable,
        path: str,
        lines: LineIndex,
        project: Project | None = None,
    ) -> None:
        self.project = project
        self.tree = tree
        self.nodes = nodes
        self.parents = parents
        self.imports = imports
        self.path = path
        self.lines = lines
        self._tracer: CellTracer | None = None

    @property
    def tracer(self) -> CellTracer:
        if self._tracer is None:
            self._tracer = CellTracer(self.tree, self.imports, self.nodes, self.parents, self.project, self.path)
        return self._tracer

    def run(self) -> list[Finding]:
        inner: set[int] = set()
        references: list[ast.Name | ast.Attribute] = []
        findings: list[Finding] = []
        might_bind = self.imports.might_bind
        for node in self.nodes:
            if isinstance(node, ast.Attribute):
                inner.add(id(node.value))
                references.append(node)
            elif isinstance(node, ast.Name):
                if might_bind(node.id):
                    references.append(node)
            elif isinstance(node, ast.Call):
                inner.add(id(node.func))
                findings.extend(self._call(node))
            elif isinstance(node, ast.ClassDef):
                inner.update(id(base) for base in node.bases)
                findings.extend(self._class(node))
        for node in references:
            if id(node) not in inner:
                findings.extend(self._reference(node))
        return sorted(findings, key=lambda finding: (finding.line, finding.column, finding.code))

    def _call(self, call: ast.Call) -> Iterator[Finding]:
        qualified = self.imports.resolve(call.func)
        rule = rule_for(qualified) if qualified else None
        if rule is None or rule.kind == "class":
            return
        assessment = rule.assess(Site(call, qualified, call, self.tracer))  # type: ignore[arg-type]
        yield self._finding(call, rule, qualified, assessment)  # type: ignore[arg-type]

    def _class(self, node: ast.ClassDef) -> Iterator[Finding]:
        for base in node.bases:
            qualified = self.imports.resolve(base)
            rule = rule_for(qualified) if qualified else None
            if rule is not None and rule.kind in ("cell", "class"):
                custom = RULES_BY_CODE["RNN106"]
                assessment = custom.assess(Site(node, qualified, None, self.tracer))  # type: ignore[arg-type]
                # At the base class: the fix renames it, and the class's cell is described there.
                yield self._finding(base, custom, qualified, assessment)  # type: ignore[arg-type]
                return

    def _reference(self, node: ast.Name | ast.Attribute) -> Iterator[Finding]:
        if not isinstance(node.ctx, ast.Load):
            return
        qualified = self.imports.resolve(node)
        rule = rule_for(qualified) if qualified else None
        if rule is None:
            return
        if rule.kind == "class":
            assessment = rule.assess(Site(node, qualified, None, self.tracer))  # type: ignore[arg-type]
        elif rule.kind == "value":
            assessment = Assessment("auto", None)
        elif rule.renames_as_value:  # auto while a traced call constructs it (verdicts.refine_cell_verdicts)
            cell = CellInfo(kind=qualified.rsplit(".", 1)[-1], api=display(qualified), line=node.lineno, column=node.col_offset)  # type: ignore[arg-type]
            assessment = Assessment("auto", None, cells=(cell,))
        else:
            assessment = Assessment("manual", used_as_value(qualified))  # type: ignore[arg-type]
        finding = self._finding(node, rule, qualified, assessment)  # type: ignore[arg-type]
        yield replace(finding, used_as_value=True) if rule.kind == "cell" else finding

    def _finding(self, node: ast.AST, rule: Rule, qualified: str, assessment) -> Finding:
        end_line = node.end_lineno or node.lineno
        start = self.lines.offset(node.lineno, node.col_offset)
        end = self.lines.offset(end_line, node.end_col_offset or 0)
        return Finding(
            path=self.path,
            line=node.lineno,
            column=self.lines.column(start),
            end_line=end_line,
            end_column=self.lines.column(end),
            code=rule.code,
            rule=rule.name,
            api=display(qualified),
            verdict=assessment.verdict,
            reason=assessment.reason,
            arguments=assessment.arguments,
            cells=assessment.cells,
            differences=assessment.differences,
            offset=start,
            end_offset=end,
            spelling=_spelling(node),
            assumption=assessment.assumption,
        )


def _comment_assumptions(text: str, findings: list[Finding], line_length: int) -> dict[tuple[int, int], str]:
    """The sites whose rewrite would drop a comment; libcst is loaded only for calls holding one."""
    auto = [finding for finding in findings if finding.verdict == "auto" and RULES_BY_CODE[finding.code].rewrite]
    if not any("#" in text[finding.offset : finding.end_offset] for finding in auto):
        return {}
    from rnnmigrate.rewriter import comment_assumptions

    return comment_assumptions(text, auto, line_length)


def _spelling(node: ast.AST) -> str:
    """The dotted name as written: a call's callee, a class's first TF base, a reference itself."""
    from rnnmigrate.names import dotted_parts

    if isinstance(node, ast.Call):
        node = node.func
    elif isinstance(node, ast.ClassDef):
        node = next((base for base in node.bases if dotted_parts(base)), node)
    parts = dotted_parts(node)
    return ".".join(parts) if parts else ""


def _suppressed(finding: Finding, lines: LineIndex) -> bool:
    match = SUPPRESSION.search(lines.line(finding.line))
    if match is None:
        return False
    if match.group(1) is None:
        return True
    codes = {code.strip() for code in match.group(1).split(",") if code.strip()}
    return finding.code in codes


# -- many files -----------------------------------------------------------------------


def scan_files(
    files: Iterable[str],
    codes: CodeFilter = CodeFilter(),
    jobs: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    project: Project | None = None,
    line_length: int = DEFAULT_LINE_LENGTH,
) -> ScanReport:
    """Scan files on all cores; results come back in the order of ``files``.

    ``files`` may be a lazy walk: chunks go to the workers as they are found. With a
    ``project``, cells are traced into its other modules and linked files decided together.
    """
    report = ScanReport()
    jobs = jobs or default_jobs()
    chunks = _chunks(files)
    first = next(chunks, [])
    worker = partial(_scan_chunk, codes=codes, project=project, line_length=line_length)
    if jobs == 1 or len(first) < PARALLEL_THRESHOLD:
        _collect(((chunk, worker(chunk)) for chunk in chain([first], chunks)), report, on_progress)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs, mp_context=_fork_context()) as pool:
            submitted = [(chunk, pool.submit(worker, chunk)) for chunk in chain([first], chunks)]
            _collect(((chunk, future.result()) for chunk, future in submitted), report, on_progress)
    if report.undecided and project is not None:
        decide_linked_files(report, codes, project, line_length)
    return report


def _chunks(files: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(files)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield chunk


def _collect(done: Iterable[tuple[list[str], tuple[list[FileResult], int]]], report: ScanReport, on_progress) -> None:
    for chunk, (results, parsed) in done:
        report.files_discovered += len(chunk)
        report.files_parsed += parsed
        for result in results:
            report.findings.extend(result.findings)
            if result.undecided is not None:
                report.undecided[result.path] = result.undecided
            if result.error is not None:
                report.errors.append(result.error)
        if on_progress is not None:
            on_progress(len(chunk))


def _scan_chunk(paths: list[str], codes: CodeFilter, project: Project | None = None,
                line_length: int = DEFAULT_LINE_LENGTH) -> tuple[list[FileResult], int]:
    """Scan a chunk in a worker; only results with something to say travel back."""
    results = [scan_file(path, codes, project, line_length) for path in paths]
    parsed = sum(result.parsed for result in results)
    return [result for result in results if result.findings or result.error or result.undecided], parsed


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _fork_context():
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
