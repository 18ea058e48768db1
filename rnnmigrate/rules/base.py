"""What a rule is: one legacy API pattern with its matcher, its explanation and its rewrite."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rnnmigrate.findings import CellInfo, Finding, Safety, Verdict

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.trace import CellTracer

COMPAT_PREFIX = "tensorflow.compat.v1."

NN_MODULES = (
    "tensorflow.nn",
    "tensorflow.python.ops.rnn",
    "tensorflow.python.ops.nn",
    "tensorflow.models.rnn.rnn",  # TF 0.x
)
CONTRIB_RNN_MODULES = (
    "tensorflow.contrib.rnn",
    "tensorflow.contrib.rnn.python.ops.core_rnn",
    "tensorflow.contrib.rnn.python.ops.rnn",
)
TF0_CELL_MODULE = "tensorflow.models.rnn.rnn_cell"
CELL_MODULES = (
    "tensorflow.nn.rnn_cell",
    TF0_CELL_MODULE,
    "tensorflow.contrib.rnn",
    "tensorflow.python.ops.rnn_cell",
    "tensorflow.python.ops.rnn_cell_impl",
    "tensorflow.contrib.rnn.python.ops.core_rnn_cell",
    "tensorflow.contrib.rnn.python.ops.core_rnn_cell_impl",
    "tensorflow.contrib.rnn.python.ops.rnn_cell",
)


def normalize(qualified: str) -> str:
    """One spelling for ``tf.compat.v1.X`` and ``tf.X``."""
    if qualified.startswith(COMPAT_PREFIX):
        return "tensorflow." + qualified[len(COMPAT_PREFIX) :]
    return qualified


def display(qualified: str) -> str:
    """The API as users write it: ``tf.nn.dynamic_rnn``."""
    if qualified.startswith("tensorflow.python."):
        return qualified
    if qualified == "tensorflow" or qualified.startswith("tensorflow."):
        return "tf" + qualified[len("tensorflow") :]
    return qualified


def names_in(modules: tuple[str, ...], names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"{module}.{name}" for module in modules for name in names)


@dataclass(frozen=True)
class Site:
    """A place in a file where a rule's API is used."""

    node: ast.AST
    qualified: str
    call: ast.Call | None
    tracer: CellTracer

    @property
    def short_name(self) -> str:
        return self.qualified.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reason: str | None = None
    arguments: dict[str, str] = field(default_factory=dict)
    cells: tuple[CellInfo, ...] = ()
    differences: tuple[str, ...] = ()
    assumption: str | None = None  # set when this site's fix is exact only under it (an unsafe fix)


@dataclass(frozen=True)
class RewriteResult:
    """The replacement for one call and what the report should say about it."""

    node: cst.BaseExpression
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A legacy API pattern. ``assess`` classifies a site; ``rewrite`` migrates an ``auto`` one."""

    code: str
    name: str
    summary: str
    apis: frozenset[str]
    kind: Literal["function", "cell", "class", "layer", "value", "blocker"]
    what: str
    why: str
    fix: str
    numerics: str
    example_before: str
    example_after: str
    assess: Callable[[Site], Assessment]
    rewrite: Callable[[cst.Call, RewriteContext], RewriteResult] | None = None
    # A cell that is ordinary code elsewhere (a Keras cell) is a finding only where a TF1 RNN runs it.
    only_when_run_by_tf1: bool = False
    # Where this rule's own fix is unsafe (for `explain`); a site's finding states its assumption.
    unsafe_when: str = ""
    # The class, used as a value (``cell_class = LSTMCell if lstm else GRUCell``), becomes the
    # runtime class of the same name when the calls of that value are traced and migrate.
    renames_as_value: bool = False
    # Every fix of this rule is unsafe (a user's class body): `rules` and `explain` say unsafe, not safe/unsafe.
    always_unsafe: bool = False

    @property
    def informational(self) -> bool:
        """An RNN2xx rule: it reports what else blocks running on TF 2.21, never rewrites, never fails the gate."""
        return self.kind == "blocker"

    @property
    def safety(self) -> Safety | None:
        """The level of this rule's fix where nothing makes a site unsafe; None without a rewrite."""
        return "safe" if self.rewrite is not None else None

    @property
    def safety_levels(self) -> str:
        """What `rules` lists: ``safe``, ``safe/unsafe`` when some sites are unsafe, ``-`` without a fix."""
        if self.rewrite is None:
            return "-"
        if self.always_unsafe:
            return "unsafe"
        return "safe/unsafe" if self.unsafe_when else "safe"

    @property
    def verdict(self) -> str:
        """What `rules` says: calls migrate when their cells are traced, cells with the call that runs them."""
        if self.informational:
            return "info"
        if self.rewrite is None:
            return "manual"
        return {"function": "auto when traced", "cell": "auto with its call", "class": "auto with its call"}.get(self.kind, "auto")


class RewriteContext:
    """What a rule's rewrite may ask of the file being rewritten."""

    finding: Finding
    original_call: cst.Call
    line_indent: str  # the indentation of the line the site starts on

    def runtime_ref(self, name: str) -> cst.BaseExpression:  # pragma: no cover - see rewriter.py
        """An expression for ``rnnmigrate.layers.<name>`` in this file, importing it as needed."""
        raise NotImplementedError

    def fits(self, node: cst.CSTNode) -> bool:  # pragma: no cover - see rewriter.py
        """Whether ``node`` in place of the site keeps every line within the allowed length."""
        raise NotImplementedError
