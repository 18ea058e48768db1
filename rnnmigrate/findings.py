"""The data a scan produces: findings on call sites and errors on files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

# "info": an informational finding (RNN2xx), a use that blocks running on TF 2.21 but is no RNN
# site to migrate: never rewritten, and it does not fail the scan's gate.
Verdict = Literal["auto", "manual", "info"]
# How far a fix can be trusted, as ruff has it: "safe" is proved exact and `rewrite --apply` makes
# it; "unsafe" is exact under an assumption the scan cannot prove (stated in the finding's
# ``assumption``, checked at run time where it can be) and needs `--unsafe-fixes`.
Safety = Literal["safe", "unsafe"]


@dataclass(frozen=True)
class CellInfo:
    """An RNN cell traced back to the expression that constructs it."""

    kind: str
    api: str | None = None
    line: int | None = None
    arguments: dict[str, str] = field(default_factory=dict)
    children: tuple[CellInfo, ...] = ()
    column: int | None = None
    repeat: str | None = None
    problem: str | None = None
    differences: tuple[str, ...] = ()
    # Cells this expression may evaluate to on other paths (``a if c else b``, reassignments,
    # helpers with several returns): they run in the same RNN call, so they migrate with it.
    alternatives: tuple[CellInfo, ...] = ()
    path: str | None = None  # the file that builds it, when not the finding's own file
    # What migrating this cell takes for granted (one cell object in every layer of a stack).
    assumption: str | None = None
    # What the trace from the call to this cell took for granted (a parameter left at its default):
    # the call that runs the cell is then an unsafe fix.
    via: str | None = None

    def problems(self) -> list[str]:
        """Every reason, in this cell or below it, that keeps the rewrite from being exact."""
        found = [self.problem] if self.problem else []
        for child in self.children:
            found.extend(child.problems())
        return found

    def trace_assumption(self) -> str | None:
        """The first ``via`` in this cell, the cells inside it, or its alternatives."""
        if self.via:
            return self.via
        return next((found for other in (*self.children, *self.alternatives) if (found := other.trace_assumption())), None)

    def all_differences(self) -> list[str]:
        found = list(self.differences)
        for child in self.children:
            found.extend(tag for tag in child.all_differences() if tag not in found)
        return found

    def all_differences_tuple(self) -> tuple[str, ...]:
        return tuple(self.all_differences())

    def positions(self, path: str | None = None) -> list[tuple[str | None, int, int]]:
        """Where this cell and the cells inside it are constructed: (file, line, column).

        The file is the cell's own, else ``path`` (that of the finding that holds it).
        """
        here = self.path or path
        found = [(here, self.line, self.column)] if self.line is not None and self.column is not None else []
        for child in (*self.children, *self.alternatives):
            found.extend(child.positions(here))
        return found

    def built_in(self, path: str) -> CellInfo:
        """The same cell, marked as built in ``path`` (traced from another file)."""
        return replace(
            self,
            path=self.path or path,
            children=tuple(child.built_in(path) for child in self.children),
            alternatives=tuple(other.built_in(path) for other in self.alternatives),
        )

    def describe(self) -> str:
        inner = ", ".join(child.describe() for child in self.children)
        units = self.arguments.get("num_units")
        text = self.kind
        if units is not None:
            text += f"({units})"
        if inner:
            text += f"[{inner}]"
        if self.repeat:
            text += f" x {self.repeat}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The public fields; ``column`` and ``alternatives`` only link cells to calls inside a scan."""
        return {
            "kind": self.kind,
            "api": self.api,
            "line": self.line,
            "arguments": dict(self.arguments),
            "children": [child.to_dict() for child in self.children],
            "repeat": self.repeat,
            "problem": self.problem,
            "differences": list(self.differences),
            **({"path": self.path} if self.path else {}),
        }

    def moved(self, line_of: Callable[[int], int]) -> CellInfo:
        """The same cell with its lines mapped (a notebook's joined module -> its cell)."""
        return replace(
            self,
            line=line_of(self.line) if self.line is not None else None,
            children=tuple(child.moved(line_of) for child in self.children),
        )


