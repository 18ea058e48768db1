import tensorflow as tf
from rnnmigrate.layers import DynamicRNN

from pkg.cells import make_cell, make_stack


def encode(x, lengths):
    outputs, state = DynamicRNN(make_cell(8), dtype=tf.float32)(x, sequence_length=lengths)  # expect: RNN001=auto
    deeper, _ = DynamicRNN(make_stack(4, 2), dtype=tf.float32, scope="deeper")(outputs)  # expect: RNN001=auto
    return deeper, state
