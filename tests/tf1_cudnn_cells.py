"""TF 1.15's cuDNN-compatible cells and ``stack_bidirectional_dynamic_rnn``, rebuilt for the tests.

``tf.contrib`` is gone from TensorFlow 2, so these are written here from the TF 1.15
sources (``contrib/cudnn_rnn/python/ops/cudnn_rnn_ops.py``, ``contrib/rnn/python/ops/
lstm_ops.py`` and ``contrib/rnn/python/ops/rnn.py``) on the legacy TF1 cell base (tf-keras,
``TF_USE_LEGACY_KERAS=1``): same variable names, same math.  The LSTM step runs TensorFlow's
own ``LSTMBlockCell`` kernel, as ``LSTMBlockCell`` did.  Shared by the runtime's differential
tests and by ``verify``'s weight-mapping tests.
"""

from __future__ import annotations

import tensorflow as tf
from tf_keras.src.layers.rnn.legacy_cells import GRUCell, LayerRNNCell, LSTMStateTuple

v1 = tf.compat.v1


class CudnnCompatibleLSTMCell(LayerRNNCell):
    """``LSTMBlockCell(num_units, forget_bias=0, cell_clip=None, use_peephole=False, name="cudnn_compatible_lstm_cell")``."""

    def __init__(self, num_units, reuse=None):
        super().__init__(_reuse=reuse, name="cudnn_compatible_lstm_cell")
        self._num_units = num_units

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = int(inputs_shape[1])
        self._kernel = self.add_weight("kernel", [depth + self._num_units, 4 * self._num_units])
        self._bias = self.add_weight("bias", [4 * self._num_units], initializer=v1.constant_initializer(0.0))
        self.built = True

    def call(self, inputs, state):
        cs_prev, h_prev = state
        no_peephole = tf.zeros([self._num_units], dtype=inputs.dtype)
        _, cs, _, _, _, _, h = tf.raw_ops.LSTMBlockCell(
            x=inputs, cs_prev=cs_prev, h_prev=h_prev, w=self._kernel, wci=no_peephole, wcf=no_peephole,
            wco=no_peephole, b=self._bias, forget_bias=0.0, cell_clip=-1.0, use_peephole=False,
        )
        return h, LSTMStateTuple(cs, h)


class CudnnCompatibleGRUCell(GRUCell):
    """cuDNN's GRU: the candidate is tanh(x W_i + b_i + r * (h W_h + b_h)), reset after the recurrent matmul."""

    def __init__(self, num_units, reuse=None, kernel_initializer=None):
        super().__init__(num_units, activation=None, reuse=reuse, kernel_initializer=kernel_initializer)

    def build(self, inputs_shape):
        depth, units = int(inputs_shape[-1]), self._num_units
        ones, zeros = v1.constant_initializer(1.0), v1.zeros_initializer()
        self._gate_kernel = self.add_weight("gates/kernel", [depth + units, 2 * units])
        self._gate_bias = self.add_weight("gates/bias", [2 * units], initializer=ones)
        self._candidate_input_kernel = self.add_weight("candidate/input_projection/kernel", [depth, units])
        self._candidate_hidden_kernel = self.add_weight("candidate/hidden_projection/kernel", [units, units])
        self._candidate_input_bias = self.add_weight("candidate/input_projection/bias", [units], initializer=zeros)
        self._candidate_hidden_bias = self.add_weight("candidate/hidden_projection/bias", [units], initializer=zeros)
        self.built = True

    def call(self, inputs, state):
        gates = tf.sigmoid(tf.nn.bias_add(tf.matmul(tf.concat([inputs, state], 1), self._gate_kernel), self._gate_bias))
        r, u = tf.split(gates, 2, axis=1)
        candidate = tf.nn.bias_add(tf.matmul(inputs, self._candidate_input_kernel), self._candidate_input_bias)
        candidate += r * tf.nn.bias_add(tf.matmul(state, self._candidate_hidden_kernel), self._candidate_hidden_bias)
        new_h = (1 - u) * tf.tanh(candidate) + u * state
        return new_h, new_h


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                                    sequence_length=None, time_major=False, dtype=tf.float32, scope=None):
    """TF 1.15 ``tf.contrib.rnn.stack_bidirectional_dynamic_rnn``: layer k under ``cell_k/bidirectional_rnn``."""
    states_fw, states_bw, layer_inputs = [], [], inputs
    with v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with v1.variable_scope(f"cell_{index}"):
                outputs, (state_fw, state_bw) = v1.nn.bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer_inputs,
                    initial_state_fw=None if initial_states_fw is None else initial_states_fw[index],
                    initial_state_bw=None if initial_states_bw is None else initial_states_bw[index],
                    sequence_length=sequence_length, dtype=dtype, time_major=time_major,
                )
                layer_inputs = tf.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer_inputs, tuple(states_fw), tuple(states_bw)


