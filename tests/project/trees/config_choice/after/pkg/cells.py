"""The cell class is chosen by configuration: each alternative migrates with the calls."""
import tensorflow as tf
from rnnmigrate.layers import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell

CELL_CLASSES = {"lstm": LSTMCell, "gru": GRUCell}  # expect: RNN101=auto RNN101=auto


def make(unit, units):
    cell_class = CELL_CLASSES[unit]
    return cell_class(units)


def make_simple(hparams):
    cell_class = BasicLSTMCell if hparams.unit == "lstm" else BasicRNNCell  # expect: RNN101=auto RNN101=auto
    return cell_class(hparams.units, name="encoder_cell")


def is_lstm(cell):
    return isinstance(cell, tf.nn.rnn_cell.LSTMCell)  # expect: RNN101=manual
