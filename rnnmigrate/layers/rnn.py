"""Keras layers and functions that return exactly what TF1's RNN functions returned.

| TF1                                   | here                                   |
|---------------------------------------|----------------------------------------|
| ``tf.nn.dynamic_rnn``                 | ``DynamicRNN(cell)(x, ...)``           |
| ``tf.nn.bidirectional_dynamic_rnn``   | ``BidirectionalDynamicRNN(fw, bw)(x)`` |
| ``tf.nn.static_rnn``                  | ``static_rnn``                         |
| ``tf.nn.static_bidirectional_rnn``    | ``static_bidirectional_rnn``           |

The layers own no weights: they run their cells' weights, so one cell object in
several layers (or calls) is one set of weights, as in TF1.
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import build_cell
from rnnmigrate.layers.config import LAYOUT_KEY, LAYOUT_VERSION, cell_from_config, check_layout, keras_dtype, register
from rnnmigrate.layers.compiled import run_bidirectional_dynamic_rnn, run_dynamic_rnn
from rnnmigrate.layers.protocol import require_cell
from rnnmigrate.layers.states import from_tf1_state, to_tf1_state


def scope_name(scope: Any) -> str | None:
    """A TF1 ``scope`` argument (a string or a ``VariableScope``) as a string."""
    if scope is None or isinstance(scope, str):
        return scope
    return getattr(scope, "name", str(scope))


def _keras_layer_name(name: str | None) -> str | None:
    """Keras names may not contain '/', TF1 scopes may."""
    return None if name is None else name.replace("/", "_")


def _sequence_lengths(sequence_length: Any) -> tf.Tensor | None:
    if sequence_length is None:
        return None
    return tf.cast(tf.convert_to_tensor(sequence_length), tf.int32)


def _keras_initial_state(cell: Any, initial_state: Any, dtype: tf.DType) -> Any:
    if initial_state is None:
        return None
    cast_state = tf.nest.map_structure(lambda tensor: tf.cast(tensor, dtype), initial_state)
    return from_tf1_state(cell, cast_state)


class _TF1RNNLayer(keras.layers.Layer):
    """What DynamicRNN and BidirectionalDynamicRNN share: TF1 scope, dtype, config version.

    The layer's ``scope`` (a string or a ``VariableScope``) opens inside the
    enclosing ``tf.compat.v1.variable_scope`` stack, as TF1's did.  Inputs keep
    their dtype (TF1 ran float64 inputs in float64) unless a mixed Keras policy
    asks for its compute dtype.
    """

    is_rnnmigrate_runtime = True
    default_scope = "rnn"

    def _init_tf1(self, name: str | None, scope: Any) -> None:
        self._convert_input_args = False
        self.supports_masking = True
        self.scope = scope_name(scope) or name or self.default_scope
        object.__setattr__(self, "_scope_argument", scope if isinstance(scope, tf.compat.v1.VariableScope) else None)
        object.__setattr__(self, "_inputs_dtype", None)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not (tf.is_tensor(inputs) or isinstance(inputs, keras.KerasTensor)):
            # Arrays become tensors as Keras makes them; tensors keep their dtype, as in TF1.
            inputs = self.dtype_policy.convert_input(inputs, self.autocast, self.input_dtype)
        object.__setattr__(self, "_inputs_dtype", getattr(inputs, "dtype", None))
        return super().__call__(inputs, *args, **kwargs)

    def variable_scope(self) -> Any:
        return tf.compat.v1.variable_scope(self._scope_argument or self.scope, auxiliary_name_scope=False)

    def build_dtype(self) -> Any:
        policy = self.dtype_policy
        if policy.compute_dtype != policy.variable_dtype or self._inputs_dtype is None:
            return policy.compute_dtype
        return keras.backend.standardize_dtype(self._inputs_dtype)

    def prepare_inputs(self, inputs: Any) -> tf.Tensor:
        inputs = tf.convert_to_tensor(inputs)
        policy = self.dtype_policy
        if policy.compute_dtype != policy.variable_dtype and inputs.dtype.is_floating:
            inputs = tf.cast(inputs, policy.compute_dtype)
        return inputs

    def _layout_config(self) -> dict:
        config = super().get_config()
        config.update({"time_major": self.time_major, "scope": self.scope, LAYOUT_KEY: LAYOUT_VERSION})
        return config


@register
class DynamicRNN(_TF1RNNLayer):
    """``tf.nn.dynamic_rnn`` as a Keras layer.

    ``outputs, state = DynamicRNN(cell)(inputs, sequence_length, initial_state)``:
    outputs are zero at ``t >= length``, the state comes from each row's last
    valid step (the initial state for length 0), and both have TF1's structure
    (``LSTMStateTuple(c, h)``, a tensor, or a tuple per MultiRNNCell layer).

    The TF1 variable scope (for weight loading) is ``scope``, else ``name``,
    else ``"rnn"``; ``parallel_iterations``/``swap_memory`` are accepted and unused.
    """

    def __init__(
        self,
        cell: Any,
        time_major: bool = False,
        dtype: Any = None,
        name: str | None = None,
        scope: Any = None,
        parallel_iterations: int | None = None,
        swap_memory: bool = False,
        **kwargs: Any,
    ):
        require_cell(cell, type(self).__name__)
        super().__init__(name=_keras_layer_name(name), dtype=keras_dtype(dtype), **kwargs)
        self.cell = cell
        self.time_major = bool(time_major)
        self._init_tf1(name, scope)

    def build(self, inputs_shape: Any) -> None:
        with self.variable_scope():
            build_cell(self.cell, inputs_shape[-1], self.build_dtype())

    def tf1_variables(self) -> dict[str, Any]:
        """The variables this layer runs, by TF1 name."""
        return self.cell.tf1_variables()

    def call(
        self,
        inputs: Any,
        sequence_length: Any = None,
        initial_state: Any = None,
        training: bool | None = None,
    ) -> tuple[tf.Tensor, Any]:
        inputs = self.prepare_inputs(inputs)
        outputs, final_state = run_dynamic_rnn(
            self.cell,
            inputs,
            _sequence_lengths(sequence_length),
            _keras_initial_state(self.cell, initial_state, inputs.dtype),
            bool(training),
            self.time_major,
        )
        return outputs, to_tf1_state(self.cell, final_state)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        """An incoming Keras mask is ignored, as TF1 ignored it: ``sequence_length`` decides."""
        return None

    def get_config(self) -> dict:
        return {**self._layout_config(), "cell": self.cell}

    @classmethod
    def from_config(cls, config: dict) -> "DynamicRNN":
        config = dict(config)
        check_layout(cls.__name__, config)
        config["cell"] = cell_from_config(config["cell"])
        return cls(**config)


@register
class BidirectionalDynamicRNN(_TF1RNNLayer):
    """``tf.nn.bidirectional_dynamic_rnn`` as a Keras layer.

    ``(out_fw, out_bw), (state_fw, state_bw) = layer(inputs, sequence_length)``;
    the backward cell reads each row reversed within its own length and its
    outputs come back in forward time order.  TF1 scope: ``scope``, else
    ``name``, else ``"bidirectional_rnn"``, with sub-scopes ``fw`` and ``bw``.
    """

    def __init__(
        self,
        cell_fw: Any,
        cell_bw: Any,
        time_major: bool = False,
        dtype: Any = None,
        name: str | None = None,
        scope: Any = None,
        parallel_iterations: int | None = None,
        swap_memory: bool = False,
        **kwargs: Any,
    ):
        require_cell(cell_fw, type(self).__name__)
        require_cell(cell_bw, type(self).__name__)
        super().__init__(name=_keras_layer_name(name), dtype=keras_dtype(dtype), **kwargs)
        self.cell_fw = cell_fw
        self.cell_bw = cell_bw
        self.time_major = bool(time_major)
        self._init_tf1(name, scope)

    default_scope = "bidirectional_rnn"

    def build(self, inputs_shape: Any) -> None:
        with self.variable_scope():
            for direction, cell in (("fw", self.cell_fw), ("bw", self.cell_bw)):
                with tf.compat.v1.variable_scope(direction, auxiliary_name_scope=False):
                    build_cell(cell, inputs_shape[-1], self.build_dtype())

    compute_mask = DynamicRNN.compute_mask

    def tf1_variables(self) -> dict[str, Any]:
        return {**self.cell_fw.tf1_variables(), **self.cell_bw.tf1_variables()}

    def call(
        self,
        inputs: Any,
        sequence_length: Any = None,
        initial_state_fw: Any = None,
        initial_state_bw: Any = None,
        training: bool | None = None,
    ) -> tuple[tuple[tf.Tensor, tf.Tensor], tuple[Any, Any]]:
        inputs = self.prepare_inputs(inputs)
        (outputs_fw, outputs_bw), (state_fw, state_bw) = run_bidirectional_dynamic_rnn(
            self.cell_fw,
            self.cell_bw,
            inputs,
            _sequence_lengths(sequence_length),
            _keras_initial_state(self.cell_fw, initial_state_fw, inputs.dtype),
            _keras_initial_state(self.cell_bw, initial_state_bw, inputs.dtype),
            bool(training),
            self.time_major,
        )
        return (outputs_fw, outputs_bw), (to_tf1_state(self.cell_fw, state_fw), to_tf1_state(self.cell_bw, state_bw))

    def get_config(self) -> dict:
        return {**self._layout_config(), "cell_fw": self.cell_fw, "cell_bw": self.cell_bw}

    @classmethod
    def from_config(cls, config: dict) -> "BidirectionalDynamicRNN":
        config = dict(config)
        check_layout(cls.__name__, config)
        config["cell_fw"] = cell_from_config(config["cell_fw"])
        config["cell_bw"] = cell_from_config(config["cell_bw"])
        return cls(**config)


def static_rnn(
    cell: Any,
    inputs: Sequence[Any],
    initial_state: Any = None,
    dtype: Any = None,
    sequence_length: Any = None,
    scope: Any = None,
) -> tuple[list, Any]:
    """``tf.nn.static_rnn``: a list of ``[batch, depth]`` inputs -> (list of outputs, state)."""
    require_cell(cell, "static_rnn")
    layer = DynamicRNN(cell, time_major=True, dtype=dtype, scope=scope or "rnn")
    outputs, state = layer(
        keras.ops.stack(list(inputs), axis=0), sequence_length=sequence_length, initial_state=initial_state
    )
    return keras.ops.unstack(outputs, num=len(inputs), axis=0), state


def static_bidirectional_rnn(
    cell_fw: Any,
    cell_bw: Any,
    inputs: Sequence[Any],
    initial_state_fw: Any = None,
    initial_state_bw: Any = None,
    dtype: Any = None,
    sequence_length: Any = None,
    scope: Any = None,
) -> tuple[list, Any, Any]:
    """``tf.nn.static_bidirectional_rnn``: (outputs with fw and bw concatenated, state_fw, state_bw)."""
    require_cell(cell_fw, "static_bidirectional_rnn")
    require_cell(cell_bw, "static_bidirectional_rnn")
    layer = BidirectionalDynamicRNN(
        cell_fw, cell_bw, time_major=True, dtype=dtype, scope=scope or "bidirectional_rnn"
    )
    (outputs_fw, outputs_bw), (state_fw, state_bw) = layer(
        keras.ops.stack(list(inputs), axis=0),
        sequence_length=sequence_length,
        initial_state_fw=initial_state_fw,
        initial_state_bw=initial_state_bw,
    )
    outputs = keras.ops.concatenate([outputs_fw, outputs_bw], axis=-1)
    return keras.ops.unstack(outputs, num=len(inputs), axis=0), state_fw, state_bw
