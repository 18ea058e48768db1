"""GRU sentence encoder that builds its initial state with `cell.zero_state`.

The batch size is dynamic (`tf.shape`), the usual way to feed batches of any size.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
MAX_TIME = 5
FEATURE_DEPTH = 3
STATE_SIZE = 4

INPUTS = {
    "embedded": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "lengths": ((BATCH_SIZE,), "int32"),
}


def build(embedded, lengths):
    with tf.variable_scope("sentence_encoder"):
        cell = tf.nn.rnn_cell.GRUCell(num_units=STATE_SIZE)
        batch_size = tf.shape(embedded)[0]
        initial_state = cell.zero_state(batch_size, tf.float32)
        outputs, last_state = tf.nn.dynamic_rnn(
            cell, embedded, sequence_length=lengths, initial_state=initial_state
        )
    return {"outputs": outputs, "last_state": last_state}
