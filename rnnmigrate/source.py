"""Reading a Python file as the interpreter would: encoding cookie, BOM, newline style."""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass


class SourceError(Exception):
    """A file that cannot be turned into Python source; the message is one line for the user."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    newline: str

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def read_bytes(path: str, chunk: int = 1 << 16) -> bytes:
    """A file's bytes through bare ``os.read``: half the cost of ``open().read()`` per file,
    which is most of a scan of a large tree."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        parts = [os.read(descriptor, chunk)]
        while len(parts[-1]) == chunk:
            parts.append(os.read(descriptor, chunk))
    finally:
        os.close(descriptor)
    return b"".join(parts)


def decode(data: bytes) -> SourceText:
    """Decode bytes with the file's declared encoding (PEP 263), keeping a BOM and newlines."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" in str(error.msg):
            encoding = "utf-8"
        else:
            raise SourceError(f"unusable encoding declaration: {error.msg}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise SourceError(f"not valid {encoding}: byte 0x{byte:02x}", line) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r}") from None
    return SourceText(text, encoding, detect_newline(text))


def detect_newline(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


_PY2_HINTS = (
    (re.compile(r"^\s*print\s+[^\s(=.,)][^=]*$|^\s*print\s*$"), "print statement"),
    (re.compile(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:"), "`except X, e:`"),
    (re.compile(r"^\s*exec\s+[\"'\w]"), "exec statement"),
    (re.compile(r"^\s*raise\s+[\w.]+\s*,"), "`raise X, message`"),
    (re.compile(r"`[^`]+`"), "backtick repr"),
    (re.compile(r"<>"), "`<>` operator"),
    (re.compile(r"\b\d+[lL]\b"), "long integer literal"),
    (re.compile(r"(?<![\w.])0\d+\b"), "old octal literal"),
    (re.compile(r"\bur['\"]"), "ur'' string"),
)


def describe_syntax_error(error: SyntaxError, text: str) -> str:
    """One line (the location goes beside it); names Python 2 syntax when that is the likely
    cause, as it often is in TF1 code."""
    from rnnmigrate.spans import LineIndex

    line_number = error.lineno or 0
    line = LineIndex(text).line(line_number)
    message = error.msg or "invalid syntax"
    if "Missing parentheses in call to 'print'" in message:
        return "Python 2 syntax (print statement); port the file to Python 3 first"
    for pattern, label in _PY2_HINTS:
        if pattern.search(line):
            return f"Python 2 syntax ({label}); port the file to Python 3 first"
    return f"syntax error: {message}"
