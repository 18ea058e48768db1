import tensorflow as tf

from pkg.cells import make_cell, make_stack


def encode(x, lengths):
    outputs, state = tf.nn.dynamic_rnn(make_cell(8), x, sequence_length=lengths, dtype=tf.float32)  # expect: RNN001=manual
    deeper, _ = tf.nn.dynamic_rnn(make_stack(4, 2), outputs, dtype=tf.float32, scope="deeper")  # expect: RNN001=manual
    return deeper, state
