"""TF1's ``tf.contrib.cudnn_rnn.CudnnCompatibleLSTMCell`` and ``CudnnCompatibleGRUCell``.

The cells that read what ``CudnnLSTM`` / ``CudnnGRU`` save through their canonical
saveables, written from TF 1.15's ``contrib/cudnn_rnn/python/ops/cudnn_rnn_ops.py``:

* ``CudnnCompatibleLSTMCell`` is ``LSTMBlockCell(num_units, forget_bias=0,
  cell_clip=None, use_peephole=False, name="cudnn_compatible_lstm_cell")``:
  ``cudnn_compatible_lstm_cell/kernel [d+u, 4u]`` (gates i, j, f, o) and ``bias
  [4u]`` (cuDNN's input and recurrent biases summed), the math of ``LSTMCell``
  with no forget bias.
* ``CudnnCompatibleGRUCell`` resets *after* the recurrent matmul (cuDNN's GRU)::

      r, u = split(sigmoid([x, h] @ gates/kernel + gates/bias), 2)
      c = tanh(x @ candidate/input_projection/kernel + input_projection/bias
               + r * (h @ candidate/hidden_projection/kernel + hidden_projection/bias))
      h' = (1 - u) * c + u * h
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from rnnmigrate.layers.cells import SplitStepCell, dense
from rnnmigrate.layers.config import register, serializable_initializer
from rnnmigrate.layers.lstm import _LSTMBase


@register
class CudnnCompatibleLSTMCell(_LSTMBase):
    """TF1 ``CudnnCompatibleLSTMCell(num_units)``: an LSTM with ``forget_bias=0`` under ``cudnn_compatible_lstm_cell``."""

    default_tf1_scope_name = "cudnn_compatible_lstm_cell"

    def __init__(self, num_units: int, reuse: Any = None, name: str | None = None, dtype: Any = None,
                 kernel_initializer: Any = None, bias_initializer: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._init_lstm(num_units, 0.0, True, None)
        self.initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def create_variables(self, depth: int, dtype: Any) -> None:
        units = self.units
        self.add_tf1_variable("kernel", (depth + units, 4 * units), self.initializer)
        self.add_tf1_variable("bias", (4 * units,), self.bias_initializer or tf.compat.v1.zeros_initializer())

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "kernel_initializer": serializable_initializer(self.initializer),
            "bias_initializer": serializable_initializer(self.bias_initializer),
        }


@register
class CudnnCompatibleGRUCell(SplitStepCell):
    """TF1 ``CudnnCompatibleGRUCell(num_units, kernel_initializer=None)``: cuDNN's reset-after GRU.

    ``bias_initializer`` is not TF1's argument (TF1's GRUCell default is kept: gate
    biases 1, candidate biases 0); ``CudnnGRU`` passes zeros, as cuDNN started.
    """

    default_tf1_scope_name = "cudnn_compatible_gru_cell"
    kernel_name = "gates/kernel"
    project_unrolled_steps_together = True

    def __init__(self, num_units: int, reuse: Any = None, kernel_initializer: Any = None, name: str | None = None,
                 dtype: Any = None, bias_initializer: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = int(num_units)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.state_size = self.units

    def create_variables(self, depth: int, dtype: Any) -> None:
        units, initializer = self.units, self.kernel_initializer
        gate_bias = self.bias_initializer or tf.compat.v1.constant_initializer(1.0)
        candidate_bias = self.bias_initializer or tf.compat.v1.zeros_initializer()
        self.add_tf1_variable("gates/kernel", (depth + units, 2 * units), initializer)
        self.add_tf1_variable("gates/bias", (2 * units,), gate_bias)
        self.add_tf1_variable("candidate/input_projection/kernel", (depth, units), initializer)
        self.add_tf1_variable("candidate/hidden_projection/kernel", (units, units), initializer)
        self.add_tf1_variable("candidate/input_projection/bias", (units,), candidate_bias)
        self.add_tf1_variable("candidate/hidden_projection/bias", (units,), candidate_bias)

    def make_input_projection(self) -> Callable:
        gates_input, _ = self.split_kernel("gates/kernel")
        kernel = tf.concat([gates_input, self.weight("candidate/input_projection/kernel")], axis=1)
        bias = tf.concat([self.weight("gates/bias"), self.weight("candidate/input_projection/bias")], axis=0)
        return lambda inputs: dense(inputs, kernel, bias)

    def make_recurrent_step(self) -> Callable:
        gates = 2 * self.units
        _, gates_recurrent = self.split_kernel("gates/kernel")
        recurrent = tf.concat([gates_recurrent, self.weight("candidate/hidden_projection/kernel")], axis=1)
        hidden_bias = self.weight("candidate/hidden_projection/bias")
        recurrent_bias = tf.concat([tf.zeros([gates], hidden_bias.dtype), hidden_bias], axis=0)

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h_prev = states[0]
            hidden = dense(h_prev, recurrent, recurrent_bias)
            r, u = tf.split(tf.sigmoid(projected[:, :gates] + hidden[:, :gates]), 2, axis=1)
            candidate = tf.tanh(projected[:, gates:] + r * hidden[:, gates:])
            h = (1 - u) * candidate + u * h_prev
            return h, [h]

        return step

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "kernel_initializer": serializable_initializer(self.kernel_initializer),
            "bias_initializer": serializable_initializer(self.bias_initializer),
        }
