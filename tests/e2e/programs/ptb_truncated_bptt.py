"""PTB-style language model core: a stack of BasicLSTMCells with forget_bias=0.0.

Truncated backprop through time: the state of the previous batch is fed back
in as the initial state, one LSTMStateTuple per layer; no sequence_length.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 2
MAX_TIME = 4
HIDDEN_SIZE = 5
NUM_LAYERS = 2

INPUTS = {
    "inputs": ((BATCH_SIZE, MAX_TIME, HIDDEN_SIZE), "float32"),
    "c0": ((BATCH_SIZE, HIDDEN_SIZE), "float32"),
    "h0": ((BATCH_SIZE, HIDDEN_SIZE), "float32"),
    "c1": ((BATCH_SIZE, HIDDEN_SIZE), "float32"),
    "h1": ((BATCH_SIZE, HIDDEN_SIZE), "float32"),
}


def lstm_cell():
    return tf.nn.rnn_cell.BasicLSTMCell(HIDDEN_SIZE, forget_bias=0.0, state_is_tuple=True)


def build(inputs, c0, h0, c1, h1):
    cell = tf.nn.rnn_cell.MultiRNNCell(
        [lstm_cell() for _ in range(NUM_LAYERS)], state_is_tuple=True
    )
    initial_state = (
        tf.nn.rnn_cell.LSTMStateTuple(c0, h0),
        tf.nn.rnn_cell.LSTMStateTuple(c1, h1),
    )
    with tf.variable_scope("RNN"):
        outputs, state = tf.nn.dynamic_rnn(cell, inputs, initial_state=initial_state)

    result = {"outputs": outputs}
    for i, (c, h) in enumerate(state):
        result["layer%d_c" % i] = c
        result["layer%d_h" % i] = h
    return result
