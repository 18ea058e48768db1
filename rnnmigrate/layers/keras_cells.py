"""Keras 2's own ``LSTMCell``, ``GRUCell`` and ``SimpleRNNCell``, as TF1 code passed them to ``dynamic_rnn``.

What tf-keras (TF 2.21) does with such a cell in ``tf.compat.v1.nn.dynamic_rnn``
and ``bidirectional_dynamic_rnn``, and what these classes reproduce:

* variables ``<name>/kernel [d, g*u]``, ``<name>/recurrent_kernel [u, g*u]`` and
  ``<name>/bias`` (``[2, 3u]`` for a GRU with ``reset_after``), gates in Keras's
  order (i, f, c, o; z, r, h), with *no* enclosing variable scope: tf-keras
  creates them lifted out of the while loop's function graph, where no scope
  is open.  ``name`` is the layer's: the one given, else ``lstm_cell``,
  ``lstm_cell_1``, ... numbered per graph when the cell is constructed.  TF1's
  own cells take numbers in the same sequence (a TF1 ``LSTMCell`` constructed
  first makes the Keras one ``lstm_cell_1``), and a taken variable name gets
  the graph's next free one (two cells named ``enc``: ``enc/kernel_1``).
* Keras's math and initial values (Glorot kernel, orthogonal recurrent kernel,
  zero bias, ``unit_forget_bias``); Keras 2's ``hard_sigmoid`` (``0.2x + 0.5``).
* the state: a list ``[h, c]`` for the LSTM, one tensor for GRU and SimpleRNN.

Not reproduced: ``static_rnn`` without ``sequence_length`` (tf-keras's names
then carry the name scope, ``rnn/lstm_cell/kernel``; with lengths they match),
and control flow v1 (``enc/rnn/while/lstm_cell/kernel``).

Eagerly there is no graph to number in.  The numbering is then the running
call of the outermost user Layer/Model (every call numbers its cells from
zero again, so inline-built cells find the first call's variables), else the
innermost ``tf1_weights`` block, else, when the cell is built, the outermost
Keras layer call (a ``BidirectionalDynamicRNN`` numbers its two cells); a
cell built outside all of these keeps the base name (it owns its variables).
"""

from __future__ import annotations

import collections
import weakref
from typing import Any, Callable

import keras
import tensorflow as tf
from keras.src.backend.common import global_state

from rnnmigrate.layers import cells as cells_module
from rnnmigrate.layers.cells import SplitStepCell, dense
from rnnmigrate.layers.config import keras_activation, register
from rnnmigrate.layers.variables import _initial_value_sources, create_variable, in_tf1_graph, join, running_user_layers

_KERAS2_ONLY_ARGUMENTS = ("implementation", "enable_caching_device")
_UNSUPPORTED = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "recurrent_constraint", "bias_constraint")

# ---------------------------------------------------------------------------------- layer numbering
_counts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _numbered(base: str, numbering: Any) -> str:
    """tf-keras's ``unique_object_name(base, zero_based=True)`` within ``numbering``."""
    counts = _counts.setdefault(numbering, collections.Counter())
    number = counts[base]
    counts[base] += 1
    return f"{base}_{number}" if number else base


def _numbering(at_build: bool) -> Any:
    """What numbers layer names now (None: nothing, keep the base name); see the module docstring."""
    if in_tf1_graph():
        return tf.compat.v1.get_default_graph()
    call = global_state.get_global_attribute("current_call_ctx")
    layers = running_user_layers()
    if layers:
        # A call context opened by an inner user layer means the container's call() ran directly.
        if call is not None and not any(call.entry_layer is layer for layer in layers[1:]):
            return call
        return layers[0]
    if _initial_value_sources:
        return _initial_value_sources[-1]
    return call if at_build else None


def _number_tf1_cell(cell: Any, name: Any) -> None:
    """TF1's own cells took a number from tf-keras's sequence too."""
    if name is None and not isinstance(cell, _KerasCell) and cell.default_tf1_scope_name:
        numbering = _numbering(at_build=False)
        if numbering is not None:
            _numbered(cell.default_tf1_scope_name, numbering)


cells_module.construction_hooks.append(_number_tf1_cell)


# ---------------------------------------------------------------------------------- helpers
def _keras2_hard_sigmoid(x: tf.Tensor) -> tf.Tensor:
    return tf.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def _activation(spec: Any, default: str) -> Callable:
    """Keras 2's activation for ``spec``: Keras 3's, except ``hard_sigmoid``, whose slope changed."""
    spec = keras_activation(spec, default)
    if spec == "hard_sigmoid":
        return _keras2_hard_sigmoid
    return keras.activations.get(spec)


def _serializable(spec: Any) -> Any:
    if spec is None or isinstance(spec, (str, dict)):
        return spec
    try:
        return keras.saving.serialize_keras_object(spec)
    except Exception:  # a Keras 2 or TF1 object: it only shaped fresh weights
        return None


