"""An LSTM classifier as `tf_upgrade_v2` leaves it: `import tensorflow as tf`, every TF1 API under tf.compat.v1.

The cell keeps `state_is_tuple=True` and the call reads `tf.compat.v1.nn.dynamic_rnn`.
"""
import tensorflow as tf

BATCH_SIZE = 4
MAX_TIME = 5
FEATURE_DEPTH = 3
NUM_UNITS = 4

INPUTS = {
    "inputs": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "seq_len": ((BATCH_SIZE,), "int32"),
}


def build(inputs, seq_len):
    with tf.compat.v1.variable_scope("classifier"):
        cell = tf.compat.v1.nn.rnn_cell.LSTMCell(num_units=NUM_UNITS, state_is_tuple=True)
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell=cell, inputs=inputs, sequence_length=seq_len, dtype=tf.float32
        )
    last_output = state.h
    return {"outputs": outputs, "c": state.c, "last_output": last_output}
