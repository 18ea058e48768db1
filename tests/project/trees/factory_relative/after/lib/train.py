"""Imports two levels up: from ..nets is not reachable from here, from .nets is."""
import tensorflow as tf
from rnnmigrate.layers import DynamicRNN

from .nets.cells import gru


def train(x):
    return DynamicRNN(gru(4), dtype=tf.float32, scope="train")(x)  # expect: RNN001=auto
