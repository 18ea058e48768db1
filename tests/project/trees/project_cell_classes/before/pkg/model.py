import tensorflow as tf

from pkg import cells
from pkg.cells import ZoneoutWrapper


def encode(inputs, lengths):
    cell = ZoneoutWrapper(tf.nn.rnn_cell.GRUCell(8), 0.5)  # expect: RNN101=auto
    return tf.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32)  # expect: RNN001=auto


def remember(inputs, queue):
    cell_fn = cells.QueueCell if queue else cells.StackCell
    return tf.nn.dynamic_rnn(cell_fn(8), inputs, dtype=tf.float32)  # expect: RNN001=auto


def checked(inputs):
    cell = cells.CheckedWrapper(tf.nn.rnn_cell.LSTMCell(8))  # expect: RNN101=manual
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=manual
