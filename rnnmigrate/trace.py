"""Follow an RNN call's cell argument back to the constructor that built it.

TF1 code builds cells inline, in a variable a few lines up, in a list or comprehension for a
MultiRNNCell, in a small ``def make_cell(): return ...`` helper, or on ``self``. The tracer
follows those within one file; anything else (a parameter, another module, an arbitrary
expression) is reported as untraceable, which makes the site a manual migration.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field, replace

from rnnmigrate.findings import CellInfo
from rnnmigrate.names import ImportTable
from rnnmigrate.project import Project, traced_elsewhere

ScopeNode = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_SCOPE_TYPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_MAX_DEPTH = 12
_WRAPPERS = (".DropoutWrapper", ".ResidualWrapper", ".DeviceWrapper")


@dataclass
class _Scope:
    node: ScopeNode
    parent: _Scope | None
    assignments: dict[str, list[ast.expr]] = field(default_factory=lambda: defaultdict(list))
    appends: dict[str, list[ast.expr]] = field(default_factory=lambda: defaultdict(list))
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    parameters: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return getattr(self.node, "name", "<lambda>") + "()"


def unknown(problem: str, line: int | None = None) -> CellInfo:
    return CellInfo(kind="unknown", line=line, problem=problem)


def source_text(node: ast.AST) -> str:
    return ast.unparse(node)


class CellTracer:
    """Index one module's scopes once, then trace any number of cell expressions."""

    def __init__(self, tree: ast.Module, imports: ImportTable, nodes: list[ast.AST] | None = None,
                 parents: dict[int, ast.AST] | None = None, project: Project | None = None,
                 path: str = "<string>") -> None:
        self.imports = imports
        self.project, self.path = project, path
        if nodes is None or parents is None:
            nodes, parents = walk_with_parents(tree)
        self._parents = parents
        self._scopes: dict[int, _Scope] = {}
        self._class_attributes: dict[str, list[ast.expr]] = defaultdict(list)
        self._class_methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._local_classes = {node.name: node for node in nodes if isinstance(node, ast.ClassDef)}
        self._active: set[int] = set()
        self._index(nodes)

    # -- public -----------------------------------------------------------------

    def trace(self, expr: ast.expr, depth: int = 0) -> CellInfo:
        """The cell an expression evaluates to, as far as this file shows."""
        if depth > _MAX_DEPTH:
            return unknown("the cell is built through too many indirections to follow", expr.lineno)
        if id(expr) in self._active:  # rules trace their own arguments afresh, so depth alone misses a cycle
            return unknown(f"`{_short(expr)}` is built from itself", expr.lineno)
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
        if isinstance(expr, ast.Attribute) and _is_self(expr.value):
            return self._pick(self._class_attributes.get(expr.attr, []), expr, depth, f"self.{expr.attr}")
        if isinstance(expr, ast.IfExp):
            return self._merge(self.trace(expr.body, depth + 1), [self.trace(expr.orelse, depth + 1)])
        return unknown(f"the cell is the expression `{_short(expr)}`, which cannot be traced", expr.lineno)

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
            scope = self._scope_defining(expr, expr.id)
            if scope is not None and scope.appends.get(expr.id):
                return [self.trace(value, depth + 1) for value in scope.appends[expr.id]], None
            values = scope.assignments.get(expr.id, []) if scope else []
            if values:
                return self.trace_sequence(values[-1], depth + 1)
        return [unknown(f"the list of cells `{_short(expr)}` cannot be traced", expr.lineno)], None

    def shares_one_cell(self, expr: ast.expr) -> bool:
        """Whether a MultiRNNCell's list repeats one cell object: ``[cell] * n``, ``[cell for _ in range(n)]``.

        A comprehension whose element is a name bound outside it (or ``self.x``) yields the same
        object every time; one that calls a constructor or helper yields a new cell each time.
        """
        if isinstance(expr, ast.Name):
            scope = self._scope_defining(expr, expr.id)
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
            return _is_self(element.value)
        if isinstance(element, ast.Call) and (self.imports.resolve(element.func) or "").endswith(_WRAPPERS):
            keywords = {keyword.arg: keyword.value for keyword in element.keywords}
            wrapped = element.args[0] if element.args else keywords.get("cell")
            return wrapped is not None and self._made_outside(wrapped, targets)
        return False

    def values_of(self, expr: ast.expr) -> list[ast.expr]:
        """What a name or ``self.attribute`` is assigned in this file (any value, not only cells)."""
        if isinstance(expr, ast.Attribute) and _is_self(expr.value):
            return list(self._class_attributes.get(expr.attr, []))
        if isinstance(expr, ast.Name):
            scope = self._scope_defining(expr, expr.id)
            if scope is not None:
                return [value for value in scope.assignments.get(expr.id, []) if not _encloses(value, expr)]
        return []

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
            return unknown(f"`{_short(call.func)}` is not an RNN cell constructor", call.lineno)
        helper = self._local_function(call)
        if helper is not None:
            returns = [node.value for node in _own_returns(helper) if node.value is not None]
            if not returns:
                return unknown(f"{helper.name}() returns no cell", call.lineno)
            traced = [self.trace(value, depth + 1) for value in returns]
            return self._merge(traced[-1], traced[:-1])
        if isinstance(call.func, ast.Name) and call.func.id in self._local_classes:
            from rnnmigrate.rules.custom_cells import trace_instance

            instance = trace_instance(self, self._local_classes[call.func.id], call)
            if instance is not None:
                return instance
            return unknown(f"`{call.func.id}` is a class defined in this file, not a TF1 cell", call.lineno)
        elsewhere = self._trace_into_project(call, depth)
        if elsewhere is not None:
            return elsewhere
        return unknown(f"the cell comes from `{_short(call.func)}()`, defined outside this file", call.lineno)

    def _trace_into_project(self, call: ast.Call, depth: int) -> CellInfo | None:
        """A factory imported from another module of the project: trace what it returns, there."""
        if self.project is None:
            return None
        target = self.imports.resolve_import(call.func)
        found = self.project.function(target, self.path) if target else None
        if found is None:
            return None
        module, function = found
        returns = [node.value for node in _own_returns(function) if node.value is not None]
        if not returns:
            return unknown(f"{target}() returns no cell", call.lineno)
        traced = [module.tracer.trace(value, depth + 1) for value in returns]
        return traced_elsewhere(self._merge(traced[-1], traced[:-1]), module.path, self.project)

    def _trace_name(self, name: ast.Name, depth: int) -> CellInfo:
        scope = self._scope_defining(name, name.id)
        if scope is None:
            return unknown(f"`{name.id}` is not assigned in this file", name.lineno)
        # ``cell = Wrapper(cell)``: the argument is the value from before this assignment
        values = [value for value in scope.assignments.get(name.id, []) if not _encloses(value, name)]
        if name.id in scope.parameters and not values:
            return unknown(f"`{name.id}` is a parameter of {scope.label}; its construction cannot be traced", name.lineno)
        return self._pick(values, name, depth, name.id)

    def _pick(self, values: list[ast.expr], use: ast.expr, depth: int, label: str) -> CellInfo:
        if not values:
            return unknown(f"`{label}` is not assigned in this file", use.lineno)
        before = [value for value in values if value.lineno <= use.lineno] or values
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
            scope: _Scope | None = self._scope_of(call)
            while scope is not None:
                if call.func.id in scope.functions:
                    return scope.functions[call.func.id]
                scope = scope.parent
        if isinstance(call.func, ast.Attribute) and _is_self(call.func.value):
            return self._class_methods.get(call.func.attr)
        return None

    def _scope_defining(self, node: ast.AST, name: str) -> _Scope | None:
        scope: _Scope | None = self._scope_of(node)
        while scope is not None:
            if name in scope.assignments or name in scope.parameters:
                return scope
            scope = scope.parent
        return None

    # -- indexing ---------------------------------------------------------------

    def _scope_of(self, node: ast.AST) -> _Scope:
        """The function (or module) scope a node's names live in; classes are not scopes."""
        parent = self._parents.get(id(node))
        while parent is not None and not isinstance(parent, _SCOPE_TYPES):
            parent = self._parents.get(id(parent))
        if parent is None:
            parent = node if isinstance(node, ast.Module) else parent
        return self._scope(parent)  # type: ignore[arg-type]

    def _scope(self, node: ScopeNode | None) -> _Scope:
        if node is None:
            return self._scopes.setdefault(0, _Scope(ast.Module(body=[], type_ignores=[]), None))
        scope = self._scopes.get(id(node))
        if scope is None:
            enclosing = None if isinstance(node, ast.Module) else self._scope_of(node)
            scope = self._scopes[id(node)] = _Scope(node, enclosing)
            if not isinstance(node, ast.Module):
                scope.parameters.update(_parameters(node.args))
        return scope

    def _index(self, nodes: list[ast.AST]) -> None:
        """One pass over the module's nodes: assignments, appends, functions, self attributes."""
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._scope_of(node).functions[node.name] = node
                if isinstance(self._parents.get(id(node)), ast.ClassDef):
                    self._class_methods[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._record_target(target, node.value, node)
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                self._record_target(node.target, node.value, node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if node.func.attr == "append" and isinstance(owner, ast.Name) and len(node.args) == 1:
                    self._scope_of(node).appends[owner.id].append(node.args[0])

    def _record_target(self, target: ast.expr, value: ast.expr, statement: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self._scope_of(statement).assignments[target.id].append(value)
        elif isinstance(target, ast.Attribute) and _is_self(target.value):
            self._class_attributes[target.attr].append(value)
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            if len(target.elts) == len(value.elts):
                for sub_target, sub_value in zip(target.elts, value.elts):
                    self._record_target(sub_target, sub_value, statement)


def walk_with_parents(tree: ast.AST) -> tuple[list[ast.AST], dict[int, ast.AST]]:
    """Every node (breadth first, like ``ast.walk``) and each node's parent, in one pass."""
    nodes: list[ast.AST] = [tree]
    parents: dict[int, ast.AST] = {}
    children = ast.iter_child_nodes
    for node in nodes:
        for child in children(node):
            parents[id(child)] = node
            nodes.append(child)
    return nodes, parents


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


def _parameters(arguments: ast.arguments) -> set[str]:
    names = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    names.update(arg.arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
    return names


def _encloses(outer: ast.expr, inner: ast.expr) -> bool:
    """Whether ``inner`` sits inside ``outer`` in the source."""
    start = (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset)
    return start and (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)  # type: ignore[operator]


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _own_returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
    """Return statements of this function, not of functions nested in it."""
    found: list[ast.Return] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            found.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _short(node: ast.AST, limit: int = 60) -> str:
    text = source_text(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"
