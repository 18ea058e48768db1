import tensorflow as tf

SHARED = tf.nn.rnn_cell.GRUCell(8)  # expect: RNN101=manual


def shared_cell():
    return SHARED
