"""Cell classes as parameters: callers choose them, or the default stands."""
from rnnmigrate.layers import BasicLSTMCell, DropoutWrapper, MultiRNNCell


def single_cell(cell_class, units, keep=1.0):
    cell = cell_class(units)
    if keep < 1.0:
        cell = DropoutWrapper(cell, output_keep_prob=keep)  # expect: RNN103=auto
    return cell


def stack(units, base_cell=BasicLSTMCell):  # expect: RNN101=auto
    return MultiRNNCell([base_cell(units) for _ in range(2)])  # expect: RNN102=auto


def configured_cell(cell_class, units):
    return cell_class(units)
