"""Siamese sentence encoder: one LSTM cell, two dynamic_rnn calls, one set of weights.

The second call reuses the scope, so both sentences are read by the same
variables; the distance between the two final states is the model's score.
Arguments are passed positionally, as some code of the time did.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
MAX_TIME = 5
FEATURE_DEPTH = 3
NUM_UNITS = 5

INPUTS = {
    "left": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "left_lengths": ((BATCH_SIZE,), "int32"),
    "right": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "right_lengths": ((BATCH_SIZE,), "int32"),
}


def build(left, left_lengths, right, right_lengths):
    with tf.variable_scope("siamese") as scope:
        cell = tf.nn.rnn_cell.BasicLSTMCell(NUM_UNITS)
        left_outputs, left_state = tf.nn.dynamic_rnn(
            cell, left, left_lengths, None, tf.float32
        )
        scope.reuse_variables()
        right_outputs, right_state = tf.nn.dynamic_rnn(
            cell, right, right_lengths, None, tf.float32
        )
    distance = tf.reduce_sum(tf.abs(left_state.h - right_state.h), axis=1)
    return {
        "left_outputs": left_outputs,
        "left_h": left_state.h,
        "left_c": left_state.c,
        "right_outputs": right_outputs,
        "right_h": right_state.h,
        "right_c": right_state.c,
        "distance": distance,
    }
