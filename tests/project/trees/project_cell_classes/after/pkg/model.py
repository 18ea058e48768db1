import tensorflow as tf
from rnnmigrate.layers import DynamicRNN, GRUCell

from pkg import cells
from pkg.cells import ZoneoutWrapper


def encode(inputs, lengths):
    cell = ZoneoutWrapper(GRUCell(8), 0.5)  # expect: RNN101=auto
    return DynamicRNN(cell, dtype=tf.float32)(inputs, sequence_length=lengths)  # expect: RNN001=auto


def remember(inputs, queue):
    cell_fn = cells.QueueCell if queue else cells.StackCell
    return DynamicRNN(cell_fn(8), dtype=tf.float32)(inputs)  # expect: RNN001=auto


def checked(inputs):
    cell = cells.CheckedWrapper(tf.nn.rnn_cell.LSTMCell(8))  # expect: RNN101=manual
    return tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)  # expect: RNN001=manual
