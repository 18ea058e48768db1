"""Cheap name resolution over the stdlib ``ast``: which dotted TF name does an expression mean?

libcst's QualifiedNameProvider costs about ten times the parse; this module only follows what
TF1 code actually does: imports with aliases, and module aliases assigned in code
(``rnn_cell = tf.nn.rnn_cell``, ``nn = tf.nn``). Bindings are collected once per file,
without flow analysis: a name bound to a TF module anywhere is that module everywhere,
unless the file also defines a function or class of that name.
"""

from __future__ import annotations

import ast

TRACKED_ROOTS = ("tensorflow", "keras")


def dotted_parts(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything that is not a plain dotted name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts


def _is_tracked(qualified: str) -> bool:
    return qualified.split(".", 1)[0] in TRACKED_ROOTS


class ImportTable:
    """Local names bound to TensorFlow/Keras modules or objects in one file."""

    def __init__(self, tree: ast.Module, nodes: list[ast.AST] | None = None) -> None:
        self.bindings: dict[str, str] = {}
        self._collect(nodes if nodes is not None else list(ast.walk(tree)))

    def resolve(self, node: ast.AST) -> str | None:
        """The fully qualified name of a dotted expression, if it starts at a tracked binding."""
        parts = dotted_parts(node)
        if parts is None:
            return None
        target = self.bindings.get(parts[0])
        if target is None:
            return None
        return ".".join([target, *parts[1:]])

    def _collect(self, nodes: list[ast.AST]) -> None:
        imports: list[ast.Import | ast.ImportFrom] = []
        assignments: list[ast.Assign] = []
        shadowing: set[str] = set()
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                assignments.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                shadowing.add(node.name)
        for node in imports:
            self._bind_import(node)
        self._bind_aliases(assignments)
        for name in shadowing:
            self.bindings.pop(name, None)

    def _bind_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_tracked(alias.name):
                    continue
                if alias.asname:
                    self.bindings[alias.asname] = alias.name
                else:
                    root = alias.name.split(".", 1)[0]
                    self.bindings[root] = root
            return
        if node.level or not node.module or not _is_tracked(node.module):
            return
        for alias in node.names:
            if alias.name != "*":
                self.bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _bind_aliases(self, assignments: list[ast.Assign]) -> None:
        """Follow ``x = tf.nn`` style aliases; repeat so that chains of aliases resolve."""
        pending = [node for node in assignments if isinstance(node.targets[0], ast.Name)]
        changed = True
        while changed and pending:
            changed = False
            for node in list(pending):
                qualified = self.resolve(node.value)
                if qualified is not None:
                    self.bindings[node.targets[0].id] = qualified  # type: ignore[union-attr]
                    pending.remove(node)
                    changed = True
