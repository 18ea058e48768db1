"""Cells are built here; the model runs them."""
import tensorflow as tf


def make_cell(units, forget_bias=1.0):
    return tf.nn.rnn_cell.LSTMCell(units, forget_bias=forget_bias)  # expect: RNN101=auto


def make_stack(units, layers):
    return tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(units) for _ in range(layers)])  # expect: RNN102=auto RNN101=auto
