"""RNN106: classes that subclass a TF1 ``RNNCell``.

A subclass of ``RNNCell`` / ``LayerRNNCell`` migrates by its base class alone:
``rnnmigrate.layers.RNNCell`` runs the class body with TF1's cell protocol and
variable names.  The fix is unsafe: the body is the user's, and the scan cannot
prove that it uses only what the runtime base provides.  A body that calls what
TF 2 lacks (``_linear``, ``tf.contrib``, ``tf.layers``) stays manual, and so does a
subclass of a concrete TF1 cell, whose runtime class runs a fused step instead
of the ``call`` the subclass overrides.

The class is described as a ``CellInfo`` at its base class, with the TF1 cells its
body builds as children; an instance (``MyCell(...)``) traces to a cell holding
it, so the RNN call that runs the instance, the class and those inner cells
migrate together or not at all (``verdicts``).
"""

from __future__ import annotations

import ast
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


def trace_instance(tracer: CellTracer, node: ast.ClassDef, call: ast.Call) -> CellInfo | None:
    """``MyCell(...)``: a cell that holds its class (so both migrate with the call that runs it)."""
    described = class_cell(node, tracer)
    if described is None:
        return None
    return CellInfo(
        kind=node.name,
        api=node.name,
        line=call.lineno,
        column=call.col_offset,
        children=(described,),
    )


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
    "`MultiRNNCell`...): their runtime classes run a fused step, not the overridden `call`. "
    "The class migrates with the RNN calls that run its instances, in this file.",
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
    "`_linear`, `tf.contrib` or `tf.layers` API and builds no cell that stays manual.",
    always_unsafe=True,
)
