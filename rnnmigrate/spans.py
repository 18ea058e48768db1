"""Offsets into one decoded text, shared by ast (UTF-8 byte columns) and libcst (character columns).

Lines are counted as Python counts them: ``\\n``, ``\\r\\n`` and ``\\r`` end a line; form feeds,
``\\x85`` and ``\\u2028`` do not (``str.splitlines`` would split on them and shift every line after).
"""

from __future__ import annotations

import re
from bisect import bisect_right

_LINE_END = re.compile(r"\r\n|\r|\n")
_AFTER_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def split_lines(text: str) -> list[str]:
    """The lines of a text with their line ends, split only where Python ends a line."""
    parts = _AFTER_LINE_END.split(text)
    return parts[:-1] if parts and parts[-1] == "" else parts


class LineIndex:
    """Where each line of a text starts, to turn (line, UTF-8 column) into character offsets and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in _LINE_END.finditer(text))]
        self.ascii = text.isascii()

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its line end; empty past the end."""
        if not 0 < number <= len(self.starts):
            return ""
        start = self.starts[number - 1]
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset(self, line: int, utf8_column: int) -> int:
        """The character offset of ast's (1-based line, 0-based UTF-8 byte column)."""
        start = self.starts[min(max(line, 1), len(self.starts)) - 1]
        if self.ascii:
            return start + utf8_column
        prefix = self.line(line).encode("utf-8")[:utf8_column]
        return start + len(prefix.decode("utf-8", errors="replace"))

    def column(self, offset: int) -> int:
        """The 1-based character column of a character offset."""
        return offset - self.starts[bisect_right(self.starts, offset) - 1] + 1
