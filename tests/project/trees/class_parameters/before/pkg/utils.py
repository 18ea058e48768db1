"""Cell classes as parameters: callers choose them, or the default stands."""
import tensorflow as tf


def single_cell(cell_class, units, keep=1.0):
    cell = cell_class(units)
    if keep < 1.0:
        cell = tf.nn.rnn_cell.DropoutWrapper(cell, output_keep_prob=keep)  # expect: RNN103=auto
    return cell


def stack(units, base_cell=tf.nn.rnn_cell.BasicLSTMCell):  # expect: RNN101=auto
    return tf.nn.rnn_cell.MultiRNNCell([base_cell(units) for _ in range(2)])  # expect: RNN102=auto


def configured_cell(cell_class, units):
    return cell_class(units)
