"""Keras cells handed to TF1's RNN functions, as TF 1.x code did once tf.keras arrived.

A tf.keras LSTMCell encodes; a bidirectional GRU (reset_after=True) and SimpleRNN
pair reads the encoding. The file spells tf.compat.v1, which TF 1.x had too, and
tf.keras's defaults differ between TF 1.x and TF 2, so TF 2's are spelled out.
"""
import tensorflow as tf

MAX_TIME = 5
BATCH_SIZE = 4
DEPTH = 3

INPUTS = {
    "tokens": ((BATCH_SIZE, MAX_TIME, DEPTH), "float32"),
    "lengths": ((BATCH_SIZE,), "int32"),
}


def build(tokens, lengths):
    with tf.compat.v1.variable_scope("encoder"):
        encoded, (h, c) = tf.compat.v1.nn.dynamic_rnn(
            tf.keras.layers.LSTMCell(6, recurrent_activation="sigmoid"), tokens, sequence_length=lengths, dtype=tf.float32
        )
    (forward, backward), (state_fw, state_bw) = tf.compat.v1.nn.bidirectional_dynamic_rnn(
        tf.keras.layers.GRUCell(4, recurrent_activation="sigmoid", reset_after=True),
        tf.keras.layers.SimpleRNNCell(3, activation="relu"),
        encoded,
        sequence_length=lengths,
        dtype=tf.float32,
    )
    return {"encoded": encoded, "h": h, "c": c, "forward": forward, "backward": backward,
            "state_fw": state_fw, "state_bw": state_bw}
