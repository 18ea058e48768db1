"""Cells built from classes: TF1 cell classes passed as values, and the project's own cell classes.

``cell_fn = LSTMCell if lstm else GRUCell`` then ``cell_fn(n)``, ``cell_class(n)`` with the class
from the callers, ``MyCell(...)`` for an ``RNNCell`` subclass of this file or of another module:
the cell each alternative builds, placed where the rewrite renames it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from rnnmigrate.findings import CellInfo
from rnnmigrate.project import traced_elsewhere

if TYPE_CHECKING:
    from rnnmigrate.trace import CellTracer

MAX_DEPTH = 12  # how many indirections a trace follows (names, helpers, classes) before it gives up


class ClassTracing:
    """The class half of ``CellTracer`` (a mixin: it uses the tracer's bindings, imports and project)."""

    def cell_class(self, expr: ast.expr) -> tuple[CellTracer, ast.ClassDef, str | None] | None:
        """The class of this file or of another module of the project that ``expr`` names: the
        tracer of its module and its file (None: this file)."""
        if isinstance(expr, ast.Name) and expr.id in self.bindings.local_classes:
            return self, self.bindings.local_classes[expr.id], None
        target = self.imports.resolve_import(expr) if self.project is not None else None
        found = self.project.class_def(target, self.path) if target else None
        return (found[0].tracer, found[1], found[0].path) if found else None

    def _instance(self, call: ast.Call, owner: CellTracer, node: ast.ClassDef, path: str | None) -> CellInfo:
        """``MyCell(...)`` for a class of the project: a cell when the class derives from a TF1 cell."""
        from rnnmigrate.rules.custom_cells import trace_instance
        from rnnmigrate.trace import short_source, unknown

        instance = trace_instance(self, node, call, owner=owner, defined_in=path)
        if instance is not None:
            return instance
        where = f"of this project ({self.project.describe(path)})" if path else "defined in this file"
        return unknown(f"`{short_source(call.func)}` is a class {where}, not a TF1 cell", call.lineno)

    def class_choices(self, expr: ast.expr, depth: int = 0) -> list[ast.expr]:
        """The cell classes an expression may name (``LSTMCell if lstm else GRUCell``, ``CELLS[unit]``).

        Empty unless every alternative is a class the runtime has under the same name.
        """
        from rnnmigrate.rules import rule_for

        if depth > MAX_DEPTH:
            return []
        defined = self.cell_class(expr)
        if defined is not None:
            from rnnmigrate.rules.custom_cells import derives_from_tf1_cell

            return [expr] if derives_from_tf1_cell(defined[1], defined[0]) else []
        qualified = self.imports.resolve(expr)
        if qualified is not None:
            rule = rule_for(qualified)
            return [expr] if rule is not None and rule.renames_as_value else []
        if isinstance(expr, ast.IfExp):
            alternatives = [expr.body, expr.orelse]
        elif isinstance(expr, ast.Subscript) and isinstance(expr.value, (ast.Dict, ast.Name)):
            table = expr.value if isinstance(expr.value, ast.Dict) else self._only_value(expr.value)
            alternatives = [value for value in table.values if value is not None] if isinstance(table, ast.Dict) else []
        elif isinstance(expr, ast.Name):
            scope = self.bindings.scope_defining(expr, expr.id)
            values = sorted(scope.assignments.get(expr.id, []) if scope else [], key=lambda v: (v.lineno, v.col_offset))
            alternatives = self.bindings.reaching([v for v in values if v.lineno <= expr.lineno], expr)
        else:
            return []
        choices = [self.class_choices(alternative, depth + 1) for alternative in alternatives]
        return [found for group in choices for found in group] if choices and all(choices) else []

    def _only_value(self, name: ast.Name) -> ast.expr | None:
        scope = self.bindings.scope_defining(name, name.id)
        values = scope.assignments.get(name.id, []) if scope else []
        return values[0] if len(values) == 1 else None

    def construct(self, reference: ast.expr, call: ast.Call, owner: CellTracer | None = None) -> CellInfo:
        """The cell ``call`` builds when its callee is the class ``reference`` names, placed at the reference.

        ``owner`` is the tracer of the file holding ``reference`` (a class a caller passed), when
        not this one; the call's arguments are this file's.
        """
        from rnnmigrate.rules import rule_for
        from rnnmigrate.rules.base import Site
        from rnnmigrate.trace import short_source, unknown

        owner = owner or self
        defined = owner.cell_class(reference)
        if defined is not None:
            tracer, node, path = defined
            return self._instance(call, tracer, node, path or (owner.path if owner is not self else None))
        qualified = owner.imports.resolve(reference)
        assert qualified is not None
        rule = rule_for(qualified)
        assert rule is not None
        constructed = ast.copy_location(ast.Call(func=reference, args=call.args, keywords=call.keywords), reference)
        cell = rule.assess(Site(constructed, qualified, constructed, self)).cells[0]
        if owner is self:
            return cell
        if cell.children:
            return unknown(f"`{short_source(reference)}`, passed as a class from {self.project.describe(owner.path)}, "
                           "wraps cells built here; pass the wrapper built", call.lineno)
        return traced_elsewhere(cell, owner.path, self.project)
