"""Sequence tagger encoder: a bidirectional LSTM whose two directions are concatenated.

Written the way NER taggers of 2017 were: the cells come from
`tensorflow.compat.v1.nn.rnn_cell`, the call sits in a variable scope and
has its own scope name.
"""
import tensorflow.compat.v1 as tf
from tensorflow.compat.v1.nn import rnn_cell

BATCH_SIZE = 4
MAX_TIME = 6
WORD_DEPTH = 3
HIDDEN_SIZE = 5

INPUTS = {
    "word_vectors": ((BATCH_SIZE, MAX_TIME, WORD_DEPTH), "float32"),
    "sentence_lengths": ((BATCH_SIZE,), "int32"),
}


def build(word_vectors, sentence_lengths):
    with tf.variable_scope("tagger"):
        cell_fw = rnn_cell.LSTMCell(HIDDEN_SIZE, forget_bias=0.7)
        cell_bw = rnn_cell.LSTMCell(HIDDEN_SIZE)
        (output_fw, output_bw), (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
            cell_fw,
            cell_bw,
            word_vectors,
            sequence_length=sentence_lengths,
            dtype=tf.float32,
            scope="bilstm",
        )
        token_features = tf.concat([output_fw, output_bw], axis=-1)

    return {
        "output_fw": output_fw,
        "output_bw": output_bw,
        "token_features": token_features,
        "state_fw_c": state_fw.c,
        "state_fw_h": state_fw.h,
        "state_bw_c": state_bw.c,
        "state_bw_h": state_bw.h,
    }
