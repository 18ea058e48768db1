"""Keras 3 cells with TF1's ``tf.nn.rnn_cell`` constructor arguments, variables and math.

Each cell keeps TF1's variables (names, shapes, gate order): one ``kernel``
``[input_depth + recurrent_depth, gates * units]``, a ``bias`` without
``forget_bias`` (added at run time, as TF1 did), ``gates/*`` and
``candidate/*`` for the GRU, ``w_*_diag`` and ``projection/kernel`` for the
LSTM's options (``variables`` says where they live).  For speed a step is split
in two parts, with the weights read and sliced once per call, outside the loop:

* ``make_input_projection()``: ``project(x) = x @ kernel[:d] + bias``, which
  does not depend on the state (``DynamicRNN`` projects several steps at once);
* ``make_recurrent_step()``: ``step(projected_x, states) -> (output, states)``.

States are Keras-ordered inside (an LSTM carries ``[h, c]``); ``call`` takes
and returns TF1's ``LSTMStateTuple(c, h)`` when given one.
"""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.config import LAYOUT_KEY, LAYOUT_VERSION, check_layout, keras_activation, keras_dtype
from rnnmigrate.layers.config import register, serializable_initializer
from rnnmigrate.layers.states import LSTMStateTuple, to_tf1_state, zero_keras_state
from rnnmigrate.layers.variables import VariableStore, create_variable, current_scope_name, in_tf1_graph, join

_build_dtypes: list[Any] = []
# Called as ``hook(cell, name)`` by every TF1Cell constructor (``keras_cells`` numbers layer names there).
construction_hooks: list[Callable[[Any, Any], None]] = []


def build_cell(cell: Any, input_depth: Any, dtype: Any) -> None:
    """Build ``cell`` in the current TF1 variable scope for inputs of ``dtype``."""
    if input_depth is None:
        raise ValueError("The last dimension of the RNN inputs (the input depth) must be known.")
    if getattr(cell, "is_tf1_custom_cell", False):
        cell.build_in_rnn(int(input_depth), dtype)
        return
    if cell.built:
        return
    _build_dtypes.append(dtype)
    try:
        cell.build((None, int(input_depth)))
    finally:
        _build_dtypes.pop()


def current_build_dtype() -> Any:
    """The dtype of the inputs the cell being built will see (None outside ``build_cell``)."""
    return _build_dtypes[-1] if _build_dtypes else None


def _read(variable: Any, dtype: Any) -> tf.Tensor:
    return tf.cast(tf.convert_to_tensor(variable), dtype)


def dense(inputs: tf.Tensor, kernel: tf.Tensor, bias: Any) -> tf.Tensor:
    outputs = tf.matmul(inputs, kernel)
    return outputs if bias is None else tf.nn.bias_add(outputs, bias)


def require_tuple_state(state_is_tuple: bool) -> None:
    if not state_is_tuple:
        raise NotImplementedError(
            "state_is_tuple=False (the LSTM state as one concatenated tensor) is not "
            "supported; use the default state_is_tuple=True and read state.c / state.h."
        )


class CellWrapper:
    """What a wrapper (dropout, residual, device, projection) passes through from the cell it wraps."""

    cell: Any

    @property
    def wrapped_cell(self) -> Any:
        return self.cell

    @property
    def state_size(self) -> Any:
        return self.cell.state_size

    @property
    def output_size(self) -> Any:
        return self.cell.output_size


