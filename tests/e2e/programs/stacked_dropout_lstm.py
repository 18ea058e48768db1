"""Two-layer LSTM with dropout between layers, cells made by a helper function.

`keep_prob` is 1.0 at inference, as in the training scripts that fed 0.5
while training and 1.0 while evaluating.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 3
MAX_TIME = 5
FEATURE_DEPTH = 4
HIDDEN_UNITS = 6
NUM_LAYERS = 2


def make_cell(num_units, keep_prob):
    cell = tf.nn.rnn_cell.BasicLSTMCell(num_units)
    return tf.nn.rnn_cell.DropoutWrapper(cell, output_keep_prob=keep_prob)


INPUTS = {
    "inputs": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "lengths": ((BATCH_SIZE,), "int32"),
}


def build(inputs, lengths, keep_prob=1.0):
    stacked = tf.nn.rnn_cell.MultiRNNCell(
        [make_cell(HIDDEN_UNITS, keep_prob) for _ in range(NUM_LAYERS)]
    )
    outputs, states = tf.nn.dynamic_rnn(
        stacked, inputs, sequence_length=lengths, dtype=tf.float32
    )

    result = {"outputs": outputs}
    for layer, layer_state in enumerate(states):
        result["layer%d_c" % layer] = layer_state.c
        result["layer%d_h" % layer] = layer_state.h
    return result
