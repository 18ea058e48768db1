import tensorflow as tf

from pkg.cells import make, make_simple


def encode(inputs, hparams):
    outputs, state = tf.nn.dynamic_rnn(make(hparams.unit, 8), inputs, dtype=tf.float32)  # expect: RNN001=auto
    return tf.nn.dynamic_rnn(make_simple(hparams), outputs, dtype=tf.float32)  # expect: RNN001=auto
