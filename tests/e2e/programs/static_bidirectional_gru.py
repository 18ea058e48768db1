"""Bidirectional GRU over a list of steps with `static_bidirectional_rnn`.

The outputs come back as one list whose entries concatenate the forward and
backward outputs of each step.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
MAX_TIME = 5
INPUT_DEPTH = 3
UNITS = 4

INPUTS = {
    "sequence": ((BATCH_SIZE, MAX_TIME, INPUT_DEPTH), "float32"),
    "lengths": ((BATCH_SIZE,), "int32"),
}


def build(sequence, lengths):
    steps = tf.unstack(sequence, axis=1)
    forward = tf.nn.rnn_cell.GRUCell(UNITS)
    backward = tf.nn.rnn_cell.GRUCell(UNITS)
    outputs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
        forward, backward, steps, dtype=tf.float32, sequence_length=lengths
    )
    return {
        "outputs": tf.stack(outputs, axis=1),
        "state_fw": state_fw,
        "state_bw": state_bw,
    }
