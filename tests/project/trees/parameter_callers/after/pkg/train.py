import tensorflow as tf
from rnnmigrate.layers import GRUCell, LSTMCell

from pkg import layers
from pkg.layers import bi_rnn


def run(x, n):
    return bi_rnn(GRUCell(n), GRUCell(n), x, None)  # expect: RNN101=auto RNN101=auto


def summarise(x):
    return layers.encode(x, cell=LSTMCell(3))  # expect: RNN101=auto


def label(x):
    return layers.tag(tf.nn.rnn_cell.GRUCell(3), x)  # expect: RNN101=manual


class Tagger:
    """The cell is an attribute set in __init__ and read in another method."""

    def __init__(self, units):
        self.cell = tf.nn.rnn_cell.LSTMCell(units)  # expect: RNN101=auto

    def decode(self, x):
        return layers.decode(self.cell, x)
