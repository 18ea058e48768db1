import tensorflow as tf
from rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell, MultiRNNCell

from pkg.utils import contrib


def nn_rnn_cell():
    return tf.nn.rnn_cell


def encode(inputs, lengths):
    cell = MultiRNNCell(  # expect: RNN102=auto
        [GRUCell(8), LSTMCell(8)])  # expect: RNN101=auto RNN101=auto
    return DynamicRNN(cell, dtype=tf.float32)(inputs, sequence_length=lengths)  # expect: RNN001=auto


def decode(inputs, flag):
    cell = contrib.either(flag).LSTMCell(8)
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=manual


def zoned(inputs):
    from pkg.cells import ZoneoutCell
    return tf.nn.dynamic_rnn(ZoneoutCell(None, 0.1), inputs, dtype=tf.float32)  # expect: RNN001=manual
