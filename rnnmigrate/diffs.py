"""The diffs a rewrite shows: unified diffs ``git apply`` takes, and per code cell for notebooks."""

from __future__ import annotations

import difflib
import os

from rnnmigrate import notebook
from rnnmigrate.spans import split_lines


def unified(old: str, new: str, name: str) -> str:
    old_lines, new_lines = split_lines(old), split_lines(new)
    for lines in (old_lines, new_lines):  # a last line without its newline still ends its diff line
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += "\n\\ No newline at end of file\n"
    return "".join(difflib.unified_diff(old_lines, new_lines, fromfile=f"a/{name}", tofile=f"b/{name}"))


def cell_diffs(path: str, old: bytes, new: bytes) -> list[str]:
    import json

    old_cells = json.loads(old).get("cells", [])
    new_cells = json.loads(new).get("cells", [])
    diffs = []
    for number, (before, after) in enumerate(zip(old_cells, new_cells), start=1):
        if before.get("cell_type") != "code":
            continue
        old_source, new_source = notebook.cell_source(before), notebook.cell_source(after)
        if old_source != new_source:
            diffs.append(unified(old_source, new_source, f"{diff_path(path)}:cell {number}"))
    return diffs


def diff_path(path: str) -> str:
    """The path as ``git apply`` run from the working directory wants it: no ``./``, relative when inside."""
    normal = os.path.normpath(path)
    if os.path.isabs(normal):
        relative = os.path.relpath(normal)
        if not relative.startswith(".."):
            normal = relative
    return normal.replace(os.sep, "/")
