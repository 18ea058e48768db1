"""Imports two levels up: from ..nets is not reachable from here, from .nets is."""
import tensorflow as tf

from .nets.cells import gru


def train(x):
    return tf.nn.dynamic_rnn(gru(4), x, dtype=tf.float32, scope="train")  # expect: RNN001=auto
