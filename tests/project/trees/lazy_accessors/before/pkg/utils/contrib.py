"""Lazy accessors: tf.contrib is imported when a model asks for it, not at import time."""
import tensorflow as tf


def is_tf2():
    return tf.__version__.startswith("2")


def rnn():
    if is_tf2():
        raise ImportError("tf.contrib.rnn needs TensorFlow 1")
    from tensorflow.contrib import rnn as contrib_rnn
    return contrib_rnn


def seq2seq():
    from tensorflow.contrib import seq2seq as contrib_seq2seq
    return contrib_seq2seq


def either(flag):
    # not an accessor: it returns one of two modules
    if flag:
        from tensorflow.contrib import rnn as chosen
    else:
        from tensorflow.contrib import seq2seq as chosen
    return chosen
