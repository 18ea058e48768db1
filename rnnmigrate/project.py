"""The project around the paths given: its modules, read only when a trace needs them.

The paths given are what gets rewritten; the project (its root found from them and
``pyproject.toml`` / ``setup.py`` / ``setup.cfg``) is what gets read. A cell built by a function
of another module is traced into that module: the module is parsed and indexed once, on first
use, so a tree of 100k files costs nothing until a call site points into it.
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rnnmigrate.findings import CellInfo
from rnnmigrate.source import SourceError, decode, read_bytes

if TYPE_CHECKING:
    from rnnmigrate.names import ImportTable
    from rnnmigrate.trace import CellTracer

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "build", "dist"})


def _read_or_empty(path: str) -> bytes:
    try:
        return read_bytes(path)
    except (OSError, SourceError):
        return b""


def find_root(paths: list[str]) -> Path:
    """The nearest ancestor of the paths with a project file; else the top of their package."""
    starts = [Path(path).resolve() for path in paths] or [Path.cwd()]
    starts = [start if start.is_dir() else start.parent for start in starts]
    common = Path(os.path.commonpath([str(start) for start in starts]))
    for directory in (common, *common.parents):
        if any((directory / name).is_file() for name in PROJECT_FILES):
            return directory
    while (common / "__init__.py").is_file() and common.parent != common:
        common = common.parent
    return common


@dataclass
class _Module:
    path: str
    tracer: CellTracer
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)


@dataclass
class Project:
    """Where modules live and which files this run rewrites.

    ``given`` are the paths of the command line (files or directories): a file under them is
    rewritten in this run; a cell built anywhere else is read, never written.
    """

    root: Path
    given: tuple[str, ...] = ()
    _modules: dict[str, _Module | None] = field(default_factory=dict)
    _files: list[str] | None = None
    _mentions: dict[str, list[str]] = field(default_factory=dict)
    _accessed: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def for_paths(cls, paths: list[str]) -> Project:
        return cls(find_root(paths), tuple(str(Path(path).resolve()) for path in paths))

    def in_run(self, path: str) -> bool:
        resolved = str(Path(path).resolve())
        return any(resolved == given or resolved.startswith(given.rstrip(os.sep) + os.sep) for given in self.given)

    def package_of(self, path: str) -> str | None:
        """The dotted package a file's relative imports start from; None outside the root."""
        directory = Path(path).resolve().parent
        try:
            relative = directory.relative_to(self.root)
        except ValueError:
            return None
        return ".".join(relative.parts)

    def module_file(self, dotted: str, importer: str) -> str | None:
        """The file of module ``dotted``, looked up from the importer's folder, the root and ``src/``."""
        parts = dotted.split(".")
        for base in (Path(importer).resolve().parent, self.root, self.root / "src"):
            candidate = base.joinpath(*parts)
            for path in (candidate.with_suffix(".py"), candidate / "__init__.py"):
                if path.is_file():
                    return str(path)
        return None

    def function(self, dotted: str, importer: str) -> tuple[_Module, ast.FunctionDef | ast.AsyncFunctionDef] | None:
        """The module-level function ``dotted`` names (``pkg.helpers.make_cell``), if it is the project's."""
        module_name, _, name = dotted.rpartition(".")
        if not module_name:
            return None
        path = self.module_file(module_name, importer)
        module = self._module(path) if path else None
        if module is None or name not in module.functions:
            return None
        return module, module.functions[name]

    def class_def(self, dotted: str, importer: str) -> tuple[_Module, ast.ClassDef] | None:
        """The module-level class ``dotted`` names (``pkg.zoneout.ZoneoutWrapper``), if it is the project's."""
        module_name, _, name = dotted.rpartition(".")
        path = self.module_file(module_name, importer) if module_name else None
        module = self._module(path) if path else None
        if module is None or name not in module.classes:
            return None
        return module, module.classes[name]

    def accessed_module(self, dotted: str, importer: str) -> str | None:
        """The TF module the project function ``dotted`` returns, when it is an accessor
        (``ImportTable.accessed_module``): tensor2tensor's ``contrib.rnn()``."""
        key = (dotted, os.path.dirname(importer))
        if key not in self._accessed:
            found = self.function(dotted, importer)
            self._accessed[key] = found[0].tracer.imports.returned_name(found[1]) if found else None
        return self._accessed[key]

    def import_table(self, tree: ast.Module, nodes: list[ast.AST], parents: dict[int, ast.AST], path: str) -> ImportTable:
        """A module's names, with accessors of the project's other modules followed."""
        from rnnmigrate.names import ImportTable
        from rnnmigrate.scan import known_name

        return ImportTable(tree, nodes, parents, exports=known_name, package=self.package_of(path),
                           accessed_elsewhere=functools.partial(self.accessed_module, importer=path))

    def files_mentioning(self, name: str) -> list[str]:
        """The project's Python files whose text contains ``name`` (the byte prefilter of a caller search)."""
        if name not in self._mentions:
            needle = name.encode()
            self._mentions[name] = [path for path in self._python_files() if needle in _read_or_empty(path)]
        return self._mentions[name]

    def tracer_of(self, path: str) -> CellTracer | None:
        module = self._module(path)
        return module.tracer if module else None

    @staticmethod
    def same_file(first: str, second: str) -> bool:
        return os.path.realpath(first) == os.path.realpath(second)

    def _python_files(self) -> list[str]:
        if self._files is None:
            self._files = []
            for directory, folders, names in os.walk(self.root):
                folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS and not f.startswith("."))
                self._files.extend(os.path.join(directory, name) for name in sorted(names) if name.endswith(".py"))
        return self._files

    def _module(self, path: str) -> _Module | None:
        if path not in self._modules:
            self._modules[path] = self._read(path)
        return self._modules[path]

    def _read(self, path: str) -> _Module | None:
        from rnnmigrate.bindings import walk_with_parents
        from rnnmigrate.trace import CellTracer

        try:
            tree = ast.parse(decode(read_bytes(path)).text, filename=path)
        except (OSError, SourceError, SyntaxError, ValueError, RecursionError):
            return None
        nodes, parents = walk_with_parents(tree)
        imports = self.import_table(tree, nodes, parents, path)
        tracer = CellTracer(tree, imports, nodes, parents, project=self, path=path)
        functions = {
            node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        return _Module(path, tracer, functions, classes)

    def describe(self, path: str) -> str:
        """A path as the user would pass it: relative to the working directory when inside it."""
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative


def traced_elsewhere(cell: CellInfo, path: str, project: Project) -> CellInfo:
    """A cell traced into another file: marked with that file, and manual when this run does not rewrite it."""
    cell, where = cell.built_in(path), project.describe(path)
    if cell.problem:
        return replace(cell, problem=f"in {where}: {cell.problem}")
    if cell.positions() and not project.in_run(path):
        return replace(cell, problem=f"the cell is built in {where}, which this run does not rewrite: pass {where} too")
    return cell
