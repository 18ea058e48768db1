"""What a site is, and the registry of all of them (one driver module per project).

A driver imports the project's real module from a copy of the corpus and calls its real
functions; it only chooses hyperparameters and builds inputs. Anything else it must do to
get the code to run (a stub for an unrelated import, running a script only up to a line, a
text edit) is declared in `stubs` / `edits`, and the report prints every one of them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Edit:
    """A declared hand edit: replace `old` by `new` in `path` (of the copy), on one side or both."""

    path: str
    old: str
    new: str
    why: str
    sides: tuple[str, ...] = ("original", "rewritten")

    def describe(self) -> str:
        return f"{self.path}: {self.why} ({' and '.join(self.sides)})"


@dataclass(frozen=True)
class Site:
    """One real RNN call site and the driver that runs it."""

    id: str
    project: str  # the directory under CORPUS_DIR
    mirror: str  # owner+name under /work/.mirror, for the commit when the corpus has no .git
    path: str  # the file holding the call, relative to the project root
    line: int  # the call's line in the original file (as `rnnmigrate scan` reports it)
    api: str
    build: Callable[[Any], dict]  # (SiteContext) -> {name: program output tensor}
    feeds: Callable[[np.random.Generator], dict[str, np.ndarray]]  # placeholder name -> value
    rewrite_paths: tuple[str, ...] = ()  # files given to `rewrite --apply` (default: path)
    stubs: tuple[str, ...] = ()  # declared stand-ins, one line each
    edits: tuple[Edit, ...] = ()
    missing_modules: tuple[str, ...] = ()  # third-party modules off the RNN path, replaced by stubs
    extra_sys_path: tuple[str, ...] = ()  # copy subfolders put on sys.path (Python 2 implicit relative imports)
    v1_tensorshape: bool = False  # TF1's Dimension objects (`shape[2].value`), in every context
    unsafe_fixes: bool = False  # the site is an unsafe fix: rewrite with --unsafe-fixes

    @property
    def paths_to_rewrite(self) -> tuple[str, ...]:
        return self.rewrite_paths or (self.path,)


def all_sites() -> list[Site]:
    """Every `SITES` list of every module in `real_code.drivers`, in module order."""
    import real_code.drivers as package

    sites: list[Site] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda item: item.name):
        module = importlib.import_module(f"real_code.drivers.{info.name}")
        sites.extend(getattr(module, "SITES", []))
    return sites


def site_by_id(site_id: str) -> Site:
    for site in all_sites():
        if site.id == site_id:
            return site
    raise KeyError(site_id)


CASE = 0  # which input case `lengths` makes (set by phases.input_cases)


def lengths(batch: int, time: int) -> np.ndarray:
    """Case 0: full, 1, 0 (TF1 accepts 0), time - 2. Case 1: every row shorter than `time`
    (time - 1, 1, time - 3, 2), so the batch's longest row is below the padded length."""
    if CASE == 1:
        pattern = [time - 1, 1, max(time - 3, 1), 2]
    else:
        pattern = [time, 1, 0, max(time - 2, 1)]
    return np.array([pattern[i % len(pattern)] for i in range(batch)], dtype=np.int32)


def padded_ids(rng: np.random.Generator, row_lengths: np.ndarray, time: int, vocab: int) -> np.ndarray:
    """Word ids 1..vocab-1 up to each row's length, 0 (padding) after."""
    ids = rng.integers(1, vocab, size=(len(row_lengths), time)).astype(np.int32)
    ids[np.arange(time)[None, :] >= row_lengths[:, None]] = 0
    return ids
