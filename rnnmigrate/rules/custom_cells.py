"""RNN106: classes that subclass a TF1 ``RNNCell``.

A subclass of ``RNNCell`` / ``LayerRNNCell`` migrates by its base class alone:
``rnnmigrate.layers.RNNCell`` runs the class body with TF1's cell protocol and
variable names.  The fix is unsafe: the body is the user's, and the scan cannot
prove that it uses only what the runtime base provides.  A body that calls what
TF 2 lacks (``_linear``, ``tf.contrib``, ``tf.layers``) stays manual, and so does a
subclass of a concrete TF1 cell, whose runtime class runs a fused step instead
of the ``call`` the subclass overrides.

The class is described as a ``CellInfo`` at its base class, with the TF1 cells its
body builds as children; an instance (``MyCell(...)``, in this file or another of
the project) traces to a cell holding it and the cells passed to it, so the RNN
call that runs the instance, the class and those cells migrate together or not at
all (``verdicts``, ``linking``). A class deriving from such a class of the project
is described over it.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from rnnmigrate.findings import CellInfo
from rnnmigrate.rules.base import CELL_MODULES, Assessment, RewriteResult, Rule, Site, display, names_in, normalize

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext
    from rnnmigrate.trace import CellTracer

BASES = ("RNNCell", "LayerRNNCell")
BASE_APIS = names_in(CELL_MODULES, BASES)
ASSUMPTION = (
    "the class body uses only what rnnmigrate.layers.RNNCell provides (state_size, output_size, build, "
    "call or its own __call__, zero_state, add_variable, tf.compat.v1.get_variable, runtime cells) and "
    "that the functions it calls run on TF 2"
)
CLASS_KIND = "RNNCell subclass"
_MAX_BASES = 8
_SEQUENCES = (ast.List, ast.Tuple, ast.ListComp, ast.GeneratorExp, ast.BinOp)
_CELL_PARAMETER = re.compile(r"(?:^|_)cells?(?:_(?:fw|bw))?$")


def _cell_base(node: ast.ClassDef, tracer: CellTracer) -> tuple[ast.expr, str] | None:
    """The first base that is a TF1 cell class, and its qualified name."""
    from rnnmigrate.rules import rule_for

    for base in node.bases:
        qualified = tracer.imports.resolve(base)
        rule = rule_for(qualified) if qualified else None
        if rule is not None and rule.kind in ("cell", "class"):
            return base, qualified
    return None


def _unsupported_use(node: ast.ClassDef, tracer: CellTracer) -> str | None:
    """The first thing the body uses that TF 2 (and so the runtime) lacks, as a reason."""
    body = [inner for statement in node.body for inner in ast.walk(statement)]
    prefixes = {id(inner.value) for inner in body if isinstance(inner, ast.Attribute)}
    for inner in body:
        if not isinstance(inner, (ast.Name, ast.Attribute)) or not isinstance(inner.ctx, ast.Load):
            continue
        if id(inner) in prefixes:  # `tf.contrib.rnn` inside `tf.contrib.rnn.LSTMCell`: the whole name decides
            continue
        qualified = tracer.imports.resolve(inner)
        if qualified is None or not qualified.startswith("tensorflow"):
            continue
        name = normalize(qualified)
        module, _, short = name.rpartition(".")
        if module in CELL_MODULES and short in BASES:
            return (
                f"its body refers to {display(qualified)} on line {inner.lineno}, which stays TF1: cells of "
                "rnnmigrate.layers are not instances of it (an isinstance check fails); remove that use"
            )
        if module in CELL_MODULES:  # cells and states there are other rules' findings; _linear is not
            if short in ("_linear", "linear"):
                return (
                    f"its body calls {display(qualified)} (TF1's private fully connected helper), which TF 2 "
                    "does not have; create the kernel and bias with tf.compat.v1.get_variable and multiply"
                )
            continue
        if name.startswith("tensorflow.contrib."):
            return f"its body uses {display(qualified)}; tf.contrib is gone in TF 2"
        if name.startswith("tensorflow.layers."):
            return (
                f"its body calls {display(qualified)}, a TF1 layer that Keras 3 does not have; create its "
                "variables with tf.compat.v1.get_variable (or use a runtime cell)"
            )
    return None


def _inner_cells(node: ast.ClassDef, tracer: CellTracer) -> tuple[CellInfo, ...]:
    """The TF1 cells the class body constructs (``self._cell = LSTMCell(n)``): they run inside it."""
    from rnnmigrate.rules import rule_for

    found = []
    for inner in (inner for statement in node.body for inner in ast.walk(statement)):
        if isinstance(inner, ast.Call):
            qualified = tracer.imports.resolve(inner.func)
            rule = rule_for(qualified) if qualified else None
            if rule is not None and rule.kind == "cell":
                found.append(tracer.trace(inner))
    return tuple(found)


def class_cell(node: ast.ClassDef, tracer: CellTracer) -> CellInfo | None:
    """The class as a cell at its base class, with its problem (None: it migrates); None if not a cell class."""
    found = _cell_base(node, tracer)
    if found is None:
        return None
    base, qualified = found
    short = qualified.rsplit(".", 1)[-1]
    children = _inner_cells(node, tracer)
    if short not in BASES:
        problem = (
            f"class {node.name} subclasses {display(qualified)}: the runtime {short} runs a fused step "
            "on Keras-ordered states, not the call/__call__ a subclass overrides, so its overrides would not "
            "run as in TF1; port it onto rnnmigrate.layers.RNNCell by hand"
        )
    else:
        problem = _unsupported_use(node, tracer)
        if problem is None:
            inner = next((child for child in children if child.problems()), None)
            if inner is not None:
                problem = f"the {inner.kind} it builds stays manual: {inner.problems()[0]}"
        if problem is not None:
            problem = f"class {node.name}: {problem}"
    return CellInfo(
        kind=CLASS_KIND,
        api=node.name,
        line=base.lineno,
        column=base.col_offset,
        children=children,
        problem=problem,
    )


def describe_class(node: ast.ClassDef, tracer: CellTracer, depth: int = 0) -> CellInfo | None:
    """The class as a cell: at its TF1 base class, or, for a subclass of another class of the
    project that is one, its own body's problems over that class's description. None: not a cell."""
    described = class_cell(node, tracer)
    if described is not None or depth > _MAX_BASES:
        return described
    found = _project_base(node, tracer)
    if found is None:
        return None
    owner, base, path = found
    parent = describe_class(base, owner, depth + 1)
    if parent is None:
        return None
    if path is not None:
        from rnnmigrate.project import traced_elsewhere

        parent = traced_elsewhere(parent, path, tracer.project)
    problem = _unsupported_use(node, tracer)
    return CellInfo(
        kind=CLASS_KIND,
        api=node.name,
        children=(parent, *_inner_cells(node, tracer)),
        problem=f"class {node.name}: {problem}" if problem else None,
    )


def derives_from_tf1_cell(node: ast.ClassDef, tracer: CellTracer, depth: int = 0) -> bool:
    """Whether ``describe_class`` describes it: its bases reach a TF1 cell class (its body unread)."""
    if _cell_base(node, tracer) is not None:
        return True
    found = _project_base(node, tracer) if depth <= _MAX_BASES else None
    return found is not None and derives_from_tf1_cell(found[1], found[0], depth + 1)


def _project_base(node: ast.ClassDef, tracer: CellTracer) -> tuple[CellTracer, ast.ClassDef, str | None] | None:
    """The first base that is a class of this file or of another module of the project."""
    return next((found for base in node.bases if (found := tracer.cell_class(base)) is not None), None)


def trace_instance(caller: CellTracer, node: ast.ClassDef, call: ast.Call,
                   owner: CellTracer | None = None, defined_in: str | None = None) -> CellInfo | None:
    """``MyCell(...)``: a cell that holds its class and the cells passed to it (all migrate with the
    call that runs the instance). ``owner`` reads the class, in ``defined_in`` when another file."""
    described = describe_class(node, owner or caller)
    if described is None:
        return None
    if defined_in is not None:
        from rnnmigrate.project import traced_elsewhere

        described = traced_elsewhere(described, defined_in, caller.project)
    return CellInfo(
        kind=node.name,
        api=node.name,
        line=call.lineno,
        column=call.col_offset,
        children=(described, *_argument_cells(caller, node, call)),
    )


def _argument_cells(caller: CellTracer, node: ast.ClassDef, call: ast.Call) -> list[CellInfo]:
    """The cells a construction passes in (``Zoneout(LSTMCell(n), 0.1)``): the instance runs them.

    An argument bound to a parameter named like a cell (``cell``, ``cells``, ``base_cell``) must
    trace to one, ``None`` included; any other argument counts when it traces to a cell.
    """
    names = _init_parameters(node)
    bound = [(names[index] if index < len(names) else None, arg) for index, arg in enumerate(call.args)]
    bound += [(keyword.arg, keyword.value) for keyword in call.keywords]
    found = []
    for name, value in bound:
        names_a_cell = name is not None and _names_a_cell(name)
        if isinstance(value, ast.Starred):
            continue
        if isinstance(value, ast.Constant) and not (names_a_cell and value.value is None):
            continue  # a number or a string is no cell; None where a cell belongs is untraceable
        cells = caller.trace_sequence(value)[0] if isinstance(value, _SEQUENCES) else [caller.trace(value)]
        if names_a_cell or any(cell.kind != "unknown" for cell in cells):
            found.extend(cells)
    return found


def _names_a_cell(parameter: str) -> bool:
    """``cell``, ``cells``, ``base_cell``, ``cell_fw``; not ``num_cells`` or ``cell_size``."""
    return bool(_CELL_PARAMETER.search(parameter)) and not parameter.startswith(("num_", "n_"))


def _init_parameters(node: ast.ClassDef) -> list[str]:
    init = next((item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"), None)
    if init is None:
        return []
    return [arg.arg for arg in (*init.args.posonlyargs, *init.args.args)][1:]


def assess(site: Site) -> Assessment:
    node = site.node
    if not isinstance(node, ast.ClassDef):
        reason = f"{display(site.qualified)} is the TF1 cell base class; Keras 3 cells have another interface"
        return Assessment("manual", reason)
    described = class_cell(node, site.tracer)
    if described is None or described.problem:
        reason = described.problem if described is not None else f"class {node.name} subclasses {display(site.qualified)}"
        return Assessment("manual", reason, cells=() if described is None else (described,))
    return Assessment("auto", None, cells=(described,), assumption=ASSUMPTION)


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    """Only reached if a base class is written as a call; base names are renamed by the rewriter itself."""
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN106",
    name="custom-cell",
    summary="class that subclasses a TF1 RNNCell",
    apis=BASE_APIS,
    kind="class",
    what="Finds classes deriving from `tf.nn.rnn_cell.RNNCell`, `LayerRNNCell` or any TF1 cell "
    "class, and other uses of the base classes.",
    why="A TF1 cell implements `__call__(inputs, state, scope)` / `call(inputs, state)` with "
    "`state_size`/`output_size` properties and creates variables with `tf.get_variable` or "
    "`add_variable`; Keras 3 has no such base class.",
    fix="The base class becomes `rnnmigrate.layers.RNNCell` (or `LayerRNNCell`), which gives the "
    "class body TF1's cell protocol: `__call__(inputs, state, scope=None)`, `call`, `build`, "
    "`state_size`, `output_size`, `zero_state`, `add_variable`/`add_weight`, "
    "`tf.compat.v1.get_variable` inside `call` (eagerly, in `tf.function` and inside a Keras model "
    "too) and runtime cells built inside it. Variables get TF1's names: a class that keeps the base "
    "`__call__` runs under `<caller scope>/<its name or snake_case class name>` (`rnn/my_cell/w` in "
    "dynamic_rnn), one that overrides `__call__` in the caller's scope plus what it opens. The "
    "runtime layers run the cell through its own code, step by step, with dynamic_rnn's "
    "copy-through of finished rows, starting from the class's `zero_state`. Unsafe (needs "
    "`--unsafe-fixes`): the class body is the user's. Manual when the body uses what TF 2 lacks "
    "(`_linear`, `tf.contrib`, `tf.layers`), and for subclasses of concrete cells (`LSTMCell`, "
    "`MultiRNNCell`...): their runtime classes run a fused step, not the overridden `call`, and when "
    "the body refers to the TF1 base class itself (`isinstance(cell, RNNCell)` fails for runtime "
    "cells). The class migrates with the RNN calls that run its instances, in whichever files of "
    "the run they are, with the cells passed to its constructor (`Zoneout(LSTMCell(n), 0.1)`) and "
    "with the project's classes that derive from it (`class QueueCell(StackCell)`), whose own bodies "
    "are checked the same way.",
    numerics="The class's own math, unchanged. Proven by running five of our own subclasses "
    "(get_variable in call, add_variable in build, an inner LSTMCell, an LSTMStateTuple state, "
    "a tuple state with its own __call__, a custom zero_state) on TF1's legacy base in a TF1 graph "
    "with random weights and on the runtime base: the runtime copies restore the TF1 Saver "
    "checkpoint with their own Saver and give the same numbers (float32, <= 1e-5) with lengths "
    "0, 1 and T, batch 1, time_major, initial_state and bidirectional_dynamic_rnn, eagerly, in "
    "tf.function, inside a keras.Model and after a .keras round trip.",
    example_before="class MyCell(tf.nn.rnn_cell.RNNCell):\n    def call(self, inputs, state): ...\n\n\n"
    "outputs, state = tf.nn.dynamic_rnn(MyCell(), x, dtype=tf.float32)",
    example_after="class MyCell(RNNCell):\n    def call(self, inputs, state): ...\n\n\n"
    "outputs, state = DynamicRNN(MyCell(), dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
    unsafe_when="Always: the class body is the user's code; the scan checks only that it calls no "
    "`_linear`, `tf.contrib` or `tf.layers` API, does not refer to the TF1 base class, and builds or "
    "is given no cell that stays manual.",
    always_unsafe=True,
)
