import tensorflow as tf

from shared.cells import shared_cell


def run_b(x):
    return tf.nn.dynamic_rnn(shared_cell(), x, dtype=tf.float32, scope="b")  # rnnmigrate: ignore
