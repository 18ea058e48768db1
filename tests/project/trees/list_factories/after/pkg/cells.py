"""Cell factories: a list built in a loop, a stack of it, a cell function chosen by a parameter."""
import tensorflow as tf
from rnnmigrate.layers import LSTMCell, MultiRNNCell


def _gru(units):
    return tf.nn.rnn_cell.GRUCell(units)  # expect: RNN101=auto


def cell_list(num_layers, units, cell_fn=None):
    if not cell_fn:
        cell_fn = _gru
    cells = []
    for _ in range(num_layers):
        cells.append(cell_fn(units))
    return cells


def lstm_list(num_layers, units):
    return [LSTMCell(units) for _ in range(num_layers)]  # expect: RNN101=auto


def stacked(num_layers, units):
    cells = lstm_list(num_layers, units)
    if len(cells) == 1:
        return cells[0]
    return MultiRNNCell(cells)  # expect: RNN102=auto
