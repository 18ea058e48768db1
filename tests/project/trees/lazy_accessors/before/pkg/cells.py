"""A project's own cell class: a TF1 RNNCell subclass the model imports."""
import tensorflow as tf


class ZoneoutCell(tf.nn.rnn_cell.RNNCell):  # expect: RNN106=manual
    def __init__(self, cell, rate):
        super().__init__()
        self.cell, self.rate = cell, rate
