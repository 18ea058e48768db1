"""What a driver gets: the shim, and a way to import or run the project's code from a copy.

The copy is `WORK/<site>/original` or `WORK/<site>/rewritten`; its root goes on `sys.path`
so the project's own sibling imports (`from data import ...`) resolve inside the copy.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any, Iterator

from real_code import shim


class SiteContext:
    def __init__(self, root: Path, scratch: Path, missing_modules: tuple[str, ...] = (),
                 extra_sys_path: tuple[str, ...] = ()):
        self.root = root
        self.scratch = scratch  # for logs and paths the project insists on writing
        self.tf = shim.shim_tf()
        self.missing_modules = missing_modules  # third-party imports off the RNN path, stubbed
        self.paths = [str(root)] + [str(root / folder) for folder in extra_sys_path]

    @contextlib.contextmanager
    def _on_path(self) -> Iterator[None]:
        sys.path[:0] = self.paths
        stubs = {name: shim.stub_module(name) for name in self.missing_modules if name not in sys.modules}
        sys.modules.update(stubs)
        try:
            with shim.installed(shim._FEEDS.values, shim._FEEDS.eager):
                yield
        finally:
            for path in self.paths:
                sys.path.remove(path)
            for name in stubs:
                sys.modules.pop(name, None)

    def import_module(self, dotted: str) -> types.ModuleType:
        """Import `dotted` (e.g. `model`, `models.naive_rnn`) from the copy, shim installed."""
        with self._on_path():
            return importlib.import_module(dotted)

    def import_file(self, relative: str, name: str) -> types.ModuleType:
        """Import one file of the copy on its own, without its package's `__init__` (declared)."""
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, self.root / relative)
        module = importlib.util.module_from_spec(spec)
        with self._on_path():
            sys.modules[name] = module
            spec.loader.exec_module(module)
        return module

    def run_script(self, relative: str, stop_before: str, globals_: dict | None = None,
                   skip: tuple[str, ...] = ()) -> dict:
        """Run a top-level script's statements up to (not including) the first one whose
        source starts with `stop_before`; returns its namespace. Declared by the site.

        `skip`: top-level statements starting with one of these are not run (declared), e.g. a
        script's unnamed `X = tf.placeholder(...)`, whose value the driver passes in `globals_`
        as a named placeholder (the harness feeds, and eagerly replaces, placeholders by name).
        Every prefix must match a statement before the stop, so a stale declaration fails.
        """
        path = self.root / relative
        source = path.read_text()
        tree = ast.parse(source)
        lines = source.splitlines()

        def starts(statement: ast.stmt, prefix: str) -> bool:
            return lines[statement.lineno - 1].lstrip().startswith(prefix)

        for index, statement in enumerate(tree.body):
            if starts(statement, stop_before):
                tree.body = tree.body[:index]
                break
        else:
            raise ValueError(f"{relative}: no top-level statement starts with {stop_before!r}")
        unmatched = [prefix for prefix in skip if not any(starts(s, prefix) for s in tree.body)]
        if unmatched:
            raise ValueError(f"{relative}: no top-level statement before the stop starts with {unmatched}")
        tree.body = [s for s in tree.body if not any(starts(s, prefix) for prefix in skip)]
        namespace = dict(globals_ or {}, __name__="__real_code_script__", __file__=str(path))
        with self._on_path():
            exec(compile(tree, str(path), "exec"), namespace)
        return namespace


@contextlib.contextmanager
def attribute(owner: Any, name: str, value: Any) -> Iterator[None]:
    """Temporarily replace `owner.name` (a declared stub such as `keras.datasets.imdb`)."""
    missing = object()
    saved = getattr(owner, name, missing)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if saved is missing:
            delattr(owner, name)
        else:
            setattr(owner, name, saved)


@contextlib.contextmanager
def modules(stand_ins: dict[str, types.ModuleType]) -> Iterator[None]:
    """Temporarily put declared stand-in modules in `sys.modules` (e.g. the MNIST downloader
    `tensorflow.examples.tutorials.mnist`, which TF 2.21 no longer ships)."""
    saved = {name: sys.modules.get(name) for name in stand_ins}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
