"""TF1 oracles for tf.contrib.rnn's block cells: TF1 cells whose step is TensorFlow's own kernel.

``tf.contrib`` is gone, but its kernels still run in TF 2.21 (``tf.raw_ops.LSTMBlockCell``,
``BlockLSTM``, ``GRUBlockCell``). Each oracle is a legacy TF1 ``LayerRNNCell`` (or, for the fused
cell, a ``tf.compat.v1.layers.Layer``) with the variables TF 1.15's class created (names, shapes,
scope), whose ``call`` runs the kernel; so the TF1 reference graphs (``dynamic_rnn``,
``bidirectional_dynamic_rnn``, a Saver's checkpoint) hold exactly what a TF 1.15 program held.
The fused cell's masking and final-state gather follow TF 1.15's ``LSTMBlockWrapper.call``.

``gate_order`` lets a negative control feed the kernel a permuted kernel/bias (a wrong port).
"""

from __future__ import annotations

import tensorflow as tf
from tf_keras.src.layers.rnn import legacy_cells

v1 = tf.compat.v1


def _permute_gates(weight: tf.Tensor, order: tuple[int, ...] | None, units: int) -> tf.Tensor:
    if order is None:
        return weight
    blocks = tf.split(weight, len(order), axis=-1)
    return tf.concat([blocks[index] for index in order], axis=-1)


