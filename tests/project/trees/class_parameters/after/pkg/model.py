import tensorflow as tf
from rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell

from pkg.utils import configured_cell, single_cell, stack


def encode(x, n, lstm):
    cell = single_cell(LSTMCell if lstm else GRUCell, 8, keep=0.5)  # expect: RNN101=auto RNN101=auto
    return DynamicRNN(cell, dtype=tf.float32)(x, sequence_length=n)  # expect: RNN001=auto


def deep(x):
    return DynamicRNN(stack(8), dtype=tf.float32)(x)  # expect: RNN001=auto


def from_config(x):
    cell = configured_cell(tf.nn.rnn_cell.GRUCell, 8)  # expect: RNN101=manual
    return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)  # expect: RNN001=manual
