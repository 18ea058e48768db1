"""Deep bidirectional encoder: each direction is a MultiRNNCell of GRUs, imported by name.

`from ... rnn_cell import GRUCell, MultiRNNCell` and a list comprehension, with
the cells built by a helper, as many NMT encoders did.
"""
import tensorflow.compat.v1 as tf
from tensorflow.compat.v1.nn.rnn_cell import GRUCell, MultiRNNCell

BATCH_SIZE = 3
MAX_TIME = 6
INPUT_DEPTH = 3
UNITS = 4
LAYERS = 2


def stacked_gru(num_layers):
    return MultiRNNCell([GRUCell(UNITS) for _ in range(num_layers)])


INPUTS = {
    "source": ((BATCH_SIZE, MAX_TIME, INPUT_DEPTH), "float32"),
    "source_length": ((BATCH_SIZE,), "int32"),
}


def build(source, source_length):
    outputs, states = tf.nn.bidirectional_dynamic_rnn(
        stacked_gru(LAYERS),
        stacked_gru(LAYERS),
        source,
        source_length,
        dtype=tf.float32,
        scope="encoder",
    )
    result = {"outputs_fw": outputs[0], "outputs_bw": outputs[1]}
    for direction, direction_states in zip(("fw", "bw"), states):
        for layer, layer_state in enumerate(direction_states):
            result["%s_layer%d" % (direction, layer)] = layer_state
    return result