class CudnnRNNOnCPU:
    """What TF 1.15's ``CudnnLSTM`` / ``CudnnGRU`` / ``CudnnRNNTanh`` / ``CudnnRNNRelu`` computed and saved, as CPU code.

    The stack ``cudnn_rnn.py``'s docstring tells CPU programs to build from a CudnnLSTM checkpoint,
    under the scope the layer's first call opened (``cudnn_lstm``, or ``name``): ``dynamic_rnn(
    MultiRNNCell(cells), time_major=True)``, or ``stack_bidirectional_dynamic_rnn``.  States go in
    and out stacked ``[num_layers * num_dirs, batch, num_units]``, layer-major, forward first.
    No dropout (cuDNN's random stream cannot be reproduced).
    """

    cells = {
        "lstm": lambda units: CudnnCompatibleLSTMCell(units),
        "gru": lambda units: CudnnCompatibleGRUCell(units),
        "rnn_tanh": lambda units: v1.nn.rnn_cell.BasicRNNCell(units, activation=tf.tanh),
        "rnn_relu": lambda units: v1.nn.rnn_cell.BasicRNNCell(units, activation=tf.nn.relu),
    }

    def __init__(self, rnn_mode, num_layers, num_units, direction="unidirectional", name=None):
        self.rnn_mode, self.num_layers, self.num_units, self.direction = rnn_mode, num_layers, num_units, direction
        self.name = name or {"lstm": "cudnn_lstm", "gru": "cudnn_gru"}.get(rnn_mode, f"cudnn_{rnn_mode}")
        self.scope = None

    def __call__(self, inputs, initial_state=None, sequence_lengths=None, scope=""):
        """``scope=""``: the layer's own (its first call's); ``scope=None``: the enclosing one (``layer.build`` first)."""
        if self.scope is None and scope is not None:
            with v1.variable_scope(None, default_name=self.name) as opened:
                self.scope = opened
        with v1.variable_scope(self.scope, reuse=tf.compat.v1.AUTO_REUSE) if self.scope else _no_scope():
            return self._stack(inputs, initial_state, sequence_lengths)

    def _stack(self, inputs, initial_state, lengths):
        with_c = self.rnn_mode == "lstm"
        make = lambda: self.cells[self.rnn_mode](self.num_units)  # noqa: E731
        if initial_state is None:
            state_of = lambda p: None  # noqa: E731
        else:
            h, c = initial_state[0], initial_state[-1]
            state_of = lambda p: LSTMStateTuple(c[p], h[p]) if with_c else h[p]  # noqa: E731
        if self.direction == "unidirectional":
            initial = None if initial_state is None else tuple(state_of(p) for p in range(self.num_layers))
            cell = v1.nn.rnn_cell.MultiRNNCell([make() for _ in range(self.num_layers)])
            outputs, states = v1.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, initial_state=initial,
                                                dtype=inputs.dtype, time_major=True)
        else:
            layers = range(self.num_layers)
            outputs, states_fw, states_bw = stack_bidirectional_dynamic_rnn(
                [make() for _ in layers], [make() for _ in layers], inputs,
                None if initial_state is None else [state_of(2 * k) for k in layers],
                None if initial_state is None else [state_of(2 * k + 1) for k in layers],
                sequence_length=lengths, time_major=True, dtype=inputs.dtype,
            )
            states = [state for pair in zip(states_fw, states_bw) for state in pair]
        if with_c:
            return outputs, (tf.stack([s.h for s in states]), tf.stack([s.c for s in states]))
        return outputs, (tf.stack(list(states)),)


class _no_scope:
    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return False
