"""Acoustic-model style LSTM: peepholes, a projection layer and clipping.

The clip values are small so that both clips are active on these inputs.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
MAX_TIME = 6
FEATURE_DEPTH = 3
CELL_SIZE = 6
PROJECTION_SIZE = 4

INPUTS = {
    "frames": ((BATCH_SIZE, MAX_TIME, FEATURE_DEPTH), "float32"),
    "frame_lengths": ((BATCH_SIZE,), "int32"),
}


def build(frames, frame_lengths):
    with tf.variable_scope("acoustic_model"):
        cell = tf.nn.rnn_cell.LSTMCell(
            num_units=CELL_SIZE,
            use_peepholes=True,
            cell_clip=0.8,
            num_proj=PROJECTION_SIZE,
            proj_clip=0.15,
            forget_bias=0.5,
        )
        outputs, state = tf.nn.dynamic_rnn(
            cell, frames, sequence_length=frame_lengths, dtype=tf.float32
        )
    return {"outputs": outputs, "state_c": state.c, "state_m": state.h}
