"""A cell that is a function's parameter: what every caller in the project passes for it.

``def encode(cell, inputs): return tf.nn.dynamic_rnn(cell, inputs, ...)`` is migrated when
each call of ``encode`` passes a cell that migrates: those cells become the call's cells, and
the files that build them link to this one. Callers are looked for in this file and in every
project file whose text names the function; a caller that cannot be seen (the function passed
as a value, a method called on another object, ``*args``) makes the fix unsafe, saying so.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from rnnmigrate.findings import CellInfo
from rnnmigrate.project import traced_elsewhere

if TYPE_CHECKING:
    from rnnmigrate.trace import CellTracer

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class CallerSearch:
    """The calls found (with the tracer of the file each is in) and why the list may be incomplete."""

    calls: list[tuple[CellTracer, ast.Call]] = field(default_factory=list)
    unseen: str | None = None

    def note(self, reason: str) -> None:
        self.unseen = self.unseen or reason


@dataclass
class References:
    """One file's calls and other mentions of names, indexed on first use."""

    calls: dict[str, list[ast.Call]] = field(default_factory=dict)
    mentions: dict[str, list[ast.expr]] = field(default_factory=dict)

    @classmethod
    def of(cls, nodes: list[ast.AST]) -> References:
        found = cls()
        called: set[int] = set()
        for node in nodes:
            if isinstance(node, ast.Call):
                name = _terminal_name(node.func)
                if name is not None:
                    found.calls.setdefault(name, []).append(node)
                    called.add(id(node.func))
        for node in nodes:
            if isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in called and isinstance(node.ctx, ast.Load):
                name = _terminal_name(node)
                if name is not None:
                    found.mentions.setdefault(name, []).append(node)
        return found


def trace_parameter(tracer: CellTracer, function: Function, name: ast.Name, depth: int) -> CellInfo:
    """The cells the callers of ``function`` pass as parameter ``name``, merged; why not, else."""
    from rnnmigrate.trace import unknown

    label = f"{function.name}()"
    search, passed = passed_values(tracer, function, name.id)
    traced: list[CellInfo] = []
    for caller, argument in passed:
        cell = caller.trace(argument, depth + 1)
        if caller is not tracer and caller.project is not None:
            cell = traced_elsewhere(cell, caller.path, caller.project)
        traced.append(cell)
    if not traced:
        why = search.unseen or f"no call of it in {'the project' if tracer.project else 'this file'} passes one"
        return unknown(f"`{name.id}` is a parameter of {label}; its construction cannot be traced ({why})", name.lineno)
    cell = tracer.merge(traced[0], traced[1:])
    if search.unseen and not cell.problem:
        via = f"{search.unseen}, and those callers pass migrated cells as `{name.id}` too"
        cell = replace(cell, via=cell.via or via)
    return cell


def trace_class_parameter(tracer: CellTracer, function: Function, name: str, call: ast.Call) -> CellInfo:
    """``cell_class(n)`` where ``cell_class`` (``name``) is a parameter: the cells of the classes its callers pass."""
    from rnnmigrate.trace import unknown

    label = f"`{name}`, a parameter of {function.name}()"
    search, passed = passed_values(tracer, function, name)
    if not passed:
        why = search.unseen or "no call of it in the project passes one"
        return unknown(f"the cell class is {label}, which cannot be traced ({why})", call.lineno)
    untraceable: list[CellInfo] = []
    built: list[CellInfo] = []
    for caller, value in passed:
        choices = caller.class_choices(value)
        built.extend(tracer.construct(reference, call, owner=caller) for reference in choices)
        if not choices:
            where = "" if caller is tracer else f" in {caller.project.describe(caller.path)}"
            untraceable.append(unknown(f"the cell class is {label}; a call passes `{ast.unparse(value)}`{where} on "
                                       f"line {value.lineno}, which is not a cell class the scan can follow", call.lineno))
    compared = compared_class(tracer, function, name)
    cells = [*([compared] if compared else []), *untraceable, *built]  # the first problem is the reason given
    cell = tracer.merge(cells[0], cells[1:])
    if search.unseen and not cell.problem:
        cell = replace(cell, via=cell.via or f"{search.unseen}, and those callers pass such classes as `{name}` too")
    return cell


def compared_class(tracer: CellTracer, scope: ast.AST, name: str) -> CellInfo | None:
    """``if cell_class is tf.nn.rnn_cell.GRUCell``: a test of the class variable ``name`` against a
    TF1 class, which the migrated classes would fail, so the code would take another branch."""
    from rnnmigrate.rules import rule_for
    from rnnmigrate.trace import unknown

    where = f"{scope.name}()" if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else "the module"
    for node in ast.walk(scope):
        for item in (inner for tested in _tested_with(node, name) for inner in ast.walk(tested)):
            qualified = tracer.imports.resolve(item) if isinstance(item, (ast.Name, ast.Attribute)) else None
            rule = rule_for(qualified) if qualified else None
            if rule is not None and rule.kind in ("cell", "class"):
                return unknown(f"{where} tests `{name}` against {ast.unparse(item)} on line {item.lineno}, "
                               "a TF1 class the migrated classes would fail; test by name, or migrate by hand", item.lineno)
    return None


