"""Imports around a rewrite: reach ``rnnmigrate.layers``, drop TF imports that became unused.

libcst's AddImportsVisitor/RemoveImportsVisitor re-run scope analysis over the whole module
(about a quarter of a second per file); the scan already knows every binding, so a few
``ast`` counts do the same job here.
"""

from __future__ import annotations

import ast

import libcst as cst

from rnnmigrate.findings import Finding
from rnnmigrate.names import ImportTable, dotted_parts
from rnnmigrate.spans import LineIndex

RUNTIME_MODULE = "rnnmigrate.layers"


class RuntimeImports:
    """Hands out references to runtime names while a module is rewritten, then fixes its imports."""

    def __init__(self, tree: ast.Module, rewritten: list[Finding], lines: LineIndex) -> None:
        self.table = ImportTable(tree)
        self.bound = _bound_names(tree)
        self.references = _name_loads(tree)
        self.roots = _rewritten_roots(tree, rewritten, lines)
        self.used: set[str] = set()
        self.replaced: set[str] = set()
        self.qualified_access = False

    def reference(self, name: str) -> cst.BaseExpression:
        """``name`` when it is free (or replaces a TF import of that name), else ``rnnmigrate.layers.name``."""
        if (name in self.bound or self.table.has_star) and not self._replaces_tf_import(name):
            self.qualified_access = True
            return cst.parse_expression(f"{RUNTIME_MODULE}.{name}")
        self.used.add(name)
        return cst.Name(name)

    def _replaces_tf_import(self, name: str) -> bool:
        # A name no import binds may still come from a TF star import: replace it only where
        # every use of it is rewritten, as an imported one.
        target = self.table.bindings.get(name, "tensorflow" if self.table.has_star else "")
        if not target.startswith("tensorflow") or self.references.get(name, 0) != self.roots.get(name, 0):
            return False
        self.replaced.add(name)
        return True

    def finish(self, module: cst.Module) -> tuple[cst.Module, str]:
        """The module with its imports fixed, and its code (generated once: it is not cheap)."""
        # The runtime import goes in first, after the TF import the sites use, so that the
        # setup before that import (os.environ, sys.path, ...) stays before both; then a TF
        # name the rewrite stopped using goes: the callee of a rewritten site, a
        # `rnn_cell = tf.nn.rnn_cell` alias and then the import that alias used. Imports that
        # were unused before are left alone.
        module = _add_runtime_import(module, self.used, self.qualified_access, _anchor(module.body, set(self.roots)))
        dropped: set[str] = set()
        pending = set(self.replaced)
        while True:
            code = module.code
            try:
                still_used = _name_loads(ast.parse(code))
            except SyntaxError as error:
                error.module_code = code  # type: ignore[attr-defined] # to say where, in a notebook's cell
                raise
            pending |= {
                name
                for name in self.table.bindings
                if self.references.get(name) and not still_used.get(name) and name not in dropped
            }
            if not pending:
                return module, code
            module = module.visit(_DropImports(pending))
            dropped |= pending
            pending = set()


def _add_runtime_import(module: cst.Module, names: set[str], qualified: bool, anchor: int | None) -> cst.Module:
    """Add ``from rnnmigrate.layers import ...`` at ``anchor`` (else after the leading imports),
    or extend the one there is.

    Names an existing runtime import already brings leave it as it is; others are merged into
    the first plain one, in its place.
    """
    body = list(module.body)
    existing: set[str] = set()
    first: int | None = None
    for index, statement in enumerate(body):
        found = _runtime_import_names(statement)
        if found is not None:
            existing |= found
            first = index if first is None else first
    missing = names - existing
    new: list[cst.BaseStatement] = []
    if missing and first is not None:
        old = body[first]
        merged = cst.parse_statement(_from_import(sorted(_runtime_import_names(old) | missing)))
        body[first] = merged.with_changes(leading_lines=old.leading_lines, trailing_whitespace=old.trailing_whitespace)
    elif missing:
        new.append(cst.parse_statement(_from_import(sorted(missing))))
    if qualified and not any(_imports_runtime_module(statement) for statement in body):
        new.append(cst.parse_statement(f"import {RUNTIME_MODULE}\n"))
    if not new and not missing:
        return module
    position = anchor if anchor is not None else _after_leading_imports(body)
    return module.with_changes(body=[*body[:position], *new, *body[position:]])


