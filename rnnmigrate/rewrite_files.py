"""Rewriting a run of files: one scan of the whole run decides, then each file is planned and written.

A cell built in one file and run in another migrates in both or in neither, so files that link
to each other are written all or nothing, and no call is written whose cell stays TF1.
"""

from __future__ import annotations

from dataclasses import replace

from rnnmigrate.findings import UNSCANNABLE, FileError, Finding, unscannable
from rnnmigrate.project import Project
from rnnmigrate.rewrite import FileRewrite, RewriteError, _failed, plan_file
from rnnmigrate.scan import CodeFilter, might_match
from rnnmigrate.config import DEFAULT_LINE_LENGTH
from rnnmigrate.source import read_bytes


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
    files: list[str],
    codes: CodeFilter = CodeFilter(),
    annotate: bool = False,
    jobs: int | None = None,
    line_length: int = DEFAULT_LINE_LENGTH,
    project: Project | None = None,
    unsafe_fixes: bool = False,
) -> list[FileRewrite]:
    """Plan the rewrite of many files on all cores; only files with something to say come back.

    With a ``project``, a scan of the whole run decides first, so that a cell built in one file
    and run in another migrates in both or in neither; linked files are written all or nothing.
    """
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from rnnmigrate.scan import CHUNK_SIZE, PARALLEL_THRESHOLD, _fork_context, default_jobs, scan_files

    files = list(files)
    decided, groups = None, []
    if project is not None:  # files the scan found nothing in (or could not read) plan on their own
        rnn_only = replace(codes, ignore=codes.ignore | {"RNN2"})  # informational findings are the scan's alone
        report = scan_files(files, rnn_only, jobs, project=project, line_length=line_length)
        decided, groups = _by_path(report.findings), report.linked_groups
    worker = partial(_plan_chunk, codes=codes, annotate=annotate, line_length=line_length, decided=decided,
                     unsafe_fixes=unsafe_fixes)
    chunks = [files[start : start + CHUNK_SIZE] for start in range(0, len(files), CHUNK_SIZE)]
    jobs = jobs or default_jobs()
    if jobs == 1 or len(files) < PARALLEL_THRESHOLD:
        plans = [plan for chunk in chunks for plan in worker(chunk)]
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_fork_context()) as pool:
            plans = [plan for batch in pool.map(worker, chunks) for plan in batch]
    return _all_or_nothing(plans, groups)


def _by_path(findings: list[Finding]) -> dict[str, list[Finding]]:
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    return by_path


def _all_or_nothing(plans: list[FileRewrite], groups: list[set[str]]) -> list[FileRewrite]:
    """A linked group whose member failed is not written at all: its sites stay TF1, saying why."""
    _roll_back_broken_groups(plans, groups)
    if _check_links(plans):
        _roll_back_broken_groups(plans, groups)
    return plans


def _roll_back_broken_groups(plans: list[FileRewrite], groups: list[set[str]]) -> None:
    failed = {plan.path for plan in plans if plan.error is not None}
    for group in groups:
        broken = sorted(group & failed)
        if not broken:
            continue
        reason = f"not rewritten: its cells and calls link to {broken[0]}, whose rewrite failed (see the error)"
        for plan in plans:
            if plan.path in group and plan.path not in failed:
                plan.new = None
                plan.left = [replace(finding, verdict="manual", reason=reason) if finding.verdict == "auto" else finding
                             for finding in [*plan.rewritten, *plan.left]]
                plan.rewritten, plan.notes, plan.held = [], [], []


def _check_links(plans: list[FileRewrite]) -> bool:
    """Never write a call whose cell, built in another file, stays TF1 (the verdicts promise it).

    True when a file failed here (its group is then rolled back too)."""
    from rnnmigrate.linking import linked_paths
    from rnnmigrate.verdicts import builds_cells, cell_position

    rewritten_cells = {cell_position(finding) for plan in plans for finding in plan.rewritten if builds_cells(finding)}
    failed = False
    for plan in plans:
        for finding in plan.rewritten:
            if not linked_paths([finding]):
                continue
            missing = [
                position for cell in finding.cells for position in cell.positions(finding.path)
                if position[0] != finding.path and position not in rewritten_cells
            ]
            if missing:
                where, line, _ = missing[0]
                message = (f"{finding.api} on line {finding.line} runs the cell on line {line} of {where}, "
                           "which this run does not rewrite; file left unchanged")
                _failed(plan, RewriteError(message, findings=[*plan.rewritten, *plan.left]))
                failed = True
                break
    return failed


def _plan_chunk(paths: list[str], codes: CodeFilter, annotate: bool, line_length: int,
                decided: dict[str, list[Finding]] | None = None, unsafe_fixes: bool = False) -> list[FileRewrite]:
    plans = []
    for path in paths:
        plan = _plan_if_relevant(path, codes, annotate, line_length, decided, unsafe_fixes)
        if plan is not None and (plan.changed or plan.left or plan.held or plan.error):
            plans.append(plan)
    return plans


def _plan_if_relevant(path: str, codes: CodeFilter, annotate: bool, line_length: int,
                      decided: dict[str, list[Finding]] | None = None, unsafe_fixes: bool = False) -> FileRewrite | None:
    try:
        data = read_bytes(path)
    except OSError as error:
        error_ = unscannable(path, f"cannot read: {error.strerror or error}")
        return FileRewrite(path, error=error_ if codes.reports(UNSCANNABLE) else None)
    if not might_match(data):
        return None
    mine = decided.get(path) if decided is not None and not path.endswith(".ipynb") else None
    return plan_file(path, codes, annotate, data, line_length, mine, unsafe_fixes)