@dataclass(frozen=True)
class Finding:
    """One use of a legacy TF1 RNN API, located and classified."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    api: str
    verdict: Verdict
    reason: str | None = None
    arguments: dict[str, str] = field(default_factory=dict)
    cells: tuple[CellInfo, ...] = ()
    differences: tuple[str, ...] = ()
    notebook_cell: int | None = None
    # Character offsets of the site in the text the scan parsed (a notebook's joined cells):
    # how the rewrite finds the node, whatever the line ends and encodings.
    offset: int = -1
    end_offset: int = -1
    spelling: str = ""  # the API as the source spells it (``rnn.LSTMCell``), beside the resolved ``api``
    safety: Safety | None = None  # of the fix; None when there is none (a manual site)
    # An info finding's need ("tf.compat.v1", "tf-keras", "replacement", "nothing") and replacement.
    needs: str | None = None
    replacement: str | None = None
    assumption: str | None = None  # why the fix is unsafe: what it takes for granted
    used_as_value: bool = False  # a cell class named, not called (``cell_class = tf.nn.rnn_cell.GRUCell``)

    @property
    def fix(self) -> str:
        """``safe``, ``unsafe`` or ``-`` (no fix), for reports."""
        return self.safety if self.verdict == "auto" and self.safety else "-"

    @property
    def location(self) -> str:
        """``path:line:col``; in a notebook ``path:cell N:line:col`` (the line within the cell), as ruff."""
        cell = f":cell {self.notebook_cell}" if self.notebook_cell is not None else ""
        return f"{self.path}{cell}:{self.line}:{self.column}"

    @property
    def message(self) -> str:
        if self.verdict == "manual":
            return f"{self.api}: needs a person: {self.reason}"
        if self.verdict == "info":
            return f"{self.api}: blocks running on TF 2.21: {self.reason}"
        text = f"{self.api}: auto-rewritable"
        if self.safety == "unsafe":
            text += f" with --unsafe-fixes, assuming {self.assumption}"
        if self.differences:
            text += f" (differs: {', '.join(self.differences)})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "notebook_cell": self.notebook_cell,
            "code": self.code,
            "rule": self.rule,
            "api": self.api,
            "spelling": self.spelling,
            "verdict": self.verdict,
            "safety": self.safety if self.verdict == "auto" else None,
            "assumption": self.assumption if self.verdict == "auto" else None,
            "reason": self.reason,
            "arguments": dict(self.arguments),
            "differences": list(self.differences),
            "rnn_cells": [cell.to_dict() for cell in self.cells],
            "needs": self.needs,
            "replacement": self.replacement,
        }


# The diagnostic of a file the scan could not read or parse (as ruff's E999): it fails a CI
# gate like a finding, and ``--ignore RNN999`` drops it.
UNSCANNABLE = "RNN999"


@dataclass(frozen=True)
class FileError:
    """A file that could not be scanned (``code`` is UNSCANNABLE) or rewritten, with a one-line reason."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    notebook_cell: int | None = None
    code: str | None = None

    @property
    def location(self) -> str:
        where = self.path
        if self.notebook_cell is not None:
            where += f":cell {self.notebook_cell}"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return where

    def __str__(self) -> str:
        if self.code is not None:
            return f"{self.location}: {self.code} {self.message}"
        return f"{self.location}: error: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "notebook_cell": self.notebook_cell,
            "code": self.code,
            "message": self.message,
        }


def unscannable(path: str, message: str, line: int | None = None, column: int | None = None,
                cell: int | None = None) -> FileError:
    return FileError(path, message, line, column, cell, UNSCANNABLE)


@dataclass
class FileResult:
    """What scanning one file gave."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    parsed: bool = False
    # For a file whose calls run cells built in other files: its findings before verdicts spread,
    # and which the run wants, so that the linked files are decided together (see linking.py).
    undecided: tuple[list[Finding], list[bool]] | None = None