class TF1Cell(keras.layers.Layer):
    """What every runtime cell shares: TF1 scope and dtype at build, ``zero_state``, config."""

    is_rnnmigrate_runtime = True
    default_tf1_scope_name = ""
    output_is_first_state = True
    project_unrolled_steps_together = False
    has_fast_path = True

    def __init__(self, name: str | None = None, dtype: Any = None, tf1_scope: str | None = None,
                 tf1_base_name: str | None = None, **kwargs: Any):
        super().__init__(name=name, dtype=keras_dtype(dtype), **kwargs)
        self.explicit_dtype = dtype is not None
        self.tf1_base_name = tf1_base_name or name or self.default_tf1_scope_name
        self.tf1_scope = tf1_scope
        self._own_variables = VariableStore()
        object.__setattr__(self, "_tf1_variables", {})
        for hook in construction_hooks:
            hook(self, name)

    # -- building -------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        dtype = self._variable_dtype()
        depth = int(input_shape[-1])
        if in_tf1_graph():
            # TF1's Layer._set_scope: a unique default name under the current scope.
            with tf.compat.v1.variable_scope(None, default_name=self.tf1_base_name) as scope:
                self.tf1_scope = scope.name
                self.create_variables(depth, dtype)
        else:
            if self.tf1_scope is None:
                self.tf1_scope = join(current_scope_name(), self.tf1_base_name)
            self.create_variables(depth, dtype)

    def _variable_dtype(self) -> Any:
        """The cell's dtype, else a mixed policy's variable dtype, else the inputs' (TF1's rule)."""
        policy = self.dtype_policy
        inputs_dtype = current_build_dtype()
        if not self.explicit_dtype and policy.compute_dtype == policy.variable_dtype and inputs_dtype is not None:
            self.dtype_policy = tf.as_dtype(inputs_dtype).name
        return self.variable_dtype

    def add_tf1_variable(self, name: str, shape: tuple, initializer: Any = None, dtype: Any = None) -> Any:
        if isinstance(initializer, (str, dict)):
            initializer = keras.initializers.get(initializer)
        variable = create_variable(self, name, shape, dtype or self.variable_dtype, initializer, self.tf1_scope)
        self._tf1_variables[name] = variable
        return variable

    def track_own_variable(self, full_name: str, variable: Any) -> None:
        """Called when no container keeps the variable: the cell owns it."""
        self._track_variable(variable)
        self._own_variables.add(full_name, variable)

    def tf1_variables(self) -> dict[str, Any]:
        """This cell's variables by full TF1 name."""
        return {join(self.tf1_scope, name): variable for name, variable in self._tf1_variables.items()}

    def weight(self, name: str) -> tf.Tensor:
        return _read(self._tf1_variables[name], self.compute_dtype)

    # -- TF1 API ----------------------------------------------------------------------
    def zero_state(self, batch_size: Any, dtype: Any = "float32") -> Any:
        """TF1's ``cell.zero_state(batch_size, dtype)``: zeros in TF1's structure."""
        return to_tf1_state(self, zero_keras_state(self, batch_size, tf.as_dtype(keras_dtype(dtype))))

    def _base_config(self) -> dict:
        config = keras.layers.Layer.get_config(self)
        config.update({"tf1_scope": self.tf1_scope, "tf1_base_name": self.tf1_base_name, LAYOUT_KEY: LAYOUT_VERSION})
        if not self.explicit_dtype:
            config.pop("dtype", None)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "TF1Cell":
        check_layout(cls.__name__, config)
        return cls(**config)


