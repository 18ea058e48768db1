"""Cells from another module, run layer by layer in loops and from a stack."""
import tensorflow as tf

from pkg import cells as factories


def encode(inputs, lengths):
    outputs = inputs
    for index, cell in enumerate(factories.cell_list(2, 8)):
        with tf.variable_scope("layer_%d" % index):  # expect: RNN201=info
            outputs, _ = tf.nn.dynamic_rnn(cell, outputs, sequence_length=lengths, dtype=tf.float32)  # expect: RNN001=auto
    return outputs


def encode_both_ways(inputs, lengths):
    forward = factories.lstm_list(2, 8)
    backward = factories.lstm_list(2, 8)
    outputs = inputs
    for index, (fw, bw) in enumerate(zip(forward, backward)):
        with tf.variable_scope("layer_%d" % index):  # expect: RNN201=info
            (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, outputs, sequence_length=lengths, dtype=tf.float32)  # expect: RNN002=auto
        outputs = tf.concat([out_fw, out_bw], -1)
    return outputs


def encode_pairs(inputs):
    for fw, bw in zip(factories.lstm_list(1, 4), factories.lstm_list(1, 4)):
        return tf.nn.static_bidirectional_rnn(fw, bw, tf.unstack(inputs, axis=1), dtype=tf.float32)  # expect: RNN004=auto


def summarise(inputs):
    return tf.nn.dynamic_rnn(factories.stacked(2, 8), inputs, dtype=tf.float32)  # expect: RNN001=auto
