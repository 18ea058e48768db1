"""Files that link to each other: a call in one runs a cell built in another.

Each file is scanned on its own (in parallel); a file whose calls run cells from other files
comes back undecided, and here the files of each linked group are decided together: the
cell in ``helpers.py`` migrates exactly when every call that runs it, in any file, does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace

from typing import TYPE_CHECKING

from rnnmigrate.findings import Finding
from rnnmigrate.verdicts import decide, settle_safety

if TYPE_CHECKING:
    from rnnmigrate.project import Project
    from rnnmigrate.scan import CodeFilter, ScanReport

Undecided = tuple[list[Finding], list[bool]]  # findings before verdicts spread, and which the run wants


def linked_paths(findings: Iterable[Finding]) -> set[str]:
    """The other files whose cells these findings run."""
    return {
        position[0]
        for finding in findings
        for cell in finding.cells
        for position in cell.positions(finding.path)
        if position[0] and position[0] != finding.path
    }


def decide_linked(
    undecided: dict[str, Undecided], match, run_paths: Iterable[str] = ()
) -> tuple[dict[str, list[Finding]], list[set[str]]]:
    """Verdicts for every file of a linked group, and the groups (written all or nothing).

    ``undecided`` holds the files that run cells from elsewhere; ``match(path)`` gives a
    linked file's undecided findings (None when it cannot be read or parsed). A file is
    spelled as the run spells it (``run_paths``), whatever path the trace reached it by.
    """
    spelling = {_key(path): path for path in (*run_paths, *undecided)}
    pending = list(undecided)
    while pending:
        path = pending.pop()
        for other in linked_paths(undecided[path][0]):
            other = spelling.setdefault(_key(other), other)
            if other in undecided:
                continue
            found = match(other)
            if found is not None:
                undecided[other] = found
                pending.append(other)
    for path, (findings, wanted) in list(undecided.items()):
        undecided[path] = ([_respelled(finding, spelling) for finding in findings], wanted)
    groups = _groups(undecided)
    decided: dict[str, list[Finding]] = {}
    for group in groups:
        members = sorted(group)
        findings = [finding for path in members for finding in undecided[path][0]]
        wanted = [keep for path in members for keep in undecided[path][1]]
        for finding in settle_safety(decide(findings, wanted)):
            decided.setdefault(finding.path, []).append(finding)
        for path in members:
            decided.setdefault(path, [])
    return decided, groups


def decide_linked_files(report: ScanReport, codes: CodeFilter, project: Project, line_length: int) -> None:
    """Replace the findings of every linked group in a scan's report by the group's own verdicts."""
    from rnnmigrate.scan import match_source
    from rnnmigrate.source import SourceError, decode, read_bytes

    def match(path: str):
        if not project.in_run(path):
            return None
        try:
            return match_source(decode(read_bytes(path)).text, path, codes, project, line_length=line_length)
        except (OSError, SourceError, SyntaxError, RecursionError):
            return None  # the file's own scan reports it

    run_paths = {finding.path for finding in report.findings} | {error.path for error in report.errors}
    decided, report.linked_groups = decide_linked(report.undecided, match, run_paths)
    findings, placed = [], set()
    for finding in report.findings:  # files keep their place in the report
        if finding.path not in decided:
            findings.append(finding)
        elif finding.path not in placed:
            placed.add(finding.path)
            findings.extend(decided[finding.path])
    report.findings = findings + [finding for path in decided if path not in placed for finding in decided[path]]


def _key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _respelled(finding: Finding, spelling: dict[str, str]) -> Finding:
    """The finding with every cell's file spelled as the run spells it."""
    if not any(cell.path for cell in finding.cells) and not linked_paths([finding]):
        return finding
    return replace(finding, cells=tuple(_respell_cell(cell, spelling) for cell in finding.cells))


def _respell_cell(cell, spelling: dict[str, str]):
    path = spelling.get(_key(cell.path), cell.path) if cell.path else None
    return replace(
        cell,
        path=path,
        children=tuple(_respell_cell(child, spelling) for child in cell.children),
        alternatives=tuple(_respell_cell(other, spelling) for other in cell.alternatives),
    )


def _groups(undecided: dict[str, Undecided]) -> list[set[str]]:
    """Connected files: a call in one runs a cell of the other."""
    parent = {path: path for path in undecided}

    def root(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for path, (findings, _) in undecided.items():
        for other in linked_paths(findings):
            if other in parent:
                parent[root(other)] = root(path)
    groups: dict[str, set[str]] = {}
    for path in undecided:
        groups.setdefault(root(path), set()).add(path)
    return [group for group in groups.values() if len(group) > 1]
