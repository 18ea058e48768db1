import tensorflow as tf


def gru(units):
    cell = tf.contrib.rnn.GRUCell(units)  # expect: RNN101=auto
    return cell