def _anchor(body: list[cst.BaseStatement], roots: set[str]) -> int | None:
    """The index after the top-level statement holding the TF import the rewritten sites use
    (else the first TF import), and after every TF star import, which would shadow the runtime
    names; None when TensorFlow is imported only inside functions."""
    first: int | None = None
    using: int | None = None
    star = -1
    for index, statement in enumerate(body):
        names = _tf_import_names(statement)
        if names is None:
            continue
        first = index if first is None else first
        if names & roots:
            using = index
        if "*" in names:
            star = index
    chosen = using if using is not None else first
    return None if chosen is None else max(chosen, star) + 1


def _tf_import_names(statement: cst.BaseStatement) -> set[str] | None:
    """The names TF imports bind in a statement (a ``try:`` / ``if`` included, not a def or class)."""
    found: set[str] = set()
    seen = False

    class _Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node) -> bool:
            return False

        def visit_ClassDef(self, node) -> bool:
            return False

        def visit_Import(self, node: cst.Import) -> None:
            nonlocal seen
            for alias in node.names:
                if _is_tf(_code(alias.name)):
                    seen = True
                    found.add(_local_name(alias))

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            nonlocal seen
            if node.relative or node.module is None or not _is_tf(_code(node.module)):
                return
            seen = True
            if isinstance(node.names, cst.ImportStar):
                found.add("*")
            else:
                found.update(_local_name(alias) for alias in node.names)

    if isinstance(statement, cst.SimpleStatementLine):
        if not any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            return None
    elif not isinstance(statement, (cst.Try, cst.If, cst.With)):
        return None
    statement.visit(_Collect())
    return found if seen else None


def _from_import(names: list[str], width: int = 88) -> str:
    """One line when it fits, else one name per line in parentheses (as black would)."""
    line = f"from {RUNTIME_MODULE} import {', '.join(names)}\n"
    if len(line) <= width:
        return line
    return f"from {RUNTIME_MODULE} import (\n" + "".join(f"    {name},\n" for name in names) + ")\n"


