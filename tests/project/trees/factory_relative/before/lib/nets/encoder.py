import tensorflow as tf

from . import cells
from .cells import gru as make_gru


def encode(x):
    first, _ = tf.nn.dynamic_rnn(cells.gru(8), x, dtype=tf.float32, scope="first")  # expect: RNN001=auto
    second, _ = tf.nn.dynamic_rnn(make_gru(8), first, dtype=tf.float32, scope="second")  # expect: RNN001=auto
    return second
