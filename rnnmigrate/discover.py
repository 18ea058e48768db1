"""Which files a run looks at: the paths given, walked with .gitignore and globs honoured."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

DEFAULT_INCLUDE = ("*.py", "*.ipynb")
_DEFAULT_SUFFIXES = (".py", ".ipynb")
ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".direnv", ".eggs",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "__pycache__",
        "__pypackages__", "node_modules", "site-packages", "_build", "buck-out",
    }
)  # fmt: skip


class DiscoveryError(Exception):
    """A path argument that does not exist."""


@dataclass
class FileFilter:
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    _include_spec: pathspec.PathSpec = field(init=False)
    _exclude_spec: pathspec.PathSpec = field(init=False)

    def __post_init__(self) -> None:
        self._include_spec = pathspec.GitIgnoreSpec.from_lines(self.include)
        self._exclude_spec = pathspec.GitIgnoreSpec.from_lines(self.exclude)

    def wants(self, relative: str) -> bool:
        if relative.endswith(_DEFAULT_SUFFIXES):
            return not self.excludes(relative)
        return self._include_spec.match_file(relative) and not self.excludes(relative)

    def excludes(self, relative: str) -> bool:
        return bool(self.exclude) and self._exclude_spec.match_file(relative)


def discover(paths: Iterable[str], file_filter: FileFilter) -> list[str]:
    """Every file to scan, in a stable order; explicit file arguments are always kept."""
    return list(iter_files(paths, file_filter))


def iter_files(paths: Iterable[str], file_filter: FileFilter) -> Iterator[str]:
    """``discover`` as it walks, so that scanning can start before the walk ends.

    Missing paths are reported at once, before anything is yielded.
    """
    paths = list(paths)
    for given in paths:
        if not os.path.lexists(given):
            raise DiscoveryError(f"{given}: no such file or directory")
    return _unique_files(paths, file_filter)


def _unique_files(paths: list[str], file_filter: FileFilter) -> Iterator[str]:
    seen: set[str] = set()
    for given in paths:
        walked = os.path.isdir(given)
        candidates = _walk(given, file_filter) if walked else [given]
        for path in candidates:
            key = os.path.abspath(path) if walked else os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield path


def _walk(root: str, file_filter: FileFilter) -> Iterator[str]:
    # (folder the .gitignore applies below, spec, path of the walked root relative to the .gitignore)
    ignores: list[tuple[str, pathspec.PathSpec, str]] = (
        _ancestor_ignores(root) if file_filter.respect_gitignore else []
    )
    for directory, subdirs, files in os.walk(root, followlinks=False):
        relative_dir = os.path.relpath(directory, root)
        relative_dir = "" if relative_dir == "." else relative_dir.replace(os.sep, "/") + "/"
        ignores = [entry for entry in ignores if relative_dir.startswith(entry[0])]
        if file_filter.respect_gitignore and ".gitignore" in files:
            spec = _read_gitignore(os.path.join(directory, ".gitignore"))
            if spec is not None:
                ignores.append((relative_dir, spec, ""))
        subdirs[:] = sorted(
            name
            for name in subdirs
            if name not in ALWAYS_SKIPPED_DIRS
            and not _ignored(relative_dir + name + "/", ignores, file_filter)
        )
        links = _symlinks(directory, files)
        for name in sorted(files):
            relative = relative_dir + name
            if not file_filter.wants(relative) or _ignored(relative, ignores, file_filter):
                continue
            path = os.path.join(directory, name)
            if name in links and os.path.exists(path):
                continue  # a target inside the tree is walked itself; one outside is never followed
            yield path


def _ignored(relative: str, ignores: list[tuple[str, pathspec.PathSpec, str]], file_filter: FileFilter) -> bool:
    if file_filter.excludes(relative):
        return True
    return bool(ignores) and any(spec.match_file(prefix + relative[len(base) :]) for base, spec, prefix in ignores)


def _ancestor_ignores(root: str) -> list[tuple[str, pathspec.PathSpec, str]]:
    """The .gitignore files above a walked folder, up to its repository's root: git applies them too.

    Outside a repository (no ``.git`` above), only the walked folder's own .gitignore files count;
    so do they when the folder given is itself ignored: asking for it by name overrides that.
    """
    start = Path(os.path.abspath(root))
    if (start / ".git").exists():
        return []
    found: list[tuple[str, pathspec.PathSpec, str]] = []
    for directory in start.parents:
        spec = _read_gitignore(str(directory / ".gitignore")) if (directory / ".gitignore").is_file() else None
        if spec is not None:
            found.append(("", spec, start.relative_to(directory).as_posix() + "/"))
        if (directory / ".git").exists():
            return [] if any(spec.match_file(prefix) for _, spec, prefix in found) else found
    return []


def _symlinks(directory: str, names: list[str]) -> set[str]:
    """The entries of ``directory`` that are symlinks, from one scandir instead of a stat each."""
    try:
        with os.scandir(directory) as entries:
            return {entry.name for entry in entries if entry.is_symlink()}
    except OSError:
        return set()


def _read_gitignore(path: str) -> pathspec.PathSpec | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return pathspec.GitIgnoreSpec.from_lines(handle)
    except OSError:
        return None
