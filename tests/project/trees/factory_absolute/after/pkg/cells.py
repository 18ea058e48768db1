"""Cells are built here; the model runs them."""
from rnnmigrate.layers import GRUCell, LSTMCell, MultiRNNCell


def make_cell(units, forget_bias=1.0):
    return LSTMCell(units, forget_bias=forget_bias)  # expect: RNN101=auto


def make_stack(units, layers):
    return MultiRNNCell([GRUCell(units) for _ in range(layers)])  # expect: RNN102=auto RNN101=auto
