"""Wrappers whose cells are parameters: each call of them says what they run."""
import tensorflow as tf
from rnnmigrate.layers import BidirectionalDynamicRNN, DynamicRNN


def bi_rnn(cell_fw, cell_bw, inputs, lengths):
    return BidirectionalDynamicRNN(cell_fw, cell_bw, dtype=tf.float32)(inputs, sequence_length=lengths)  # expect: RNN002=auto


def encode(inputs, cell=None):
    return DynamicRNN(cell, dtype=tf.float32)(inputs)  # expect: RNN001=auto


def tag(cell, inputs):
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=manual


def decode(cell, inputs):
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=auto