class SplitStepCell(TF1Cell):
    """A non-stacked cell: one input projection, then a recurrent step on Keras-ordered states."""

    kernel_name = "kernel"

    def recurrent_depth(self) -> int:
        return self.units

    def input_depth(self) -> int:
        return int(self._tf1_variables[self.kernel_name].shape[0]) - self.recurrent_depth()

    def split_kernel(self, name: str) -> tuple[tf.Tensor, tf.Tensor]:
        """A TF1 ``[input + recurrent, n]`` kernel as (input part, recurrent part)."""
        kernel = self.weight(name)
        depth = self.input_depth()
        return kernel[:depth], kernel[depth:]

    def make_input_projection(self) -> Callable:
        input_kernel, _ = self.split_kernel("kernel")
        bias = self.projection_bias()
        return lambda inputs: dense(inputs, input_kernel, bias)

    def projection_bias(self) -> tf.Tensor:
        return self.weight("bias")

    def step_once(self, inputs: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
        """One whole step on Keras-ordered ``states``."""
        inputs = tf.cast(inputs, self.compute_dtype)
        return self.make_recurrent_step()(self.make_input_projection()(inputs), states)

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        """One step; TF1 state structures come back as TF1 structures."""
        if isinstance(states, LSTMStateTuple):
            output, new_states = self.step_once(inputs, [states.h, states.c])
            return output, LSTMStateTuple(c=new_states[1], h=new_states[0])
        nested = isinstance(states, (list, tuple))
        output, new_states = self.step_once(inputs, list(states) if nested else [states])
        return output, (new_states if nested else new_states[0])

    @property
    def output_size(self) -> int:
        return self.units


@register
class BasicRNNCell(SplitStepCell):
    """TF1 ``BasicRNNCell``: ``h = activation([x, h] @ kernel + bias)``; state is ``h``."""

    default_tf1_scope_name = "basic_rnn_cell"
    project_unrolled_steps_together = True

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = int(num_units)
        self.activation = keras.activations.get(keras_activation(activation))
        self.state_size = self.units

    def create_variables(self, depth: int, dtype: Any) -> None:
        self.add_tf1_variable(self.kernel_name, (depth + self.units, self.units))
        self.add_tf1_variable("bias", (self.units,), tf.compat.v1.zeros_initializer())

    def make_recurrent_step(self) -> Callable:
        _, recurrent_kernel = self.split_kernel("kernel")
        activation = self.activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h = activation(projected + tf.matmul(states[0], recurrent_kernel))
            return h, [h]

        return step

    def get_config(self) -> dict:
        return {**self._base_config(), "num_units": self.units, "activation": keras.activations.serialize(self.activation)}


@register
class GRUCell(SplitStepCell):
    """TF1 ``GRUCell`` (reset before the matmul): gates r, u from ``[x, h]``, candidate from ``[x, r * h]``."""

    default_tf1_scope_name = "gru_cell"
    kernel_name = "gates/kernel"
    gate_bias_name = "gates/bias"
    candidate_kernel_name = "candidate/kernel"
    candidate_bias_name = "candidate/bias"

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None, kernel_initializer: Any = None,
                 bias_initializer: Any = None, name: str | None = None, dtype: Any = None, **kwargs: Any):
        kwargs.pop("reset_after", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = int(num_units)
        self.activation = keras.activations.get(keras_activation(activation))
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.state_size = self.units

    def create_variables(self, depth: int, dtype: Any) -> None:
        rows, units = depth + self.units, self.units
        gate_bias = self.bias_initializer or tf.compat.v1.constant_initializer(1.0)
        candidate_bias = self.bias_initializer or tf.compat.v1.zeros_initializer()
        self.add_tf1_variable(self.kernel_name, (rows, 2 * units), self.kernel_initializer)
        self.add_tf1_variable(self.gate_bias_name, (2 * units,), gate_bias)
        self.add_tf1_variable(self.candidate_kernel_name, (rows, units), self.kernel_initializer)
        self.add_tf1_variable(self.candidate_bias_name, (units,), candidate_bias)

    def make_input_projection(self) -> Callable:
        gates_input, _ = self.split_kernel(self.kernel_name)
        candidate_input, _ = self.split_kernel(self.candidate_kernel_name)
        kernel = tf.concat([gates_input, candidate_input], axis=1)
        bias = tf.concat([self.weight(self.gate_bias_name), self.weight(self.candidate_bias_name)], axis=0)
        return lambda inputs: dense(inputs, kernel, bias)

    def make_recurrent_step(self) -> Callable:
        units = self.units
        _, gates_recurrent = self.split_kernel(self.kernel_name)
        _, candidate_recurrent = self.split_kernel(self.candidate_kernel_name)
        r_recurrent, u_recurrent = gates_recurrent[:, :units], gates_recurrent[:, units:]
        activation = self.activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            """r and u from two matmuls, not one: only r is on the path to the next step's
            candidate, so it waits for half the work (5-10% faster on CPU, bench_layers)."""
            h_prev = states[0]
            r_x, u_x, candidate_x = tf.split(projected, 3, axis=1)
            r = tf.sigmoid(r_x + tf.matmul(h_prev, r_recurrent))
            u = tf.sigmoid(u_x + tf.matmul(h_prev, u_recurrent))
            candidate = activation(candidate_x + tf.matmul(r * h_prev, candidate_recurrent))
            h = candidate + u * (h_prev - candidate)
            return h, [h]

        return step

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": serializable_initializer(self.kernel_initializer),
            "bias_initializer": serializable_initializer(self.bias_initializer),
        }