def _tested_with(node: ast.AST, name: str) -> list[ast.expr]:
    """The operands of a comparison or an ``isinstance`` / ``issubclass`` test that involves ``name``."""
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("isinstance", "issubclass"):
        operands = list(node.args)
    else:
        return []
    return operands if any(isinstance(item, ast.Name) and item.id == name for item in operands) else []


def passed_values(tracer: CellTracer, function: Function, parameter: str) -> tuple[CallerSearch, list[tuple[CellTracer, ast.expr]]]:
    """What each call of ``function`` passes as ``parameter``, with the tracer of the file the value is
    written in (the function's own for a default), and the search (why the list may be incomplete)."""
    search = find_callers(tracer, function)
    default = _default(function.args, parameter)
    passed = []
    for caller, call in search.calls:
        argument = argument_for(function, call, parameter, is_method=tracer.bindings.is_method(function))
        if argument is _UNBOUND:
            search.note(f"a call of {function.name}() on line {call.lineno} passes arguments the scan cannot bind")
        elif argument is not None:
            passed.append((tracer if argument is default else caller, argument))
    return search, passed


def find_callers(tracer: CellTracer, function: Function) -> CallerSearch:
    search = CallerSearch()
    if tracer.bindings.is_method(function):
        search.note(f"{function.name}() is a method, which other objects' code may call")
        search.calls.extend((tracer, call) for call in tracer.bindings.references.calls.get(function.name, [])
                            if isinstance(call.func, ast.Attribute) and _is_self(call.func.value))
        return search
    _local_callers(tracer, function, search)
    if tracer.project is not None and tracer.bindings.is_module_level(function):
        _project_callers(tracer, function, search)
    return search


def _local_callers(tracer: CellTracer, function: Function, search: CallerSearch) -> None:
    for call in tracer.bindings.references.calls.get(function.name, []):
        if isinstance(call.func, ast.Name) and tracer.bindings.function_named(function.name, call) is function:
            search.calls.append((tracer, call))
    for mention in tracer.bindings.references.mentions.get(function.name, []):
        if isinstance(mention, ast.Name) and tracer.bindings.function_named(function.name, mention) is function:
            search.note(f"{function.name} is used as a value on line {mention.lineno}")


def _project_callers(tracer: CellTracer, function: Function, search: CallerSearch) -> None:
    project = tracer.project
    assert project is not None
    for path in project.files_mentioning(function.name):
        other = project.tracer_of(path)
        if other is None or other is tracer or project.same_file(other.path, tracer.path):
            continue
        for call in other.bindings.references.calls.get(function.name, []):
            if _resolves_to(other, call.func, function, tracer.path):
                search.calls.append((other, call))
        for mention in other.bindings.references.mentions.get(function.name, []):
            if _resolves_to(other, mention, function, tracer.path):
                search.note(f"{function.name} is used as a value in {project.describe(path)} on line {mention.lineno}")


def _resolves_to(tracer: CellTracer, node: ast.expr, function: Function, path: str) -> bool:
    assert tracer.project is not None
    target = tracer.imports.resolve_import(node)
    found = tracer.project.function(target, tracer.path) if target else None
    return found is not None and found[1].name == function.name and tracer.project.same_file(found[0].path, path)


_UNBOUND = object()


def argument_for(function: Function, call: ast.Call, parameter: str, is_method: bool = False) -> ast.expr | None | object:
    """What ``call`` passes as ``parameter`` (its default when left out); ``_UNBOUND`` for ``*args``."""
    if any(isinstance(argument, ast.Starred) for argument in call.args) or any(k.arg is None for k in call.keywords):
        return _UNBOUND
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args][1 if is_method else 0 :]
    for keyword in call.keywords:
        if keyword.arg == parameter:
            return keyword.value
    names = [argument.arg for argument in positional]
    if parameter in names and names.index(parameter) < len(call.args):
        return call.args[names.index(parameter)]
    return _default(arguments, parameter)


def _default(arguments: ast.arguments, parameter: str) -> ast.expr | None:
    positional = [*arguments.posonlyargs, *arguments.args]
    with_defaults = positional[len(positional) - len(arguments.defaults) :]
    for argument, default in zip(with_defaults, arguments.defaults):
        if argument.arg == parameter:
            return None if _is_none(default) else default
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if argument.arg == parameter and default is not None:
            return None if _is_none(default) else default
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _terminal_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"
