"""Counts in words, the same way in every message."""

from __future__ import annotations

_IRREGULAR = {"was": "were"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``."""
    return f"{count} {word if count == 1 else many or _IRREGULAR.get(word, word + 's')}"
