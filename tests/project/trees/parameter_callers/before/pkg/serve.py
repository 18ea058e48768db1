"""No TensorFlow in this file's text: its calls still say which cells the wrappers run."""
from pkg.cells import make
from pkg.layers import bi_rnn, decode, tag


def run(x):
    return bi_rnn(make(), make(8), x, None)


def label(x, cell):
    return tag(cell, x)


HANDLERS = {"decode": decode}  # a caller the scan cannot see may run it
