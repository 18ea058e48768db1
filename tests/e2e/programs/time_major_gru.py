"""GRU run time-major, as speech and NMT code did for speed on GPUs.

The cell module is aliased (`rnn = tf.nn.rnn_cell`) and the call carries the
performance knobs of the era (swap_memory, parallel_iterations).
"""
import tensorflow.compat.v1 as tf

rnn = tf.nn.rnn_cell

MAX_TIME = 6
BATCH_SIZE = 4
FRAME_DEPTH = 3
NUM_UNITS = 5

INPUTS = {
    "frames": ((MAX_TIME, BATCH_SIZE, FRAME_DEPTH), "float32"),
    "frame_counts": ((BATCH_SIZE,), "int32"),
}


def build(frames, frame_counts):
    cell = rnn.GRUCell(NUM_UNITS)
    outputs, state = tf.nn.dynamic_rnn(
        cell,
        frames,
        sequence_length=frame_counts,
        dtype=tf.float32,
        time_major=True,
        swap_memory=True,
        parallel_iterations=16,
    )
    return {"outputs_time_major": outputs, "final_state": state}
