"""Follow an RNN call's cell argument back to the constructor that built it.

TF1 code builds cells inline, in a variable a few lines up, in a list or comprehension for a
MultiRNNCell, in a small ``def make_cell(): return ...`` helper, or on ``self``. The tracer
follows those within one file; anything else (a parameter, another module, an arbitrary
expression) is reported as untraceable, which makes the site a manual migration.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from rnnmigrate.bindings import ModuleBindings, is_self, own_returns, walk_with_parents
from rnnmigrate.callers import compared_class, trace_class_parameter, trace_parameter
from rnnmigrate.findings import CellInfo
from rnnmigrate.names import ImportTable
from rnnmigrate.project import Project, traced_elsewhere
from rnnmigrate.trace_classes import MAX_DEPTH, ClassTracing

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_WRAPPERS = (".DropoutWrapper", ".ResidualWrapper", ".DeviceWrapper", ".OutputProjectionWrapper", ".InputProjectionWrapper")


def unknown(problem: str, line: int | None = None) -> CellInfo:
    return CellInfo(kind="unknown", line=line, problem=problem)


def source_text(node: ast.AST) -> str:
    return ast.unparse(node)


class CellTracer(ClassTracing):
    """Index one module's scopes once, then trace any number of cell expressions."""

    def __init__(self, tree: ast.Module, imports: ImportTable, nodes: list[ast.AST] | None = None,
                 parents: dict[int, ast.AST] | None = None, project: Project | None = None,
                 path: str = "<string>") -> None:
        self.imports = imports
        self.project, self.path = project, path
        if nodes is None or parents is None:
            nodes, parents = walk_with_parents(tree)
        self.bindings = ModuleBindings(nodes, parents)
        self._active: set[int] = set()

    # -- public -----------------------------------------------------------------

    def trace(self, expr: ast.expr, depth: int = 0) -> CellInfo:
        """The cell an expression evaluates to, as far as this file shows."""
        if depth > MAX_DEPTH:
            return unknown("the cell is built through too many indirections to follow", expr.lineno)
        if id(expr) in self._active:  # rules trace their own arguments afresh, so depth alone misses a cycle
            return unknown(f"`{short_source(expr)}` is built from itself", expr.lineno)
        self._active.add(id(expr))
        try:
            return self._trace(expr, depth)
        finally:
            self._active.discard(id(expr))

    def _trace(self, expr: ast.expr, depth: int) -> CellInfo:
        if isinstance(expr, ast.Call):
            return self._trace_call(expr, depth)
        if isinstance(expr, ast.Name):
            return self._trace_name(expr, depth)
        if isinstance(expr, ast.Attribute) and is_self(expr.value):
            return self._pick(self.bindings.class_attributes.get(expr.attr, []), expr, depth, f"self.{expr.attr}")
        if isinstance(expr, ast.IfExp):
            return self._merge(self.trace(expr.body, depth + 1), [self.trace(expr.orelse, depth + 1)])
        if isinstance(expr, ast.Subscript) and not isinstance(expr.slice, ast.Slice):
            return self._trace_element(expr, depth)
        return unknown(f"the cell is the expression `{short_source(expr)}`, which cannot be traced", expr.lineno)

    def trace_sequence(self, expr: ast.expr, depth: int = 0) -> tuple[list[CellInfo], str | None]:
        """The cells of a MultiRNNCell's list argument, and how often a comprehension repeats them."""
        if isinstance(expr, (ast.List, ast.Tuple)):
            return [self.trace(element, depth + 1) for element in expr.elts], None
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
            repeat = source_text(expr.generators[0].iter) if expr.generators else None
            return [self.trace(expr.elt, depth + 1)], repeat
        repeated = _repeated_list(expr)
        if repeated is not None:
            cells, count = repeated
            return [self.trace(element, depth + 1) for element in cells.elts], source_text(count)
        if isinstance(expr, ast.Name):
            scope = self.bindings.scope_defining(expr, expr.id)
            if scope is not None and scope.appends.get(expr.id):
                return [self.trace(value, depth + 1) for value in scope.appends[expr.id]], None
            values = scope.assignments.get(expr.id, []) if scope else []
            if values:
                return self.trace_sequence(values[-1], depth + 1)
        if isinstance(expr, ast.Call) and depth <= MAX_DEPTH:
            returned = self._sequence_returned(expr, depth)
            if returned is not None:
                return returned
        return [unknown(f"the list of cells `{short_source(expr)}` cannot be traced", expr.lineno)], None

    def _trace_element(self, element: ast.Subscript, depth: int) -> CellInfo:
        """``cells[i]`` or a loop variable over ``cells``: any cell of the list, so all of them migrate together."""
        cells, _ = self.trace_sequence(element.value, depth + 1)
        return self._merge(cells[0], cells[1:])

    def _sequence_returned(self, call: ast.Call, depth: int) -> tuple[list[CellInfo], str | None] | None:
        """The cells of the list a function of this file or of the project returns (``cells = make_cells(3)``)."""
        found = self._function_called(call)
        if found is None:
            return None
        tracer, function = found
        returns = [node.value for node in own_returns(function) if node.value is not None]
        if not returns:
            return None
        cells: list[CellInfo] = []
        for value in returns:
            cells.extend(tracer.trace_sequence(value, depth + 1)[0])
        if tracer is not self:
            assert self.project is not None
            cells = [traced_elsewhere(cell, tracer.path, self.project) for cell in cells]
        return cells, None

    def _function_called(self, call: ast.Call) -> tuple[CellTracer, ast.FunctionDef | ast.AsyncFunctionDef] | None:
        local = self._local_function(call)
        if local is not None:
            return self, local
        if self.project is None:
            return None
        target = self.imports.resolve_import(call.func)
        found = self.project.function(target, self.path) if target else None
        return (found[0].tracer, found[1]) if found else None

    def shares_one_cell(self, expr: ast.expr) -> bool:
        """Whether a MultiRNNCell's list repeats one cell object: ``[cell] * n``, ``[cell for _ in range(n)]``.

        A comprehension whose element is a name bound outside it (or ``self.x``) yields the same
        object every time; one that calls a constructor or helper yields a new cell each time.
        """
        if isinstance(expr, ast.Name):
            scope = self.bindings.scope_defining(expr, expr.id)
            values = scope.assignments.get(expr.id, []) if scope and not scope.appends.get(expr.id) else []
            return len(values) == 1 and self.shares_one_cell(values[0])
        repeated = _repeated_list(expr)
        if repeated is not None:
            return literal_count(repeated[1]) != 1
        if isinstance(expr, (ast.ListComp, ast.GeneratorExp)) and expr.generators:
            targets = {node.id for generator in expr.generators for node in ast.walk(generator.target) if isinstance(node, ast.Name)}
            return self._made_outside(expr.elt, targets)
        return False

    def _made_outside(self, element: ast.expr, targets: set[str]) -> bool:
        """Whether a comprehension's element is (or wraps) a cell object built before the comprehension."""
        if isinstance(element, ast.Name):
            return element.id not in targets
        if isinstance(element, ast.Attribute):
            return is_self(element.value)
        if isinstance(element, ast.Call) and (self.imports.resolve(element.func) or "").endswith(_WRAPPERS):
            keywords = {keyword.arg: keyword.value for keyword in element.keywords}
            wrapped = element.args[0] if element.args else keywords.get("cell")
            return wrapped is not None and self._made_outside(wrapped, targets)
        return False

    def values_of(self, expr: ast.expr) -> list[ast.expr]:
        """What a name or ``self.attribute`` is assigned in this file (any value, not only cells)."""
        if isinstance(expr, ast.Attribute) and is_self(expr.value):
            return list(self.bindings.class_attributes.get(expr.attr, []))
        if isinstance(expr, ast.Name):
            scope = self.bindings.scope_defining(expr, expr.id)
            if scope is not None:
                return [value for value in scope.assignments.get(expr.id, []) if not _encloses(value, expr)]
        return []

    def merge(self, primary: CellInfo, alternatives: list[CellInfo]) -> CellInfo:
        return self._merge(primary, alternatives)

    # -- tracing ----------------------------------------------------------------

    def _trace_call(self, call: ast.Call, depth: int) -> CellInfo:
        from rnnmigrate.rules import rule_for
        from rnnmigrate.rules.base import Site

        qualified = self.imports.resolve(call.func)
        if qualified is not None:
            rule = rule_for(qualified)
            if rule is not None and rule.kind == "cell":
                assessment = rule.assess(Site(call, qualified, call, self))
                return assessment.cells[0]
            return unknown(f"`{short_source(call.func)}` is not an RNN cell constructor", call.lineno)
        helper, via = self._local_function(call), None
        if helper is None and isinstance(call.func, ast.Name):
            helper, via = self._function_in_variable(call.func)
        if helper is not None:
            returns = [node.value for node in own_returns(helper) if node.value is not None]
            if not returns:
                return unknown(f"{helper.name}() returns no cell", call.lineno)
            traced = [self.trace(value, depth + 1) for value in returns]
            cell = self._merge(traced[-1], traced[:-1])
            return replace(cell, via=cell.via or via) if via and not cell.problem else cell
        choices = self.class_choices(call.func)
        if choices:
            built = [self.construct(reference, call) for reference in choices]
            scope = self.bindings.scope_defining(call.func, call.func.id) if isinstance(call.func, ast.Name) else None
            compared = compared_class(self, scope.node, call.func.id) if scope is not None else None
            cells = [compared, *built] if compared else built  # the first problem is the reason given
            return self._merge(cells[0], cells[1:])
        if isinstance(call.func, ast.Name) and self.values_of(call.func):
            value = self.values_of(call.func)[-1]
            return unknown(
                f"the cell comes from calling `{call.func.id}`, set to `{short_source(value)}` on line {value.lineno}: "
                "not a cell constructor the scan can follow",
                call.lineno,
            )
        defined = self.cell_class(call.func)
        if defined is not None:
            return self._instance(call, *defined)
        elsewhere = self._trace_into_project(call, depth)
        if elsewhere is not None:
            return elsewhere
        if isinstance(call.func, ast.Attribute) and is_self(call.func.value) and call.func.attr in self.bindings.class_attributes:
            values = self.bindings.class_attributes[call.func.attr]
            owner = self.bindings.enclosing_class(call)
            value = next((v for v in reversed(values) if self.bindings.enclosing_class(v) is owner), values[-1])
            return unknown(
                f"the cell comes from calling `self.{call.func.attr}`, set to `{short_source(value)}` on line {value.lineno}: "
                "an object whose calls the scan cannot follow",
                call.lineno,
            )
        return self._from_outside(call)

    def _from_outside(self, call: ast.Call) -> CellInfo:
        """A class its callers pass (``cell_class(n)``), or why a call this file cannot see into stays manual."""
        if isinstance(call.func, ast.Name):
            scope = self.bindings.scope_defining(call.func, call.func.id)
            if scope is not None and call.func.id in scope.parameters and isinstance(scope.node, _FUNCTIONS):
                return trace_class_parameter(self, scope.node, call.func.id, call)
        return unknown(f"the cell comes from `{short_source(call.func)}()`, defined outside this file", call.lineno)

    def _trace_into_project(self, call: ast.Call, depth: int) -> CellInfo | None:
        """A factory imported from another module of the project: trace what it returns, there."""
        if self.project is None:
            return None
        target = self.imports.resolve_import(call.func)
        found = self.project.function(target, self.path) if target else None
        if found is None:
            return None
        module, function = found
        returns = [node.value for node in own_returns(function) if node.value is not None]
        if not returns:
            return unknown(f"{target}() returns no cell", call.lineno)
        traced = [module.tracer.trace(value, depth + 1) for value in returns]
        return traced_elsewhere(self._merge(traced[-1], traced[:-1]), module.path, self.project)

    def _trace_name(self, name: ast.Name, depth: int) -> CellInfo:
        scope = self.bindings.scope_defining(name, name.id)
        if scope is None:
            return unknown(f"`{name.id}` is not assigned in this file", name.lineno)
        # ``cell = Wrapper(cell)``: the argument is the value from before this assignment
        values = [value for value in scope.assignments.get(name.id, []) if not _encloses(value, name)]
        if name.id in scope.parameters and not values:
            if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return trace_parameter(self, scope.node, name, depth)
            return unknown(f"`{name.id}` is a parameter of {scope.label}; its construction cannot be traced", name.lineno)
        return self._pick(values, name, depth, name.id)

    def _pick(self, values: list[ast.expr], use: ast.expr, depth: int, label: str) -> CellInfo:
        if not values:
            return unknown(f"`{label}` is not assigned in this file", use.lineno)
        ordered = sorted(values, key=lambda value: (value.lineno, value.col_offset))
        before = self.bindings.reaching([value for value in ordered if value.lineno <= use.lineno], use) or ordered
        primary = self.trace(before[-1], depth + 1)
        # a value assigned after this use cannot reach it (and may wrap this very name)
        others = [self.trace(value, depth + 1) for value in before if value is not before[-1]]
        return self._merge(primary, others)

    @staticmethod
    def _merge(primary: CellInfo, alternatives: list[CellInfo]) -> CellInfo:
        """Keep the primary cell, but let any other possible value's problem make it manual.

        The other values are kept as alternatives: the RNN call runs them too, so they are
        migrated with it or not at all.
        """
        for other in alternatives:
            problems = other.problems()
            if problems and not primary.problem:
                primary = replace(primary, problem=f"on another path: {problems[0]}")
        traced = tuple(other for other in alternatives if other.positions())
        if traced:
            primary = replace(primary, alternatives=primary.alternatives + traced)
        return primary

    def _local_function(self, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if isinstance(call.func, ast.Name):
            return self.bindings.function_named(call.func.id, call)
        if isinstance(call.func, ast.Attribute) and is_self(call.func.value):
            return self.bindings.class_methods.get(call.func.attr)
        return None

    def _function_in_variable(self, name: ast.Name) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, str | None]:
        """``if not cell_fn: cell_fn = make_cell`` then ``cell_fn(...)``: the one function of this file it names.

        When the variable is a parameter, a caller may pass another function: the fix is then
        exact only if none does, which the call states as its assumption.
        """
        scope = self.bindings.scope_defining(name, name.id)
        if scope is None:
            return None, None
        named = {
            candidate.id
            for value in scope.assignments.get(name.id, [])
            for candidate in (value.values if isinstance(value, ast.BoolOp) else [value])
            if isinstance(candidate, ast.Name)
        }
        functions = [found for found in (self.bindings.function_named(candidate, name) for candidate in named) if found]
        if len(functions) != 1 or len(named) != 1:
            return None, None
        (function,) = functions
        if name.id not in scope.parameters:
            return function, None
        return function, (
            f"no caller of {scope.label} passes its own `{name.id}`: the cells it builds are those of {function.name}()"
        )

def _repeated_list(expr: ast.expr) -> tuple[ast.List, ast.expr] | None:
    """``[a, b] * n`` or ``n * [a, b]``: the list and the count."""
    if not (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult)):
        return None
    if isinstance(expr.left, ast.List):
        return expr.left, expr.right
    if isinstance(expr.right, ast.List):
        return expr.right, expr.left
    return None


def literal_count(expr: ast.expr) -> int | None:
    """A repeat count written as an integer literal (``[cell] * 1``), else None."""
    return expr.value if isinstance(expr, ast.Constant) and type(expr.value) is int else None


def _encloses(outer: ast.expr, inner: ast.expr) -> bool:
    """Whether ``inner`` sits inside ``outer`` in the source."""
    start = (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset)
    return start and (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)  # type: ignore[operator]


def short_source(node: ast.AST, limit: int = 60) -> str:
    text = source_text(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"