class OracleLSTMBlockCell(legacy_cells.LayerRNNCell):
    """TF 1.15 ``LSTMBlockCell`` (scope ``lstm_cell``) on ``tf.raw_ops.LSTMBlockCell``."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, name="lstm_cell",
                 gate_order=None):
        super().__init__(name=name)
        self._num_units, self._forget_bias, self._use_peephole = num_units, forget_bias, use_peephole
        self._cell_clip = cell_clip if cell_clip is not None else -1
        self._gate_order = gate_order

    @property
    def state_size(self):
        return legacy_cells.LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth, units = int(inputs_shape[-1]), self._num_units
        self._kernel = self.add_weight("kernel", [depth + units, 4 * units])
        self._bias = self.add_weight("bias", [4 * units], initializer=v1.constant_initializer(0.0))
        if self._use_peephole:
            self._diag = [self.add_weight(name, [units]) for name in ("w_i_diag", "w_f_diag", "w_o_diag")]
        self.built = True

    def call(self, inputs, state):
        cs_prev, h_prev = state
        zeros = tf.zeros([self._num_units], inputs.dtype)
        wci, wcf, wco = self._diag if self._use_peephole else (zeros, zeros, zeros)
        units = self._num_units
        _, cs, _, _, _, _, h = tf.raw_ops.LSTMBlockCell(
            x=inputs, cs_prev=cs_prev, h_prev=h_prev,
            w=_permute_gates(self._kernel, self._gate_order, units), wci=wci, wcf=wcf, wco=wco,
            b=_permute_gates(self._bias, self._gate_order, units),
            forget_bias=self._forget_bias, cell_clip=self._cell_clip, use_peephole=self._use_peephole,
        )
        return h, legacy_cells.LSTMStateTuple(cs, h)


_GRU_NAMES = {
    "v1": ("w_ru", "b_ru", "w_c", "b_c"),
    "v2": ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias"),
}


class OracleGRUBlockCell(legacy_cells.LayerRNNCell):
    """TF 1.15 ``GRUBlockCell`` (``version="v1"``) or ``GRUBlockCellV2`` on ``tf.raw_ops.GRUBlockCell``."""

    def __init__(self, num_units, version="v1", name="gru_cell", gate_order=None):
        super().__init__(name=name)
        self._num_units, self._names, self._gate_order = num_units, _GRU_NAMES[version], gate_order

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        rows, units = int(inputs_shape[-1]) + self._num_units, self._num_units
        w_ru, b_ru, w_c, b_c = self._names
        self._w_ru = self.add_weight(w_ru, [rows, 2 * units])
        self._b_ru = self.add_weight(b_ru, [2 * units], initializer=v1.constant_initializer(1.0))
        self._w_c = self.add_weight(w_c, [rows, units])
        self._b_c = self.add_weight(b_c, [units], initializer=v1.constant_initializer(0.0))
        self.built = True

    def call(self, inputs, h_prev):
        units = self._num_units
        _, _, _, h = tf.raw_ops.GRUBlockCell(
            x=inputs, h_prev=h_prev, w_ru=_permute_gates(self._w_ru, self._gate_order, units), w_c=self._w_c,
            b_ru=_permute_gates(self._b_ru, self._gate_order, units), b_c=self._b_c,
        )
        return h, h


class OracleLSTMBlockFusedCell(v1.layers.Layer):
    """TF 1.15 ``LSTMBlockFusedCell`` (scope ``lstm_fused_cell``) on ``tf.raw_ops.BlockLSTM``."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, name="lstm_fused_cell",
                 drop_forget_bias=False):
        super().__init__(name=name)
        self.num_units, self._forget_bias, self._use_peephole = num_units, forget_bias, use_peephole
        self._cell_clip = cell_clip if cell_clip is not None else -1
        if drop_forget_bias:
            self._forget_bias = 0.0

    def build(self, input_shape):
        depth, units = int(input_shape[2]), self.num_units
        self._kernel = self.add_weight("kernel", [depth + units, 4 * units])
        self._bias = self.add_weight("bias", [4 * units], initializer=v1.constant_initializer(0.0))
        if self._use_peephole:
            self._diag = [self.add_weight(name, [units]) for name in ("w_i_diag", "w_f_diag", "w_o_diag")]
        self.built = True

    def call(self, inputs, initial_state=None, dtype=None, sequence_length=None):
        time_len, batch_size = tf.shape(inputs)[0], tf.shape(inputs)[1]
        if initial_state is None:
            zeros = tf.zeros(tf.stack([batch_size, self.num_units]), dtype=dtype)
            initial_state = zeros, zeros
        initial_cell_state, initial_output = initial_state
        dtype = dtype or initial_cell_state.dtype
        zeros = tf.zeros([self.num_units], dtype)
        wci, wcf, wco = self._diag if self._use_peephole else (zeros, zeros, zeros)
        if sequence_length is None:
            max_seq_len = tf.cast(time_len, tf.int64)
        else:
            max_seq_len = tf.cast(tf.reduce_max(sequence_length), tf.int64)
        _, cell_states, _, _, _, _, outputs = tf.raw_ops.BlockLSTM(
            seq_len_max=max_seq_len, x=inputs, cs_prev=initial_cell_state, h_prev=initial_output, w=self._kernel,
            wci=wci, wcf=wcf, wco=wco, b=self._bias, forget_bias=self._forget_bias, cell_clip=self._cell_clip,
            use_peephole=self._use_peephole,
        )
        if sequence_length is None:
            return outputs, legacy_cells.LSTMStateTuple(cell_states[-1], outputs[-1])
        mask = tf.transpose(tf.sequence_mask(sequence_length, time_len, dtype=dtype), [1, 0])
        outputs *= tf.tile(tf.expand_dims(mask, -1), [1, 1, self.num_units])
        gather = tf.stack([sequence_length, tf.range(batch_size)], axis=1)
        final_c = tf.gather_nd(tf.concat([initial_cell_state[None], cell_states], 0), gather)
        final_h = tf.gather_nd(tf.concat([initial_output[None], outputs], 0), gather)
        return outputs, legacy_cells.LSTMStateTuple(final_c, final_h)


def swap_gates(order_name: str) -> tuple[int, ...]:
    """Gate permutations a wrong port might make: TF1's i, j, f, o read as Keras's i, f, c, o."""
    return {"lstm_j_f_swapped": (0, 2, 1, 3), "gru_r_u_swapped": (1, 0)}[order_name]
