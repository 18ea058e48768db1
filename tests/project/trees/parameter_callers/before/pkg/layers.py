"""Wrappers whose cells are parameters: each call of them says what they run."""
import tensorflow as tf


def bi_rnn(cell_fw, cell_bw, inputs, lengths):
    return tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=lengths, dtype=tf.float32)  # expect: RNN002=auto


def encode(inputs, cell=None):
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=auto


def tag(cell, inputs):
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=manual


def decode(cell, inputs):
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=auto
