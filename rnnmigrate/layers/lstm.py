"""TF1's ``BasicLSTMCell`` and ``LSTMCell`` (peepholes, projection, clipping), TF1's math.

TF1 (gate columns i, j, f, o of one kernel ``[input + recurrent, 4u]``):

    z = [x, m_prev] @ kernel + bias;  i, j, f, o = split(z, 4)
    c = sigmoid(f + forget_bias + w_f * c_prev) * c_prev + sigmoid(i + w_i * c_prev) * act(j)
    c = clip(c, cell_clip)
    m = sigmoid(o + w_o * c) * act(c)          # "+ w * c" only with peepholes
    m = clip(m @ projection, proj_clip)        # only with num_proj
    output m, state LSTMStateTuple(c, m)

``forget_bias`` is folded into the per-call copy of the bias, outside the loop.
"""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import SplitStepCell, require_tuple_state
from rnnmigrate.layers.config import keras_activation, register, serializable_initializer
from rnnmigrate.layers.states import ProjectedLSTMSizes


class _LSTMBase(ProjectedLSTMSizes, SplitStepCell):
    """Shared parts of BasicLSTMCell and LSTMCell; state ``[h, c]`` in Keras order."""

    project_unrolled_steps_together = True
    state_is_lstm_tuple = True
    use_peepholes = False
    num_proj = None
    cell_clip = None
    proj_clip = None
    initializer = None

    def _init_lstm(self, num_units: int, forget_bias: float, state_is_tuple: bool, activation: Any) -> None:
        require_tuple_state(state_is_tuple)
        self.units = int(num_units)
        self.forget_bias = float(forget_bias)
        self.activation = keras.activations.get(keras_activation(activation))

    def recurrent_depth(self) -> int:
        return self.output_units

    def create_variables(self, depth: int, dtype: Any) -> None:
        units = self.units
        self.add_tf1_variable("kernel", (depth + self.output_units, 4 * units), self.initializer)
        self.add_tf1_variable("bias", (4 * units,), tf.compat.v1.zeros_initializer())
        if self.use_peepholes:
            for name in ("w_f_diag", "w_i_diag", "w_o_diag"):
                self.add_tf1_variable(name, (units,), self.initializer)
        if self.num_proj is not None:
            self.add_tf1_variable("projection/kernel", (units, self.num_proj), self.initializer)

    def projection_bias(self) -> tf.Tensor:
        bias = self.weight("bias")
        if not self.forget_bias:
            return bias
        units = self.units
        forget = tf.concat([tf.zeros([2 * units], bias.dtype), tf.fill([units], tf.cast(self.forget_bias, bias.dtype)),
                            tf.zeros([units], bias.dtype)], axis=0)
        return bias + forget

    def make_recurrent_step(self) -> Callable:
        _, recurrent_kernel = self.split_kernel("kernel")
        activation = self.activation
        if not (self.use_peepholes or self.num_proj is not None or self.cell_clip is not None):
            def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
                h_prev, c_prev = states
                i, j, f, o = tf.split(projected + tf.matmul(h_prev, recurrent_kernel), 4, axis=1)
                c = tf.sigmoid(f) * c_prev + tf.sigmoid(i) * activation(j)
                h = tf.sigmoid(o) * activation(c)
                return h, [h, c]

            return step
        return self._make_tf1_options_step(recurrent_kernel, activation)

    def _make_tf1_options_step(self, recurrent_kernel: tf.Tensor, activation: Callable) -> Callable:
        peepholes = [self.weight(name) for name in ("w_i_diag", "w_f_diag", "w_o_diag")] if self.use_peepholes else None
        projection = self.weight("projection/kernel") if self.num_proj is not None else None
        cell_clip, proj_clip = self.cell_clip, self.proj_clip

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            m_prev, c_prev = states
            i, j, f, o = tf.split(projected + tf.matmul(m_prev, recurrent_kernel), 4, axis=1)
            if peepholes is not None:
                i, f = i + peepholes[0] * c_prev, f + peepholes[1] * c_prev
            c = tf.sigmoid(f) * c_prev + tf.sigmoid(i) * activation(j)
            if cell_clip is not None:
                c = tf.clip_by_value(c, -cell_clip, cell_clip)
            if peepholes is not None:
                o = o + peepholes[2] * c
            m = tf.sigmoid(o) * activation(c)
            if projection is not None:
                m = tf.matmul(m, projection)
                if proj_clip is not None:
                    m = tf.clip_by_value(m, -proj_clip, proj_clip)
            return m, [m, c]

        return step


@register
class BasicLSTMCell(_LSTMBase):
    """TF1 ``BasicLSTMCell``."""

    default_tf1_scope_name = "basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True, activation: Any = None,
                 reuse: Any = None, name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._init_lstm(num_units, forget_bias, state_is_tuple, activation)

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "forget_bias": self.forget_bias,
            "activation": keras.activations.serialize(self.activation),
        }


@register
class LSTMCell(_LSTMBase):
    """TF1 ``LSTMCell``; ``num_unit_shards``/``num_proj_shards`` only partitioned TF1's variables."""

    default_tf1_scope_name = "lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer: Any = None, num_proj: int | None = None, proj_clip: float | None = None,
                 num_unit_shards: int | None = None, num_proj_shards: int | None = None, forget_bias: float = 1.0,
                 state_is_tuple: bool = True, activation: Any = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._init_lstm(num_units, forget_bias, state_is_tuple, activation)
        self.use_peepholes = bool(use_peepholes)
        self.cell_clip = cell_clip
        self.num_proj = num_proj
        self.proj_clip = proj_clip
        self.initializer = initializer

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "use_peepholes": self.use_peepholes,
            "cell_clip": self.cell_clip,
            "initializer": serializable_initializer(self.initializer),
            "num_proj": self.num_proj,
            "proj_clip": self.proj_clip,
            "forget_bias": self.forget_bias,
            "activation": keras.activations.serialize(self.activation),
        }
