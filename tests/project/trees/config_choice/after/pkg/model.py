import tensorflow as tf
from rnnmigrate.layers import DynamicRNN

from pkg.cells import make, make_simple


def encode(inputs, hparams):
    outputs, state = DynamicRNN(make(hparams.unit, 8), dtype=tf.float32)(inputs)  # expect: RNN001=auto
    return DynamicRNN(make_simple(hparams), dtype=tf.float32)(outputs)  # expect: RNN001=auto
