"""TF1 oracles for ``tf.contrib.rnn.LayerNormBasicLSTMCell`` and ``NASCell``, which TF 2 no longer has.

Legacy ``RNNCell`` subclasses (tf-keras's, with ``TF_USE_LEGACY_KERAS=1``) written from the TF 1.15
source (``tensorflow/contrib/rnn/python/ops/rnn_cell.py``): variables created by
``tf.compat.v1.get_variable`` inside ``call`` under TF1's scopes and names, layer norm as
``contrib.layers.layer_norm`` computed it (``tf.nn.moments`` then ``tf.nn.batch_normalization``,
epsilon 1e-12), dropout through ``tf.compat.v1.nn.dropout``.  They run in ``dynamic_rnn``,
``bidirectional_dynamic_rnn`` and a Saver like the contrib cells did; the tests prove them
against TF 1.x's own expected values and a NumPy float64 implementation before trusting them.
"""

from __future__ import annotations

import tensorflow as tf

v1 = tf.compat.v1
rnn_cell = v1.nn.rnn_cell


def _layer_norm(values, scope: str, gain: float, shift: float):
    with v1.variable_scope(scope):
        units = values.shape[-1:]
        gamma = v1.get_variable("gamma", shape=units, initializer=v1.constant_initializer(gain), dtype=values.dtype)
        beta = v1.get_variable("beta", shape=units, initializer=v1.constant_initializer(shift), dtype=values.dtype)
    mean, variance = tf.nn.moments(values, [1], keepdims=True)
    epsilon = 1e-12 if values.dtype != tf.float16 else 1e-3
    return tf.nn.batch_normalization(values, mean, variance, offset=beta, scale=gamma, variance_epsilon=epsilon)


class LayerNormBasicLSTMCell(rnn_cell.RNNCell):
    """TF 1.15's ``LayerNormBasicLSTMCell``; ``skip_norm`` and ``gate_order`` only for negative controls."""

    def __init__(self, num_units, forget_bias=1.0, input_size=None, activation=tf.tanh, layer_norm=True,
                 norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0, dropout_prob_seed=None, reuse=None,
                 skip_norm=(), gate_order="ijfo"):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._activation = activation
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift
        self._skip_norm = skip_norm
        self._gate_order = gate_order

    @property
    def state_size(self):
        return rnn_cell.LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def _norm(self, values, scope):
        if scope in self._skip_norm:
            _layer_norm(values, scope, self._norm_gain, self._norm_shift)  # the variables stay
            return values
        return _layer_norm(values, scope, self._norm_gain, self._norm_shift)

    def call(self, inputs, state):
        c, h = state
        args = tf.concat([inputs, h], 1)
        kernel = v1.get_variable("kernel", [args.shape[-1], 4 * self._num_units], dtype=args.dtype)
        concat = tf.matmul(args, kernel)
        if not self._layer_norm:
            concat = tf.nn.bias_add(concat, v1.get_variable("bias", [4 * self._num_units], dtype=args.dtype))
        gates = dict(zip(self._gate_order, tf.split(concat, 4, axis=1)))
        i, j, f, o = (gates[name] for name in "ijfo")
        if self._layer_norm:
            i, j = self._norm(i, "input"), self._norm(j, "transform")
            f, o = self._norm(f, "forget"), self._norm(o, "output")
        g = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = v1.nn.dropout(g, self._keep_prob, seed=self._seed)
        new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self._activation(new_c) * tf.sigmoid(o)
        return new_h, rnn_cell.LSTMStateTuple(new_c, new_h)


