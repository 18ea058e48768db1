"""Cheap name resolution over the stdlib ``ast``: which dotted TF name does an expression mean?

libcst's QualifiedNameProvider costs about ten times the parse; this module follows what TF1
code does: imports with aliases, star imports from TF modules, and module aliases assigned in
code (``rnn_cell = tf.nn.rnn_cell``), per scope as Python looks names up (module, class,
function, lambda, comprehension; a class body is not seen from its methods). Within one scope
there is no flow analysis: a TF binding anywhere in the scope wins over other bindings
(``try: import tensorflow as tf / except ImportError: tf = None``); a ``def`` or ``class`` of
the name, a parameter or another binding with no TF binding beside it hides outer TF names.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

TRACKED_ROOTS = ("tensorflow", "keras")
_SCOPES = (
    ast.Module,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


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


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def _is_tracked(qualified: str) -> bool:
    return qualified.split(".", 1)[0] in TRACKED_ROOTS


@dataclass
class _Names:
    """What one scope binds."""

    tf: dict[str, str] = field(default_factory=dict)
    other: set[str] = field(default_factory=set)
    defs: set[str] = field(default_factory=set)
    stars: list[str] = field(default_factory=list)
    outer: set[str] = field(default_factory=set)  # declared ``global`` or ``nonlocal``
    modules: dict[str, str] = field(default_factory=dict)  # other imports: local name -> dotted target


class ImportTable:
    """Names bound to TensorFlow/Keras modules or objects in one file, scope by scope.

    ``exports`` says whether a star import can bring a dotted name (``tensorflow.contrib.rnn.LSTMCell``);
    without it star imports bring nothing.
    """

    def __init__(
        self,
        tree: ast.Module,
        nodes: list[ast.AST] | None = None,
        parents: dict[int, ast.AST] | None = None,
        exports: Callable[[str], bool] | None = None,
        package: str | None = None,
        accessed_elsewhere: Callable[[str], str | None] | None = None,
    ) -> None:
        """``package`` is the dotted package of the file, for its relative imports;
        ``accessed_elsewhere`` names the module a function of another module returns (see
        ``accessed_module``)."""
        if nodes is None or parents is None:
            nodes, parents = _walk(tree)
        self.tree = tree
        self.parents = parents
        self.exports = exports
        self.package = package
        self.accessed_elsewhere = accessed_elsewhere
        self._accessing = False
        self.scopes: dict[int, _Names] = {}
        self._scope_cache: dict[int, ast.AST] = {}
        self._collect(nodes)
        # Every TF binding of the file and whether a star import may add more: a quick "could
        # this name be TF" before resolving it in its scope.
        self.bindings: dict[str, str] = {}
        for names in self.scopes.values():
            self.bindings.update(names.tf)
        self.has_star = any(names.stars for names in self.scopes.values())

    def might_bind(self, name: str) -> bool:
        return name in self.bindings or self.has_star

    def resolve(self, node: ast.AST) -> str | None:
        """The fully qualified name of a dotted expression, if it starts at a tracked binding."""
        parts = dotted_parts(node)
        if parts is None:
            return self._resolve_accessed(node)
        if not self.has_star and parts[0] not in self.bindings:
            return None
        target = self._lookup(parts[0], self.scope_of(_root(node)))
        if target is None:
            return None
        return ".".join([target, *parts[1:]])

    def _resolve_accessed(self, node: ast.AST) -> str | None:
        """``contrib.rnn().MultiRNNCell``: the attribute of a module an accessor call returns."""
        attributes = []
        while isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        if not attributes or not isinstance(node, ast.Call) or node.args or node.keywords:
            return None
        module = self.accessed_module(node.func)
        return ".".join([module, *reversed(attributes)]) if module else None

    def accessed_module(self, func: ast.AST) -> str | None:
        """The TF module a call of ``func`` returns, when ``func`` is an accessor.

        An accessor is a function whose every return is one TF name, typically a module it
        imports inside (tensor2tensor's ``def rnn(): from tensorflow.contrib import rnn as
        contrib_rnn; return contrib_rnn``, which keeps ``tf.contrib`` out of import time).
        Functions of this file are read here; ``accessed_elsewhere`` reads another module's.
        """
        if self._accessing:  # an accessor calling itself
            return None
        self._accessing = True
        try:
            if isinstance(func, ast.Name) and self._defined_at_module_level(func):
                functions = self._module_functions(func.id)
                return self.returned_name(functions[0]) if len(functions) == 1 else None
            target = self.resolve_import(func) if self.accessed_elsewhere is not None else None
            return self.accessed_elsewhere(target) if target else None
        finally:
            self._accessing = False

    def returned_name(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        """The one TF name every return of ``function`` (of this file) gives, if there is one."""
        from rnnmigrate.bindings import own_returns

        returned = {self.resolve(node.value) if node.value is not None else None for node in own_returns(function)}
        return returned.pop() if len(returned) == 1 and None not in returned else None

    def _module_functions(self, name: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The module-level ``def name`` statements, inside ``if`` / ``try`` blocks too."""
        found, stack = [], list(self.tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [node] if node.name == name else []
            elif isinstance(node, ast.stmt) and not isinstance(node, ast.ClassDef):
                stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, (ast.stmt, ast.excepthandler)))
            elif isinstance(node, ast.excepthandler):
                stack.extend(node.body)
        return found

    def _defined_at_module_level(self, name: ast.Name) -> bool:
        scope = self.scope_of(name)
        while not isinstance(scope, ast.Module):
            names = self.scopes.get(id(scope))
            if names is not None and (name.id in names.defs or name.id in names.tf or name.id in names.other):
                return False
            scope = self.scope_of(scope)
        names = self.scopes.get(id(scope))
        return names is not None and name.id in names.defs and name.id not in names.tf and name.id not in names.other

    def resolve_import(self, node: ast.AST) -> str | None:
        """The dotted target of an expression rooted at a non-TF import (``helpers.make_cell``)."""
        parts = dotted_parts(node)
        if parts is None:
            return None
        scope = self.scope_of(_root(node))
        first = True
        while True:
            names = self.scopes.get(id(scope))
            skip = isinstance(scope, ast.ClassDef) and not first
            if names is not None and not skip and parts[0] not in names.outer:
                if parts[0] in names.modules:
                    return ".".join([names.modules[parts[0]], *parts[1:]])
                if parts[0] in names.defs or parts[0] in names.tf or parts[0] in names.other:
                    return None
            if isinstance(scope, ast.Module):
                return None
            scope = self.scope_of(scope)
            first = False

    # -- scopes -----------------------------------------------------------------

    def scope_of(self, node: ast.AST) -> ast.AST:
        """The scope whose names a node sees: decorators, defaults and bases see the enclosing one."""
        cache = self._scope_cache
        cached = cache.get(id(node))
        if cached is not None:
            return cached
        path = [node]  # every node below the scope boundary sees the same scope: remember them all
        child, parent = node, self.parents.get(id(node))
        scope = None
        while parent is not None:
            if isinstance(parent, _SCOPES) and _inside(parent, child):
                scope = parent
                break
            scope = cache.get(id(parent))
            if scope is not None:
                break
            path.append(parent)
            child, parent = parent, self.parents.get(id(parent))
        scope = scope if scope is not None else self.tree
        for visited in path:
            cache[id(visited)] = scope
        return scope

    def _names(self, scope: ast.AST) -> _Names:
        names = self.scopes.get(id(scope))
        if names is None:
            names = self.scopes[id(scope)] = _Names()
        return names

    def _lookup(self, name: str, scope: ast.AST) -> str | None:
        first = True
        while True:
            names = self.scopes.get(id(scope))
            skip = isinstance(scope, ast.ClassDef) and not first  # methods do not see the class body
            if names is not None and not skip and name not in names.outer:
                if name in names.defs:
                    return None
                if name in names.tf:
                    return names.tf[name]
                if name in names.other:
                    return None
            if isinstance(scope, ast.Module):
                return self._from_star(name, names)
            scope = self.scope_of(scope)
            first = False

    def _from_star(self, name: str, names: _Names | None) -> str | None:
        if names is None or self.exports is None:
            return None
        for module in reversed(names.stars):
            if self.exports(f"{module}.{name}"):
                return f"{module}.{name}"
        return None

    # -- bindings ---------------------------------------------------------------

    def _collect(self, nodes: list[ast.AST]) -> None:
        aliases: list[ast.Assign] = []
        for node in nodes:
            if isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load):
                    self._bound_in(self._binding_scope(node), node.id).other.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self._bind_import(node)
            elif isinstance(node, ast.Assign):
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    aliases.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._names(self.scope_of(node)).defs.add(node.name)
                if not isinstance(node, ast.ClassDef):
                    self._names(node).other.update(_parameters(node.args))
            elif isinstance(node, ast.Lambda):
                self._names(node).other.update(_parameters(node.args))
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                self._names(self.scope_of(node)).outer.update(node.names)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self._names(self.scope_of(node)).other.add(node.name)
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                self._names(self.scope_of(node)).other.add(node.name)
        self._bind_aliases(aliases)

    def _binding_scope(self, name: ast.Name) -> ast.AST:
        """A walrus in a comprehension binds in the enclosing function, as Python does."""
        scope = self.scope_of(name)
        if isinstance(self.parents.get(id(name)), ast.NamedExpr):
            while isinstance(scope, _COMPREHENSIONS):
                scope = self.scope_of(scope)
        return scope

    def _bound_in(self, scope: ast.AST, name: str) -> _Names:
        """The names of the scope a binding lands in: the module's for a name declared ``global``."""
        names = self._names(scope)
        return self._names(self.tree) if name in names.outer else names

    def _bind_import(self, node: ast.Import | ast.ImportFrom) -> None:
        scope = self.scope_of(node)
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                if not _is_tracked(alias.name):
                    names = self._bound_in(scope, local)
                    names.other.add(local)
                    names.modules[local] = alias.name if alias.asname else local
                else:
                    self._bound_in(scope, local).tf[local] = alias.name if alias.asname else local
            return
        tracked = not node.level and node.module is not None and _is_tracked(node.module)
        for alias in node.names:
            local = alias.asname or alias.name
            if alias.name == "*":
                if tracked:
                    self._names(scope).stars.append(node.module)  # type: ignore[arg-type]
            elif tracked:
                self._bound_in(scope, local).tf[local] = f"{node.module}.{alias.name}"
            else:
                names = self._bound_in(scope, local)
                names.other.add(local)
                source = self._imported_module(node)
                if source is not None:
                    names.modules[local] = f"{source}.{alias.name}" if source else alias.name

    def _imported_module(self, node: ast.ImportFrom) -> str | None:
        """The absolute module a ``from`` import reads; None for a relative one without a package."""
        if not node.level:
            return node.module
        if self.package is None:
            return None
        parts = self.package.split(".") if self.package else []
        if node.level - 1 > len(parts):
            return None
        base = parts[: len(parts) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def _bind_aliases(self, assignments: list[ast.Assign]) -> None:
        """Follow ``x = tf.nn`` style aliases; repeat so that chains of aliases resolve.

        A name assigned more than once in its scope (``cell_type = LSTMCell``, then
        ``cell_type = GRUCell`` on one branch) is no alias: it may be either.
        """
        counts = Counter((id(self.scope_of(node)), node.targets[0].id) for node in assignments)  # type: ignore[attr-defined]
        pending = [node for node in assignments if counts[(id(self.scope_of(node)), node.targets[0].id)] == 1]  # type: ignore[attr-defined]
        changed = True
        while changed and pending:
            changed = False
            for node in list(pending):
                qualified = self._resolve_now(node.value)
                if qualified is not None:
                    target: ast.Name = node.targets[0]  # type: ignore[assignment]
                    self._names(self.scope_of(node)).tf[target.id] = qualified
                    pending.remove(node)
                    changed = True

    def _resolve_now(self, node: ast.AST) -> str | None:
        parts = dotted_parts(node)
        if parts is None:
            return None
        target = self._lookup(parts[0], self.scope_of(_root(node)))
        return None if target is None else ".".join([target, *parts[1:]])


def _inside(scope: ast.AST, child: ast.AST) -> bool:
    """Whether ``child`` (a direct child of ``scope``) is evaluated inside that scope."""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return child is not scope.args and child is not scope.returns and not any(child is d for d in scope.decorator_list)
    if isinstance(scope, ast.Lambda):
        return child is not scope.args
    if isinstance(scope, ast.ClassDef):
        outside = (*scope.decorator_list, *scope.bases, *scope.keywords)
        return not any(child is node for node in outside)
    return True


def _parameters(arguments: ast.arguments) -> set[str]:
    names = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    names.update(arg.arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
    return names


def _walk(tree: ast.AST) -> tuple[list[ast.AST], dict[int, ast.AST]]:
    nodes: list[ast.AST] = [tree]
    parents: dict[int, ast.AST] = {}
    for node in nodes:
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            nodes.append(child)
    return nodes, parents
