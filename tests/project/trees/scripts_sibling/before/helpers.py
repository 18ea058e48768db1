import tensorflow as tf


def build_cell(num_units):
    return tf.nn.rnn_cell.BasicLSTMCell(num_units)  # expect: RNN101=auto
