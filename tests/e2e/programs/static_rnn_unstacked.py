"""Plain RNN over a Python list of time steps (the pre-dynamic_rnn style).

The batch is unstacked along time, run through `static_rnn` with
sequence_length, and the list of outputs is stacked back.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
NUM_STEPS = 5
MAX_TIME = NUM_STEPS
INPUT_SIZE = 3
HIDDEN_SIZE = 5

INPUTS = {
    "inputs": ((BATCH_SIZE, NUM_STEPS, INPUT_SIZE), "float32"),
    "lengths": ((BATCH_SIZE,), "int32"),
}


def build(inputs, lengths):
    step_inputs = tf.unstack(inputs, num=NUM_STEPS, axis=1)
    cell = tf.nn.rnn_cell.BasicRNNCell(HIDDEN_SIZE)
    step_outputs, state = tf.nn.static_rnn(
        cell, step_inputs, sequence_length=lengths, dtype=tf.float32
    )
    return {"outputs": tf.stack(step_outputs, axis=1), "final_state": state}
