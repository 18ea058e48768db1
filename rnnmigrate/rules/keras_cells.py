"""RNN110: Keras cells (``tf.keras.layers.LSTMCell``, ``GRUCell``, ``SimpleRNNCell``) run by TF1 RNN functions.

A Keras cell only needs migrating where a TF1 function (``dynamic_rnn`` ...) runs it;
in ``keras.layers.RNN`` it is Keras code already, so it is a finding only when a
TF1 RNN call in the file runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info
from rnnmigrate.rules.common import is_set, literal

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import Assessment, RewriteContext, RewriteResult

KERAS_CELL_MODULES = (
    "tensorflow.keras.layers",
    "tensorflow.python.keras.layers",
    "tensorflow.python.keras.layers.recurrent",
)

_COMMON = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
)
_REGULARIZED = (
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
)
SIGNATURES = {
    "LSTMCell": (*_COMMON, "unit_forget_bias", *_REGULARIZED, "implementation", "name", "dtype", "trainable"),
    "GRUCell": (*_COMMON, *_REGULARIZED, "implementation", "reset_after", "name", "dtype", "trainable"),
    "SimpleRNNCell": (
        "units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
        *_REGULARIZED, "name", "dtype", "trainable",
    ),
}


# Defaults that changed between TF 1.x's tf.keras (Keras 2's v1 classes) and TF 2's.
TF1_DEFAULTS = {
    "LSTMCell": {"recurrent_activation": '"hard_sigmoid"'},
    "GRUCell": {"recurrent_activation": '"hard_sigmoid"', "reset_after": "False"},
}
TF1_KERAS = "keras1-defaults"  # the program ran on TF 1.x: the rewrite spells its defaults out
EITHER_KERAS = "keras-defaults-by-version"  # which TensorFlow it ran on decides the defaults


def assess(site: Site) -> Assessment:
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    differences = ("keras-cell",)
    if any(name not in bound for name in TF1_DEFAULTS.get(site.short_name, {})):
        v1_class = ".compat.v1." in site.qualified or ".recurrent." in site.qualified
        differences += (TF1_KERAS if v1_class else EITHER_KERAS,)
    return as_assessment(cell_info(site, bound, _problem(bound), differences))


def _problem(bound: dict) -> str | None:
    for name in ("dropout", "recurrent_dropout"):
        if literal(bound.get(name), 0) not in (0, 0.0, None):
            return f"{name}= is Keras's own dropout inside the cell; port it by hand (or use DropoutWrapper)"
    regularized = next((name for name in _REGULARIZED[:6] if is_set(bound, name)), None)
    if regularized:
        return f"{regularized}= adds a Keras loss or constraint that a TF1 graph never applied; port it by hand"
    return None


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteResult
    from rnnmigrate.rules.layer_calls import rename_class

    renamed = rename_class(call, context, prefix="Keras")
    if TF1_KERAS not in context.finding.differences:
        return renamed
    no_spaces = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    given = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    defaults = TF1_DEFAULTS[context.finding.api.rsplit(".", 1)[-1]]
    spelled_out = [
        cst.Arg(keyword=cst.Name(name), value=cst.parse_expression(value), equal=no_spaces)
        for name, value in defaults.items()
        if name not in given
    ]
    return RewriteResult(renamed.node.with_changes(args=[*renamed.node.args, *spelled_out]), renamed.notes)


RULE = Rule(
    code="RNN110",
    name="keras-cell-in-tf1-rnn",
    summary="tf.keras LSTMCell / GRUCell / SimpleRNNCell run by a TF1 RNN function",
    apis=names_in(KERAS_CELL_MODULES, tuple(SIGNATURES)),
    kind="cell",
    what="Finds `tf.keras.layers.LSTMCell`, `GRUCell` and `SimpleRNNCell` constructions that a TF1 "
    "RNN function (`dynamic_rnn`, `bidirectional_dynamic_rnn`, `static_rnn`, ...) runs.",
    why="Under Keras 3 a Keras cell passed to `tf.compat.v1.nn.dynamic_rnn` fails, and "
    "`tf.keras` in a TF1 program was Keras 2, whose variables a TF1 checkpoint holds as "
    "`lstm_cell/kernel`, `lstm_cell/recurrent_kernel`, `lstm_cell/bias` (no enclosing scope), "
    "and its defaults were TF 1.x's: under TF 1.x, `tf.keras.layers.LSTMCell` and `GRUCell` were "
    "Keras 2's v1 classes, with `hard_sigmoid` gates (`0.2x + 0.5`) and, for the GRU, "
    "`reset_after=False`; TF 2's (and `keras.layers`') default to `sigmoid` and `reset_after=True`.",
    fix="The same constructor call on `rnnmigrate.layers.KerasLSTMCell` / `KerasGRUCell` / "
    "`KerasSimpleRNNCell`, every argument kept: tf-keras's math and variable names, run by the "
    "runtime's DynamicRNN. Where the program ran on TF 1.x (its RNN call is spelled `tf.nn` or "
    "`tf.contrib`, or the cell `tf.compat.v1.keras`), the defaults that changed are spelled out. "
    "Manual where the file cannot say which TensorFlow it ran on (`tf.compat.v1.nn.dynamic_rnn` with "
    "`tf.keras.layers.GRUCell` ran on both) until those arguments are passed explicitly, and with "
    "Keras's in-cell `dropout` / `recurrent_dropout`, regularizers or constraints.",
    numerics="Exact up to float rounding against the tf-keras cell (v1 and v2 classes) in a TF1 "
    "`dynamic_rnn`; Keras 3's `hard_sigmoid` has another slope, so the runtime keeps Keras 2's.",
    example_before="cell = tf.keras.layers.GRUCell(64)\noutputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)",
    example_after='cell = KerasGRUCell(64, recurrent_activation="hard_sigmoid", reset_after=False)\n'
    "outputs, state = DynamicRNN(cell, dtype=tf.float32)(x)",
    assess=assess,
    rewrite=rewrite,
    only_when_run_by_tf1=True,
)
