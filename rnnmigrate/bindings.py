"""What one module binds, indexed in one pass: the names each scope assigns, appends to and
defines, the attributes set on ``self``, the methods, the loop variables, and which of a
name's assignments can reach a given use. The tracer asks; this module only records.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from rnnmigrate.callers import References

ScopeNode = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
SCOPE_TYPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Scope:
    node: ScopeNode
    parent: Scope | None
    assignments: dict[str, list[ast.expr]] = field(default_factory=lambda: defaultdict(list))
    appends: dict[str, list[ast.expr]] = field(default_factory=lambda: defaultdict(list))
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    parameters: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return getattr(self.node, "name", "<lambda>") + "()"



class ModuleBindings:
    """One module's scopes and bindings (built once per parsed file)."""

    def __init__(self, nodes: list[ast.AST], parents: dict[int, ast.AST]) -> None:
        self.nodes, self.parents = nodes, parents
        self.scopes: dict[int, Scope] = {}
        self.class_attributes: dict[str, list[ast.expr]] = defaultdict(list)
        self.class_methods: dict[str, Function] = {}
        self.local_classes = {node.name: node for node in nodes if isinstance(node, ast.ClassDef)}
        self._references: References | None = None
        self._index(nodes)

    @property
    def references(self) -> References:
        """Calls and mentions of names in this file (for the callers of a function), indexed once."""
        if self._references is None:
            self._references = References.of(self.nodes)
        return self._references

    def is_method(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return isinstance(self.parents.get(id(function)), ast.ClassDef)

    def is_module_level(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return isinstance(self.parents.get(id(function)), ast.Module)

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        parent = self.parents.get(id(node))
        while parent is not None and not isinstance(parent, ast.ClassDef):
            parent = self.parents.get(id(parent))
        return parent

    def function_named(self, name: str, use: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        scope: Scope | None = self.scope_of(use)
        while scope is not None:
            if name in scope.functions:
                return scope.functions[name]
            scope = scope.parent
        return None

    def scope_defining(self, node: ast.AST, name: str) -> Scope | None:
        scope: Scope | None = self.scope_of(node)
        while scope is not None:
            if name in scope.assignments or name in scope.parameters:
                return scope
            scope = scope.parent
        return None

    def reaching(self, values: list[ast.expr], use: ast.expr) -> list[ast.expr]:
        """The values (in source order) that can reach ``use``.

        An assignment that runs on every path to the use (a statement earlier in a block that
        leads to it, in the same scope) hides the assignments before it: a notebook or script
        that reassigns ``cell`` for each example runs each RNN on its own cell.
        """
        blocks = self._blocks_leading_to(use)
        for position in range(len(values) - 1, 0, -1):
            located = self._statement_and_block(values[position])
            if located is not None and blocks.get(id(located[1]), -1) > located[0]:
                return values[position:]
        return values

    def _blocks_leading_to(self, node: ast.AST) -> dict[int, int]:
        """For each statement list enclosing ``node`` in its own scope: the index of the statement holding it."""
        blocks: dict[int, int] = {}
        while not isinstance(node, (*SCOPE_TYPES, ast.ClassDef)):
            parent = self.parents.get(id(node))
            if parent is None:
                break
            if isinstance(node, ast.stmt):
                block = _block_of(parent, node)
                if block is not None:
                    blocks[id(block)] = next(i for i, statement in enumerate(block) if statement is node)
            node = parent
        return blocks

    def _statement_and_block(self, value: ast.expr) -> tuple[int, list] | None:
        """The index of the assignment statement holding ``value`` and the statement list it sits in."""
        node: ast.AST = value
        while not isinstance(node, ast.stmt):
            node = self.parents.get(id(node))  # type: ignore[assignment]
            if node is None:
                return None
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            return None
        parent = self.parents.get(id(node))
        block = _block_of(parent, node) if parent is not None else None
        if block is None:
            return None
        return next(i for i, statement in enumerate(block) if statement is node), block

    # -- indexing ---------------------------------------------------------------

    def scope_of(self, node: ast.AST) -> Scope:
        """The function (or module) scope a node's names live in; classes are not scopes."""
        parent = self.parents.get(id(node))
        while parent is not None and not isinstance(parent, SCOPE_TYPES):
            parent = self.parents.get(id(parent))
        if parent is None:
            parent = node if isinstance(node, ast.Module) else parent
        return self._scope(parent)  # type: ignore[arg-type]

    def _scope(self, node: ScopeNode | None) -> Scope:
        if node is None:
            return self.scopes.setdefault(0, Scope(ast.Module(body=[], type_ignores=[]), None))
        scope = self.scopes.get(id(node))
        if scope is None:
            enclosing = None if isinstance(node, ast.Module) else self.scope_of(node)
            scope = self.scopes[id(node)] = Scope(node, enclosing)
            if not isinstance(node, ast.Module):
                scope.parameters.update(_parameters(node.args))
        return scope

    def _index(self, nodes: list[ast.AST]) -> None:
        """One pass over the module's nodes: assignments, appends, functions, self attributes."""
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.scope_of(node).functions[node.name] = node
                if isinstance(self.parents.get(id(node)), ast.ClassDef):
                    self.class_methods[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._record_target(target, node.value, node)
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                self._record_target(node.target, node.value, node)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                self._record_loop_target(node.target, node.iter, node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if node.func.attr == "append" and isinstance(owner, ast.Name) and len(node.args) == 1:
                    self.scope_of(node).appends[owner.id].append(node.args[0])

    def _record_target(self, target: ast.expr, value: ast.expr, statement: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.scope_of(statement).assignments[target.id].append(value)
        elif isinstance(target, ast.Attribute) and is_self(target.value):
            self.class_attributes[target.attr].append(value)
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            if len(target.elts) == len(value.elts):
                for sub_target, sub_value in zip(target.elts, value.elts):
                    self._record_target(sub_target, sub_value, statement)


    def _record_loop_target(self, target: ast.expr, iterable: ast.expr, statement: ast.stmt) -> None:
        """``for cell in cells``, ``for i, cell in enumerate(cells)``, ``for fw, bw in zip(fws, bws)``."""
        called = iterable.func.id if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) else None
        if called in ("enumerate", "reversed", "list", "tuple") and len(iterable.args) == 1:  # type: ignore[union-attr]
            if called == "enumerate":
                if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
                    return
                target = target.elts[1]
            self._record_loop_target(target, iterable.args[0], statement)  # type: ignore[union-attr]
        elif called == "zip" and isinstance(target, ast.Tuple) and len(target.elts) == len(iterable.args):  # type: ignore[union-attr]
            for sub_target, sequence in zip(target.elts, iterable.args):  # type: ignore[union-attr]
                self._record_loop_target(sub_target, sequence, statement)
        elif isinstance(target, ast.Name) and called not in ("enumerate", "zip", "range"):
            element = ast.Subscript(value=iterable, slice=ast.Constant(value=0), ctx=ast.Load())
            self._record_target(target, ast.copy_location(element, target), statement)


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


def _block_of(parent: ast.AST, statement: ast.stmt) -> list | None:
    """The statement list of ``parent`` (body, orelse, finalbody...) that holds ``statement``."""
    for _, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(item is statement for item in value):
            return value
    return None


def _parameters(arguments: ast.arguments) -> set[str]:
    names = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    names.update(arg.arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
    return names


def is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def own_returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
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
