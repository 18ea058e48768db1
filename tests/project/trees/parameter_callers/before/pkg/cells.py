import tensorflow as tf


def make(units=4):
    return tf.nn.rnn_cell.LSTMCell(units)  # expect: RNN101=auto
