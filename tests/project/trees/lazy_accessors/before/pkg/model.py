import tensorflow as tf

from pkg.utils import contrib


def nn_rnn_cell():
    return tf.nn.rnn_cell


def encode(inputs, lengths):
    cell = contrib.rnn().MultiRNNCell(  # expect: RNN102=auto
        [contrib.rnn().GRUCell(8), nn_rnn_cell().LSTMCell(8)])  # expect: RNN101=auto RNN101=auto
    return tf.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32)  # expect: RNN001=auto


def decode(inputs, flag):
    cell = contrib.either(flag).LSTMCell(8)
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=manual


def zoned(inputs):
    from pkg.cells import ZoneoutCell
    return tf.nn.dynamic_rnn(ZoneoutCell(None, 0.1), inputs, dtype=tf.float32)  # expect: RNN001=manual
