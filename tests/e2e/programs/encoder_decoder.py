"""Seq2seq without attention: the decoder starts from the encoder's final state.

Encoder and decoder are separate dynamic_rnn calls with their own scopes
inside one outer variable scope.
"""
import tensorflow.compat.v1 as tf

BATCH_SIZE = 4
MAX_TIME = 5
EMBEDDING_SIZE = 3
NUM_UNITS = 6

INPUTS = {
    "source": ((BATCH_SIZE, MAX_TIME, EMBEDDING_SIZE), "float32"),
    "source_lengths": ((BATCH_SIZE,), "int32"),
    "target": ((BATCH_SIZE, MAX_TIME, EMBEDDING_SIZE), "float32"),
    "target_lengths": ((BATCH_SIZE,), "int32"),
}


def build(source, source_lengths, target, target_lengths):
    with tf.variable_scope("seq2seq"):
        encoder_cell = tf.nn.rnn_cell.LSTMCell(NUM_UNITS)
        _, encoder_state = tf.nn.dynamic_rnn(
            encoder_cell,
            source,
            sequence_length=source_lengths,
            dtype=tf.float32,
            scope="encoder",
        )

        decoder_cell = tf.nn.rnn_cell.LSTMCell(NUM_UNITS)
        decoder_outputs, decoder_state = tf.nn.dynamic_rnn(
            decoder_cell,
            target,
            sequence_length=target_lengths,
            initial_state=encoder_state,
            scope="decoder",
        )

    return {
        "encoder_c": encoder_state.c,
        "encoder_h": encoder_state.h,
        "decoder_outputs": decoder_outputs,
        "decoder_c": decoder_state.c,
        "decoder_h": decoder_state.h,
    }
