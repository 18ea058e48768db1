"""TF1 oracles for tf.contrib.rnn's projection wrappers, written from TF 1.15's ``core_rnn_cell.py``.

TF 2.21 has no ``OutputProjectionWrapper`` / ``InputProjectionWrapper``; these are TF1 ``RNNCell``s
(tf-keras's legacy base, TF1's scoping) that do what TF 1.15's did: a ``_Linear`` whose ``kernel``
and ``bias`` are ``get_variable``'d in the wrapper's own scope at its first call, the wrapped cell
called from inside that scope. (ResidualWrapper and DeviceWrapper still exist in tf-keras.)
"""

from __future__ import annotations

import tensorflow as tf
from tf_keras.src.layers.rnn import legacy_cells

v1 = tf.compat.v1


def _linear(inputs, output_size, add_bias=True):
    """TF 1.15 ``_Linear(args, output_size, build_bias=True)`` in the current variable scope.

    ``add_bias=False`` (a negative control) creates the bias and leaves it out.
    """
    kernel = v1.get_variable("kernel", [int(inputs.shape[-1]), output_size], dtype=inputs.dtype)
    bias = v1.get_variable("bias", [output_size], dtype=inputs.dtype, initializer=v1.constant_initializer(0.0))
    projected = tf.matmul(inputs, kernel)
    return tf.nn.bias_add(projected, bias) if add_bias else projected


class OracleOutputProjectionWrapper(legacy_cells.RNNCell):
    def __init__(self, cell, output_size, activation=None, name="output_projection_wrapper", skip_bias=False):
        super().__init__(name=name)
        self._cell, self._output_size, self._activation, self._skip_bias = cell, output_size, activation, skip_bias

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        output, res_state = self._cell(inputs, state)
        projected = _linear(output, self._output_size, add_bias=not self._skip_bias)
        return (self._activation(projected) if self._activation else projected), res_state


class OracleInputProjectionWrapper(legacy_cells.RNNCell):
    def __init__(self, cell, num_proj, activation=None, name="input_projection_wrapper"):
        super().__init__(name=name)
        self._cell, self._num_proj, self._activation = cell, num_proj, activation

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def call(self, inputs, state):
        projected = _linear(inputs, self._num_proj)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)
