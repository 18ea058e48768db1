"""Sentence classifier encoder: one LSTM over padded features, ragged lengths.

The final state feeds the classifier head; the mean of the valid outputs is
kept as an alternative sentence vector.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
MAX_TIME = 5
FEATURE_DEPTH = 3
HIDDEN_UNITS = 6

INPUTS = {
    "features": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "lengths": ((BATCH_SIZE,), "int32"),
}


def build(features, lengths):
    cell = tf.nn.rnn_cell.LSTMCell(HIDDEN_UNITS)
    outputs, final_state = tf.nn.dynamic_rnn(
        cell, features, sequence_length=lengths, dtype=tf.float32
    )

    mask = tf.sequence_mask(lengths, MAX_TIME, dtype=tf.float32)
    summed = tf.reduce_sum(outputs * tf.expand_dims(mask, -1), axis=1)
    denominator = tf.maximum(tf.cast(lengths, tf.float32), 1.0)
    mean_output = summed / tf.expand_dims(denominator, -1)

    return {
        "outputs": outputs,
        "final_c": final_state.c,
        "final_h": final_state.h,
        "mean_output": mean_output,
    }
