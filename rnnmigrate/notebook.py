"""Jupyter notebooks: their code cells as one Python module, and back.

Cells are joined in order so that an import in one cell resolves names in the next.
IPython-only lines (``%magic``, ``!shell``, ``%%cell magics``) are masked with placeholders
that keep the module parseable and are put back unchanged after a rewrite.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from rnnmigrate.source import SourceError
from rnnmigrate.spans import split_lines

CELL_MARKER = "# rnnmigrate-notebook-cell "
# A line magic, shell escape or help line; also `files = !ls` / `t = %timeit -o f()` and
# `obj?` / `obj??`, none of which is valid Python.
_MAGIC_LINE = re.compile(r"^(\s*)([%!]|\?\?|\?|[\w.]+\s*=\s*[%!]|[\w.]+\?\??\s*$)")
_PLACEHOLDER = re.compile(r"^(\s*)(?:pass  )?# rnnmigrate-ipython-(\d+)$")
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun")


@dataclass
class NotebookSource:
    """The code cells of a notebook as one module, with enough to map lines back to cells."""

    document: dict
    text: str
    cell_starts: list[tuple[int, int]] = field(default_factory=list)
    masked_lines: list[str] = field(default_factory=list)

    def where(self, line: int) -> str:
        """A line of the joined module as a person finds it: ``in cell 3, line 2``."""
        return "in cell {}, line {}".format(*self.locate(line))

    def locate(self, line: int) -> tuple[int, int]:
        """(1-based cell number, line within that cell) for a line of the joined module."""
        cell_number, start = 0, 1
        for index, first_line in self.cell_starts:
            if first_line > line:
                break
            cell_number, start = index + 1, first_line
        return cell_number, line - start + 1


def where_in(text: str, line: int) -> str:
    """A line of a joined module (the rewritten one too) as ``in cell 3, line 2``, read off its cell markers."""
    cell, start = 0, 1
    for number, text_line in enumerate(split_lines(text)[:line], start=1):
        if text_line.startswith(CELL_MARKER):
            cell, start = int(text_line[len(CELL_MARKER) :]) + 1, number + 1
    return f"in cell {cell}, line {line - start + 1}"


def load(data: bytes) -> NotebookSource:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"not a valid notebook: {_json_message(error)}") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise SourceError("not a valid notebook: no list of cells")
    notebook = NotebookSource(document, "")
    parts: list[str] = []
    line = 1
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _cell_text(cell, index)
        parts.append(f"{CELL_MARKER}{index}\n")
        line += 1
        notebook.cell_starts.append((index, line))
        masked = _mask_ipython(source, notebook.masked_lines)
        if not masked.endswith("\n"):
            masked += "\n"
        parts.append(masked)
        line += masked.count("\n")
    notebook.text = "".join(parts)
    return notebook


def dump(notebook: NotebookSource, new_text: str, original: bytes) -> bytes:
    """The notebook with its code cells replaced by the cells of ``new_text``; all else untouched."""
    sources = _split_cells(_unmask_ipython(new_text, notebook.masked_lines))
    for index, text in sources.items():
        cell = notebook.document["cells"][index]
        old = cell["source"]
        old_text = "".join(old) if isinstance(old, list) else old
        text = text if old_text.endswith("\n") else text.removesuffix("\n")
        if text != old_text:  # an unchanged cell keeps its source exactly as it was split
            cell["source"] = text.splitlines(keepends=True) if isinstance(old, list) else text
    indent = _detect_indent(original)
    end = "\n" if original.endswith(b"\n") else ""
    return (json.dumps(notebook.document, indent=indent, ensure_ascii=False) + end).encode("utf-8")


def cell_source(cell: dict) -> str:
    """A cell's source as one string, whether stored as a string or a list of lines."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_text(cell: dict, index: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise SourceError(f"not a valid notebook: cell {index + 1} has no text source")


def _mask_ipython(source: str, masked: list[str]) -> str:
    lines = source.split("\n")
    if lines and lines[0].startswith("%%") and not lines[0].startswith(_PYTHON_CELL_MAGICS):
        # The empty string after a final newline is no line: masking it would add one.
        last = len(lines) - 1
        return "\n".join(
            line if index == last and not line else _placeholder(line, masked, comment_only=True)
            for index, line in enumerate(lines)
        )
    return "\n".join(_placeholder(line, masked) if _MAGIC_LINE.match(line) else line for line in lines)


def _placeholder(line: str, masked: list[str], comment_only: bool = False) -> str:
    masked.append(line)
    indent = "" if comment_only else re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
    prefix = "" if comment_only else "pass  "
    return f"{indent}{prefix}# rnnmigrate-ipython-{len(masked) - 1}"


def _unmask_ipython(text: str, masked: list[str]) -> str:
    def restore(line: str) -> str:
        match = _PLACEHOLDER.match(line)
        return masked[int(match.group(2))] if match else line

    return "\n".join(restore(line) for line in text.split("\n"))


def _split_cells(text: str) -> dict[int, str]:
    cells: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in split_lines(text):
        if line.startswith(CELL_MARKER):
            current = cells.setdefault(int(line[len(CELL_MARKER) :]), [])
        elif current is not None:
            current.append(line)
        else:
            cells.setdefault(_first_cell(text), []).append(line)
    return {index: "".join(lines) for index, lines in cells.items()}


def _first_cell(text: str) -> int:
    match = re.search(rf"^{re.escape(CELL_MARKER)}(\d+)$", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _detect_indent(original: bytes) -> int:
    match = re.search(rb"\{\s*\n( +)\"", original)
    return len(match.group(1)) if match else 1


def _json_message(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return str(error)