class _UnitForgetBias(keras.initializers.Initializer):
    """Keras's ``unit_forget_bias``: the bias initializer, with ones for the forget gate."""

    def __init__(self, initializer: Any, units: int):
        self.initializer, self.units = initializer, units

    def __call__(self, shape: Any, dtype: Any = None) -> tf.Tensor:
        units = self.units
        return tf.concat(
            [self.initializer((units,), dtype=dtype), tf.ones((units,), dtype=dtype),
             self.initializer((2 * units,), dtype=dtype)],
            axis=0,
        )


# ---------------------------------------------------------------------------------- cells
class _KerasCell(SplitStepCell):
    """What the three share: Keras 2's arguments, naming, the kernel/recurrent_kernel/bias layout."""

    project_unrolled_steps_together = True
    state_is_keras_list = True
    gates = 1

    def __init__(self, units: int, activation: Any, use_bias: bool, kernel_initializer: Any,
                 recurrent_initializer: Any, bias_initializer: Any, dropout: float, recurrent_dropout: float,
                 unsupported: dict, name: str | None, dtype: Any, kwargs: dict):
        _refuse(type(self).__name__, unsupported, dropout, recurrent_dropout)
        self.keras2_only = {key: kwargs.pop(key) for key in _KERAS2_ONLY_ARGUMENTS if key in kwargs}
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = int(units)
        self.activation_spec = activation
        self.activation = _activation(activation, "tanh")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        if self.tf1_scope is None:
            self.tf1_scope = name if name is not None else self._numbered_name(at_build=False)

    def _numbered_name(self, at_build: bool) -> str | None:
        numbering = _numbering(at_build)
        if numbering is None:
            return self.default_tf1_scope_name if at_build else None
        return _numbered(self.default_tf1_scope_name, numbering)

    def build(self, input_shape: Any) -> None:
        dtype = self._variable_dtype()
        depth = int(input_shape[-1])
        if self.tf1_scope is None:
            self.tf1_scope = self._numbered_name(at_build=True)
        if not in_tf1_graph():
            self.create_variables(depth, dtype)
            return
        # At the root, whatever scopes are open, as tf-keras's variables are.
        root = tf.compat.v1.VariableScope(False, name=self.tf1_scope)
        with tf.compat.v1.variable_scope(root, auxiliary_name_scope=False):
            self.create_variables(depth, dtype)

    def add_tf1_variable(self, name: str, shape: tuple, initializer: Any = None, dtype: Any = None) -> Any:
        initializer = keras.initializers.get(initializer)
        variable = create_variable(
            self, self._free_variable_name(name), shape, dtype or self.variable_dtype, initializer, self.tf1_scope
        )
        self._tf1_variables[name] = variable
        return variable

    def _free_variable_name(self, name: str) -> str:
        """In a graph tf-keras's ``tf.Variable`` took the next free name (two cells ``enc``: ``enc/kernel_1``)."""
        if not in_tf1_graph():
            return name
        graph = tf.compat.v1.get_default_graph()
        with graph.name_scope(None):
            return graph.unique_name(join(self.tf1_scope, name), mark_as_used=False).rsplit("/", 1)[-1]

    def create_variables(self, depth: int, dtype: Any) -> None:
        width = self.gates * self.units
        self.add_tf1_variable("kernel", (depth, width), self.kernel_initializer)
        self.add_tf1_variable("recurrent_kernel", (self.units, width), self.recurrent_initializer)
        if self.use_bias:
            self.add_tf1_variable("bias", self.bias_shape(), self.make_bias_initializer())

    def bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def make_bias_initializer(self) -> Any:
        return self.bias_initializer

    def input_depth(self) -> int:
        return int(self._tf1_variables["kernel"].shape[0])

    def projection_bias(self) -> Any:
        return self.weight("bias") if self.use_bias else None

    def make_input_projection(self) -> Callable:
        kernel, bias = self.weight("kernel"), self.projection_bias()
        return lambda inputs: dense(inputs, kernel, bias)

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None, dtype: Any = None) -> Any:
        """Keras 2's zero state (what ``dynamic_rnn`` started from): ``[h, c]`` or one tensor."""
        if batch_size is None:
            batch_size = tf.shape(inputs)[0]
        return self.zero_state(batch_size, dtype or (inputs.dtype if inputs is not None else self.compute_dtype))

    @property
    def state_size(self) -> Any:
        return self.units

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            **self.keras2_only,
            "units": self.units,
            "activation": _serializable(self.activation_spec),
            "use_bias": self.use_bias,
            "kernel_initializer": _serializable(self.kernel_initializer),
            "recurrent_initializer": _serializable(self.recurrent_initializer),
            "bias_initializer": _serializable(self.bias_initializer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


def _refuse(class_name: str, unsupported: dict, dropout: float, recurrent_dropout: float) -> None:
    given = [key for key, value in unsupported.items() if value is not None]
    if given:
        raise NotImplementedError(
            f"{class_name}: {', '.join(given)} not supported: the runtime adds no regularization losses "
            "or constraints. Add the penalty to the loss yourself, or drop the argument."
        )
    if dropout or recurrent_dropout:
        raise NotImplementedError(
            f"{class_name}: dropout={dropout}, recurrent_dropout={recurrent_dropout} not supported (Keras's "
            "training-time masks are not reproduced). Keras dropped nothing outside training: pass 0.0 for "
            "inference; to train with dropout, wrap the cell in rnnmigrate.layers.DropoutWrapper (TF1's dropout)."
        )


def _unsupported(arguments: dict, kwargs: dict) -> dict:
    """The regularizer and constraint arguments among a constructor's ``locals()`` and ``kwargs``."""
    found = {key: arguments[key] for key in _UNSUPPORTED if key in arguments}
    found["activity_regularizer"] = kwargs.pop("activity_regularizer", None)
    return found


@register
class KerasLSTMCell(_KerasCell):
    """Keras 2's ``LSTMCell``: ``z = x K + h R + b``; i, f, c, o; state ``[h, c]``."""

    default_tf1_scope_name = "lstm_cell"
    gates = 4

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         dropout, recurrent_dropout, _unsupported(locals(), kwargs), name, dtype, kwargs)
        self.recurrent_activation_spec = recurrent_activation
        self.recurrent_activation = _activation(recurrent_activation, "sigmoid")
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units]

    def make_bias_initializer(self) -> Any:
        initializer = keras.initializers.get(self.bias_initializer)
        return _UnitForgetBias(initializer, self.units) if self.unit_forget_bias else initializer

    def make_recurrent_step(self) -> Callable:
        recurrent_kernel = self.weight("recurrent_kernel")
        activation, gate = self.activation, self.recurrent_activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h_prev, c_prev = states
            i, f, candidate, o = tf.split(projected + tf.matmul(h_prev, recurrent_kernel), 4, axis=1)
            c = gate(f) * c_prev + gate(i) * activation(candidate)
            h = gate(o) * activation(c)
            return h, [h, c]

        return step

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "recurrent_activation": _serializable(self.recurrent_activation_spec),
            "unit_forget_bias": self.unit_forget_bias,
        }


