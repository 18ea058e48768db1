"""Verdicts that depend on each other: an RNN call and the cells it runs migrate together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rnnmigrate.findings import Finding
from rnnmigrate.rules import RULES_BY_CODE
from rnnmigrate.rules.base import display
from rnnmigrate.rules.keras_cells import EITHER_KERAS, TF1_DEFAULTS, TF1_KERAS

Position = tuple[str | None, int, int]  # (file, line, column) where a cell is constructed


NOT_RUN = (
    "not passed to an RNN call in this file, so its use cannot be checked; migrate it with the code that runs it"
)
LEFT_OUT = "left out of this run by --select/--ignore or a `# rnnmigrate: ignore` comment"


def used_as_value(qualified: str) -> str:
    return f"{display(qualified)} is used as a value, not called; migrate this use by hand"


NOT_RUN_CLASS = (
    "no RNN call in this file runs an instance of it, so its use cannot be checked; migrate it with the code that runs it"
)


def builds_cells(finding: Finding) -> bool:
    """A finding that stands for cells built at its position: a cell constructor, or an RNNCell subclass."""
    return bool(finding.cells) and (RULES_BY_CODE[finding.code].kind == "cell" or finding.code == CUSTOM_CELL_CODE)


CUSTOM_CELL_CODE = "RNN106"


def on_line(line: int) -> str:
    return f"on line {line}"


def _located(source: Finding, reader: Finding, where: Callable[[int], str]) -> str:
    """Where ``source`` is, as the reason on ``reader`` says it: with its file when that is another."""
    if source.path == reader.path:
        return where(source.line)
    return f"in {source.path.removeprefix('./')} {where(source.line)}"


def decide(findings: list[Finding], wanted: list[bool], where: Callable[[int], str] = on_line) -> list[Finding]:
    """The verdicts of one run: what it leaves out stays TF1, then manual spreads, then the left-out go.

    --select/--ignore and suppression comments leave findings out. A cell left out stays TF1,
    so every call that runs it must stay TF1 as well, and the cells of a call left out too.
    Scan and rewrite both decide here, over one file or over files that link to each other.
    """
    marked = [
        finding if keep or finding.verdict != "auto" else replace(finding, verdict="manual", reason=LEFT_OUT)
        for finding, keep in zip(findings, wanted)
    ]
    return [finding for finding, keep in zip(refine_cell_verdicts(marked, where), wanted) if keep]


def refine_cell_verdicts(findings: list[Finding], where: Callable[[int], str] = on_line) -> list[Finding]:
    """A cell is migrated only together with every RNN call that runs it, and a call only with its cells.

    Rewriting a cell whose RNN call stays TF1 (or that this file never passes to one) would
    hand a Keras cell to TF1 code, and rewriting a call whose cell stays TF1 would hand a TF1
    cell to Keras; so manual spreads along "runs" until nothing changes. ``where`` words a line
    of the scanned text in reasons (a notebook's says the cell).
    """
    refined = list(findings)
    consumers: dict[Position, list[int]] = {}
    cell_at: dict[Position, int] = {}
    for index, finding in enumerate(refined):
        kind = RULES_BY_CODE[finding.code].kind
        if kind == "function":
            for cell in finding.cells:
                for position in cell.positions(finding.path):
                    consumers.setdefault(position, []).append(index)
        elif builds_cells(finding):
            cell_at[cell_position(finding)] = index
    for position, index in cell_at.items():
        if refined[index].verdict == "auto" and not consumers.get(position):
            unrun = refined[index]
            reason = NOT_RUN_CLASS if unrun.code == CUSTOM_CELL_CODE else NOT_RUN
            reason = used_as_value(unrun.api) if unrun.used_as_value else reason
            refined[index] = replace(unrun, verdict="manual", reason=reason)
    changed = True
    while changed:
        changed = False
        for position, index in cell_at.items():
            cell = refined[index]
            users = [refined[user] for user in consumers.get(position, [])]
            blocking = [user for user in users if user.verdict == "manual"]
            if cell.verdict == "auto" and blocking:
                first = blocking[0]
                reason = f"runs in {first.api} {_located(first, cell, where)}, which stays manual"
                refined[index] = replace(cell, verdict="manual", reason=reason)
                changed = True
            if cell.verdict == "manual" or blocking:
                for user_index in consumers.get(position, []):
                    user = refined[user_index]
                    if user.verdict == "auto":
                        manual = refined[index]
                        reason = f"its cell {manual.api} {_located(manual, user, where)} stays manual: {manual.reason}"
                        refined[user_index] = replace(user, verdict="manual", reason=reason)
                        changed = True
    return refined


def drop_cells_no_tf1_rnn_runs(findings: list[Finding]) -> list[Finding]:
    """Keras cells are ordinary Keras code unless a TF1 RNN call in the file runs them."""
    run = {
        position
        for finding in findings
        if RULES_BY_CODE[finding.code].kind == "function"
        for cell in finding.cells
        for position in cell.positions(finding.path)
    }
    return [
        finding
        for finding in findings
        if not (RULES_BY_CODE[finding.code].only_when_run_by_tf1 and finding.cells and cell_position(finding) not in run)
    ]


def settle_keras_cell_defaults(findings: list[Finding]) -> list[Finding]:
    """Decide which tf.keras a cell had (its defaults changed in TF 2), or say the file cannot tell.

    An RNN call spelled through ``tf.nn`` or ``tf.contrib`` exists only in TF 1.x, so the cells
    it runs were TF 1.x's classes; ``tf.compat.v1`` spellings existed in both.
    """
    runners: dict[Position, list[Finding]] = {}
    for finding in findings:
        if RULES_BY_CODE[finding.code].kind == "function":
            for cell in finding.cells:
                for position in cell.positions(finding.path):
                    runners.setdefault(position, []).append(finding)
    settled = []
    for finding in findings:
        is_cell = RULES_BY_CODE[finding.code].kind == "cell"
        if is_cell and EITHER_KERAS in finding.differences and finding.verdict == "auto":
            finding = _settle(finding, runners.get(cell_position(finding), []))
        settled.append(finding)
    return settled


def _settle(cell: Finding, runners: list[Finding]) -> Finding:
    others = tuple(tag for tag in cell.differences if tag != EITHER_KERAS)
    if any(runner.api.startswith(("tf.nn.", "tf.contrib.")) for runner in runners):
        return replace(cell, differences=(*others, TF1_KERAS))
    name = cell.api.rsplit(".", 1)[-1]
    options = " and ".join(f"{option}=" for option in TF1_DEFAULTS[name])
    reason = (
        f"{name} defaults to hard_sigmoid gates{' and reset_after=False' if name == 'GRUCell' else ''} "
        f"under TF 1.x but not under TF 2, and this file does not say which it ran on: pass {options} explicitly"
    )
    return replace(cell, verdict="manual", reason=reason)


def cell_position(finding: Finding) -> Position:
    """Where a cell finding's cell is constructed, as the calls that run it record it."""
    cell = finding.cells[0]
    return (cell.path or finding.path, cell.line or 0, cell.column or 0)


def settle_safety(findings: list[Finding], where: Callable[[int], str] = on_line,
                  assumptions: dict[tuple[int, int], str] | None = None) -> list[Finding]:
    """Give every auto finding its fix safety: an RNN call and the cells it runs share one level.

    A fix is unsafe when its own site states an assumption (the rule's, or one of ``assumptions``
    by the site's offsets, such as a comment the rewrite cannot place); the call and cells it
    migrates with are applied together or not at all, so they become unsafe with it and say why.
    """
    assumptions = assumptions or {}
    own = [
        finding.assumption or assumptions.get((finding.offset, finding.end_offset)) if finding.verdict == "auto" else None
        for finding in findings
    ]
    groups = _fix_groups(findings)
    settled = []
    for index, finding in enumerate(findings):
        if finding.verdict != "auto":
            settled.append(replace(finding, safety=None, assumption=None))
            continue
        assumption = own[index]
        if assumption is None:
            cause = next((other for other in groups[index] if own[other]), None)
            if cause is not None:
                source = findings[cause]
                assumption = f"what {source.api} {_located(source, finding, where)} assumes (they migrate together)"
        settled.append(replace(finding, safety="unsafe" if assumption else "safe", assumption=assumption))
    return settled


def _fix_groups(findings: list[Finding]) -> list[list[int]]:
    """Per finding, the auto findings linked to it by "runs" (a call and its cells), transitively."""
    parent = list(range(len(findings)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    cell_at = {
        cell_position(finding): index
        for index, finding in enumerate(findings)
        if builds_cells(finding) and finding.verdict == "auto"
    }
    for index, finding in enumerate(findings):
        if finding.verdict != "auto" or RULES_BY_CODE[finding.code].kind != "function":
            continue
        for cell in finding.cells:
            for position in cell.positions(finding.path):
                if position in cell_at:
                    parent[root(cell_at[position])] = root(index)
    members: dict[int, list[int]] = {}
    for index in range(len(findings)):
        members.setdefault(root(index), []).append(index)
    return [members[root(index)] for index in range(len(findings))]
