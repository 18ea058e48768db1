import tensorflow as tf

from shared.cells import shared_cell


def run_a(x):
    return tf.nn.dynamic_rnn(shared_cell(), x, dtype=tf.float32, scope="a")  # expect: RNN001=manual