@register
class KerasGRUCell(_KerasCell):
    """Keras 2's ``GRUCell``: z, r, h; ``reset_after`` (the default) resets ``h R_h + b_rh``, else ``h`` itself."""

    default_tf1_scope_name = "gru_cell"
    gates = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         dropout, recurrent_dropout, _unsupported(locals(), kwargs), name, dtype, kwargs)
        self.recurrent_activation_spec = recurrent_activation
        self.recurrent_activation = _activation(recurrent_activation, "sigmoid")
        self.reset_after = bool(reset_after)

    def bias_shape(self) -> tuple:
        """``reset_after``: an input bias and a recurrent bias, rows 0 and 1."""
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def projection_bias(self) -> Any:
        if not self.use_bias:
            return None
        bias = self.weight("bias")
        return bias[0] if self.reset_after else bias

    def make_recurrent_step(self) -> Callable:
        units = self.units
        recurrent_kernel = self.weight("recurrent_kernel")
        activation, gate = self.activation, self.recurrent_activation
        if self.reset_after:
            recurrent_bias = self.weight("bias")[1] if self.use_bias else None

            def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
                h_prev = states[0]
                x_z, x_r, x_h = tf.split(projected, 3, axis=1)
                h_z, h_r, h_h = tf.split(dense(h_prev, recurrent_kernel, recurrent_bias), 3, axis=1)
                z, r = gate(x_z + h_z), gate(x_r + h_r)
                h = z * h_prev + (1 - z) * activation(x_h + r * h_h)
                return h, [h]

            return step
        gates_kernel, candidate_kernel = recurrent_kernel[:, : 2 * units], recurrent_kernel[:, 2 * units :]

        def step_reset_before(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h_prev = states[0]
            x_z, x_r, x_h = tf.split(projected, 3, axis=1)
            h_z, h_r = tf.split(tf.matmul(h_prev, gates_kernel), 2, axis=1)
            z, r = gate(x_z + h_z), gate(x_r + h_r)
            h = z * h_prev + (1 - z) * activation(x_h + tf.matmul(r * h_prev, candidate_kernel))
            return h, [h]

        return step_reset_before

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "recurrent_activation": _serializable(self.recurrent_activation_spec),
            "reset_after": self.reset_after,
        }


@register
class KerasSimpleRNNCell(_KerasCell):
    """Keras 2's ``SimpleRNNCell``: ``h = activation(x K + b + h R)``."""

    default_tf1_scope_name = "simple_rnn_cell"

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                         dropout, recurrent_dropout, _unsupported(locals(), kwargs), name, dtype, kwargs)

    def make_recurrent_step(self) -> Callable:
        recurrent_kernel = self.weight("recurrent_kernel")
        activation = self.activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h = activation(projected + tf.matmul(states[0], recurrent_kernel))
            return h, [h]

        return step
