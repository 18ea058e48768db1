"""TF1's LSTMCell with peepholes, projection and clipping, which Keras lacks.

TF1's formulas (z = x K + m_prev R + b, gates in Keras order i, f, c, o,
forget_bias folded into b):

    i = sigmoid(z_i + w_i * c_prev)          # "+ w * c" only with peepholes
    f = sigmoid(z_f + w_f * c_prev)
    c = f * c_prev + i * activation(z_c)
    c = clip(c, cell_clip)
    o = sigmoid(z_o + w_o * c)               # the new c
    m = o * activation(c)
    m = clip(m @ P, proj_clip)               # only with num_proj
    output m, state (c, m)

With ``num_proj = p`` the recurrent input is m, so ``recurrent_kernel`` is
``[p, 4u]`` and the state is ``[h: p, c: u]`` in Keras order.
"""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import LSTMCell, register


@register
class CompatLSTMCell(LSTMCell):
    """``LSTMCell(..., use_peepholes / num_proj / cell_clip / proj_clip)`` with TF1's formulas."""

    def __init__(self, num_units: int, *args: Any, **kwargs: Any):
        super().__init__(num_units, *args, **kwargs)
        self.output_units = self.num_proj if self.num_proj is not None else self.units
        self.state_size = [self.output_units, self.units]
        self.output_size = self.output_units

    def _extra_initializer(self) -> Any:
        return keras.initializers.get(self.initializer) if self.initializer is not None else "glorot_uniform"

    def build(self, input_shape: Any) -> None:
        input_depth = input_shape[-1]
        units = self.units
        self.kernel = self.add_weight(
            shape=(input_depth, 4 * units), name="kernel", initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.output_units, 4 * units), name="recurrent_kernel", initializer=self.recurrent_initializer
        )
        self.bias = self.add_weight(shape=(4 * units,), name="bias", initializer=self.bias_initializer)
        if self.use_peepholes:
            self.input_peephole = self.add_weight(
                shape=(units,), name="input_peephole", initializer=self._extra_initializer()
            )
            self.forget_peephole = self.add_weight(
                shape=(units,), name="forget_peephole", initializer=self._extra_initializer()
            )
            self.output_peephole = self.add_weight(
                shape=(units,), name="output_peephole", initializer=self._extra_initializer()
            )
        if self.num_proj is not None:
            self.projection_kernel = self.add_weight(
                shape=(units, self.num_proj), name="projection_kernel", initializer=self._extra_initializer()
            )

    def make_recurrent_step(self) -> Callable:
        read = tf.convert_to_tensor
        recurrent_kernel = read(self.recurrent_kernel)
        if self.use_peepholes:
            peepholes = read(self.input_peephole), read(self.forget_peephole), read(self.output_peephole)
        projection_kernel = read(self.projection_kernel) if self.num_proj is not None else None
        sigmoid, activation = self.recurrent_activation, self.activation
        cell_clip, proj_clip = self.cell_clip, self.proj_clip

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            m_prev, c_prev = states
            z_i, z_f, z_c, z_o = tf.split(projected + tf.matmul(m_prev, recurrent_kernel), 4, axis=1)
            if self.use_peepholes:
                z_i = z_i + peepholes[0] * c_prev
                z_f = z_f + peepholes[1] * c_prev
            c = sigmoid(z_f) * c_prev + sigmoid(z_i) * activation(z_c)
            if cell_clip is not None:
                c = tf.clip_by_value(c, -cell_clip, cell_clip)
            if self.use_peepholes:
                z_o = z_o + peepholes[2] * c
            m = sigmoid(z_o) * activation(c)
            if projection_kernel is not None:
                m = tf.matmul(m, projection_kernel)
                if proj_clip is not None:
                    m = tf.clip_by_value(m, -proj_clip, proj_clip)
            return m, [m, c]

        return step

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        if not self.has_fast_path:
            raise NotImplementedError(
                "Keras's dropout/recurrent_dropout arguments are not available with TF1's "
                "peephole/projection LSTM; wrap the cell in DropoutWrapper instead."
            )
        return super().call(inputs, states, training=training)