class NASCell(rnn_cell.RNNCell):
    """TF 1.15's ``NASCell``; ``swap_gates`` only for a negative control."""

    def __init__(self, num_units, num_proj=None, use_biases=False, reuse=None, swap_gates=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._num_proj = num_proj
        self._use_biases = use_biases
        self._swap_gates = swap_gates

    @property
    def state_size(self):
        return rnn_cell.LSTMStateTuple(self._num_units, self._num_proj or self._num_units)

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def call(self, inputs, state):
        sigmoid, tanh, relu = tf.sigmoid, tf.tanh, tf.nn.relu
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        c_prev, m_prev = state
        dtype = inputs.dtype
        concat_w_m = v1.get_variable("recurrent_kernel", [num_proj, 8 * self._num_units], dtype)
        concat_w_inputs = v1.get_variable("kernel", [inputs.shape[-1], 8 * self._num_units], dtype)
        m_matrix = tf.matmul(m_prev, concat_w_m)
        inputs_matrix = tf.matmul(inputs, concat_w_inputs)
        if self._use_biases:
            b = v1.get_variable("bias", shape=[8 * self._num_units], initializer=v1.zeros_initializer(), dtype=dtype)
            m_matrix = tf.nn.bias_add(m_matrix, b)
        m = tf.split(m_matrix, 8, axis=1)
        x = tf.split(inputs_matrix, 8, axis=1)
        if self._swap_gates is not None:
            a, b = self._swap_gates
            m[a], m[b], x[a], x[b] = m[b], m[a], x[b], x[a]
        layer1_0 = sigmoid(x[0] + m[0])
        layer1_1 = relu(x[1] + m[1])
        layer1_2 = sigmoid(x[2] + m[2])
        layer1_3 = relu(x[3] * m[3])
        layer1_4 = tanh(x[4] + m[4])
        layer1_5 = sigmoid(x[5] + m[5])
        layer1_6 = tanh(x[6] + m[6])
        layer1_7 = sigmoid(x[7] + m[7])
        l2_0 = tanh(layer1_0 * layer1_1)
        l2_1 = tanh(layer1_2 + layer1_3)
        l2_2 = tanh(layer1_4 * layer1_5)
        l2_3 = sigmoid(layer1_6 + layer1_7)
        l2_0 = tanh(l2_0 + c_prev)
        new_c = l2_0 * l2_1
        l3_1 = tanh(l2_2 + l2_3)
        new_m = tanh(new_c * l3_1)
        if self._num_proj is not None:
            new_m = tf.matmul(new_m, v1.get_variable("projection_weights", [self._num_units, self._num_proj], dtype))
        return new_m, rnn_cell.LSTMStateTuple(new_c, new_m)


def contrib_rnn_members() -> dict:
    """What a stand-in ``tf.contrib.rnn`` needs to run code using these cells."""
    return {"LayerNormBasicLSTMCell": LayerNormBasicLSTMCell, "NASCell": NASCell}


def contrib_cell_specs(cell_spec, tf1_keep_prob) -> list:
    """``tf1_reference.CELL_SPECS`` entries: these oracles beside the runtime cells (random weights, biases,
    gains and shifts); the dropout spec runs TF1's dropout ops at keep 1.0 against a runtime at inference."""
    import rnnmigrate.layers as runtime

    return [
        cell_spec(
            "layer_norm_lstm",
            lambda: LayerNormBasicLSTMCell(5, forget_bias=0.3, norm_gain=0.8, norm_shift=0.1),
            lambda: runtime.LayerNormBasicLSTMCell(5, forget_bias=0.3, norm_gain=0.8, norm_shift=0.1),
        ),
        cell_spec(
            "layer_norm_lstm_no_norm_dropout_inference",
            lambda: LayerNormBasicLSTMCell(5, layer_norm=False, dropout_keep_prob=tf1_keep_prob()),
            lambda: runtime.LayerNormBasicLSTMCell(5, layer_norm=False, dropout_keep_prob=0.6),
        ),
        cell_spec("nas", lambda: NASCell(5), lambda: runtime.NASCell(5)),
        cell_spec(
            "nas_proj_bias",
            lambda: NASCell(5, num_proj=3, use_biases=True),
            lambda: runtime.NASCell(5, num_proj=3, use_biases=True),
        ),
    ]
