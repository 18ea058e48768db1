import tensorflow as tf
from rnnmigrate.layers import DynamicRNN

from . import cells
from .cells import gru as make_gru


def encode(x):
    first, _ = DynamicRNN(cells.gru(8), dtype=tf.float32, scope="first")(x)  # expect: RNN001=auto
    second, _ = DynamicRNN(make_gru(8), dtype=tf.float32, scope="second")(first)  # expect: RNN001=auto
    return second