def _runtime_import_names(statement: cst.BaseStatement) -> set[str] | None:
    """The names of an existing plain ``from rnnmigrate.layers import a, b`` line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    node = statement.body[0]
    if not isinstance(node, cst.ImportFrom) or node.module is None or node.relative:
        return None
    if _code(node.module) != RUNTIME_MODULE or isinstance(node.names, cst.ImportStar):
        return None
    if any(alias.asname is not None for alias in node.names):
        return None
    return {_code(alias.name) for alias in node.names}


def _imports_runtime_module(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(node, cst.Import) and any(_code(alias.name) == RUNTIME_MODULE for alias in node.names)
        for node in statement.body
    )


def _after_leading_imports(body: list[cst.BaseStatement]) -> int:
    """The index after the docstring and the import block that opens the module."""
    position = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        first = statement.body[0]
        is_docstring = index == 0 and isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString)
        # `pass` is what a notebook's `%magic` / `!shell` line reads as (rnnmigrate.notebook):
        # the import goes below a leading `!pip install ...`, not above it.
        if not (isinstance(first, (cst.Import, cst.ImportFrom, cst.Pass)) or is_docstring):
            break
        position = index + 1
    return position


class _DropImports(cst.CSTTransformer):
    """Remove the TensorFlow/Keras import bindings of the given local names."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        """Only imports and aliases change: the expressions of other lines need no visit."""
        return any(isinstance(small, (cst.Import, cst.ImportFrom, cst.Assign)) for small in node.body)

    def leave_Import(self, original: cst.Import, updated: cst.Import):
        kept = [alias for alias in updated.names if not (_is_tf(_code(alias.name)) and _local_name(alias) in self.names)]
        return self._keep(updated, kept)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if updated.relative or updated.module is None or isinstance(updated.names, cst.ImportStar):
            return updated
        if not _is_tf(_code(updated.module)):
            return updated
        return self._keep(updated, [alias for alias in updated.names if _local_name(alias) not in self.names])

    @staticmethod
    def _keep(updated, kept: list[cst.ImportAlias]):
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            return cst.RemoveFromParent()
        if kept[-1] is not updated.names[-1]:
            kept[-1] = kept[-1].with_changes(comma=_last_comma(kept[-1].comma, updated.names[-1].comma))
        return updated.with_changes(names=kept)

    def leave_SimpleStatementLine(self, original, updated):
        if not updated.body or self._is_dropped_alias(updated):
            return cst.RemoveFromParent()
        return updated

    def _is_dropped_alias(self, line: cst.SimpleStatementLine) -> bool:
        """``rnn_cell = tf.nn.rnn_cell``, an alias of a TF module the rewrite stopped using."""
        if len(line.body) != 1 or not isinstance(line.body[0], cst.Assign):
            return False
        assign = line.body[0]
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            return False
        return assign.targets[0].target.value in self.names and isinstance(assign.value, (cst.Attribute, cst.Name))


def _last_comma(own, last):
    """The comma of a name that becomes the last one: a trailing comma only if there was one.

    In a parenthesised one-name-per-line import, the name keeps its own comment and the
    closing parenthesis keeps its line.
    """
    if not isinstance(last, cst.Comma):
        return cst.MaybeSentinel.DEFAULT
    own_after = own.whitespace_after if isinstance(own, cst.Comma) else None
    if isinstance(own_after, cst.ParenthesizedWhitespace) and isinstance(last.whitespace_after, cst.ParenthesizedWhitespace):
        return own.with_changes(
            whitespace_after=own_after.with_changes(empty_lines=(), last_line=last.whitespace_after.last_line)
        )
    return last


def _local_name(alias: cst.ImportAlias) -> str:
    """The name an import binds: ``tf``; ``tensorflow`` for a plain ``import tensorflow.x``."""
    if alias.asname is not None:
        return alias.asname.name.value  # type: ignore[union-attr]
    return _code(alias.name).split(".")[0]


def _is_tf(module: str) -> bool:
    return module.split(".", 1)[0] in ("tensorflow", "keras")


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _bound_names(tree: ast.Module) -> set[str]:
    """Names the module binds, except by ``from rnnmigrate.layers import X``: those can be used as they are."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom) and node.module == RUNTIME_MODULE and not node.level:
            names.update(alias.asname for alias in node.names if alias.asname not in (None, alias.name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _name_loads(tree: ast.Module) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _rewritten_roots(tree: ast.Module, rewritten: list[Finding], lines: LineIndex) -> dict[str, int]:
    """How many rewritten sites start at each local name (``tf`` in ``tf.nn.dynamic_rnn``)."""
    spans = {(finding.offset, finding.end_offset) for finding in rewritten}
    first_lines = {finding.line for finding in rewritten}
    roots: dict[str, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Call, ast.Name, ast.Attribute)) or node.lineno not in first_lines:
            continue
        span = (lines.offset(node.lineno, node.col_offset), lines.offset(node.end_lineno, node.end_col_offset))  # type: ignore[arg-type]
        if span not in spans:
            continue
        if isinstance(node, ast.Call):
            parts = dotted_parts(node.func)
        elif isinstance(node, (ast.Name, ast.Attribute)):
            parts = dotted_parts(node)
        else:
            continue
        if parts:
            roots[parts[0]] = roots.get(parts[0], 0) + 1
    return roots
