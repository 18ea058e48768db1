"""``[tool.rnnmigrate]`` in pyproject.toml: defaults that command-line options extend."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

KNOWN_KEYS = frozenset({"select", "ignore", "exclude", "include", "respect-gitignore", "line-length"})
DEFAULT_LINE_LENGTH = 88


class ConfigError(Exception):
    """A pyproject.toml whose [tool.rnnmigrate] table cannot be used."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    respect_gitignore: bool = True
    line_length: int = DEFAULT_LINE_LENGTH
    source: str | None = None


def find_pyproject(paths: list[str]) -> Path | None:
    """The nearest pyproject.toml above the first path (or the working directory) with our table."""
    start = Path(paths[0] if paths else ".").resolve()
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and b"[tool.rnnmigrate]" in _read_bytes(candidate):
            return candidate
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        table = tomllib.loads(_read_bytes(path).decode("utf-8")).get("tool", {}).get("rnnmigrate", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in [tool.rnnmigrate] (known: {', '.join(sorted(KNOWN_KEYS))})")
    return Config(
        select=_strings(table, "select", path),
        ignore=_strings(table, "ignore", path),
        exclude=_strings(table, "exclude", path),
        include=_strings(table, "include", path),
        respect_gitignore=bool(table.get("respect-gitignore", True)),
        line_length=_line_length(table, path),
        source=os.path.relpath(path),
    )


def _strings(table: dict, key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: [tool.rnnmigrate] {key} must be a list of strings")
    return tuple(value)


def _line_length(table: dict, path: Path) -> int:
    value = table.get("line-length", DEFAULT_LINE_LENGTH)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{path}: [tool.rnnmigrate] line-length must be a positive integer")
    return value


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
