"""The original question, as the TF1 code was written: Keras layers in front of tf.nn.dynamic_rnn.

A one-unit GRU with linear activations and fixed weights makes the numbers easy
to follow by hand. Ids 0/1/2 embed to (0.37, 0.37), (1, 1), (2, 2); Masking(0.37)
turns the id-0 steps into zero vectors. `dynamic_rnn` with sequence_length=[3, 4]
gives zero outputs past each row's length:

    [[-6, -50, -156, 0, 0],
     [ 0,  -6,  -50, -156, 0]]    final state [-156, -156]

Needs tf-keras and TF_USE_LEGACY_KERAS=1 set before TensorFlow is imported.
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tensorflow.compat.v1 as tf  # noqa: E402

TOKEN_IDS = [[1, 2, 1, 0, 0], [0, 1, 2, 1, 0]]
SEQUENCE_LENGTHS = [3, 4]
EMBEDDING_TABLE = [[0.37, 0.37], [1.0, 1.0], [2.0, 2.0]]


def gru_cell():
    return tf.keras.layers.GRUCell(
        1,
        activation=None,
        recurrent_activation=None,
        reset_after=False,
        kernel_initializer="ones",
        recurrent_initializer="zeros",
        bias_initializer="ones",
    )


def build(token_ids, lengths):
    embedding = tf.keras.layers.Embedding(
        3, 2, embeddings_initializer=tf.keras.initializers.Constant(EMBEDDING_TABLE)
    )
    masked = tf.keras.layers.Masking(mask_value=0.37)(embedding(token_ids))
    outputs, state = tf.nn.dynamic_rnn(
        gru_cell(), masked, sequence_length=lengths, dtype=tf.float32
    )
    return outputs, state


def run():
    """Return (outputs [2, 5], final state [2]) as numpy arrays."""
    graph = tf.Graph()
    with graph.as_default():
        outputs, state = build(tf.constant(TOKEN_IDS), tf.constant(SEQUENCE_LENGTHS))
        with tf.Session(graph=graph) as session:
            session.run(tf.global_variables_initializer())
            return session.run([outputs[:, :, 0], state[:, 0]])


if __name__ == "__main__":
    outputs, state = run()
    print("TF1 dynamic_rnn outputs:\n", outputs)
    print("TF1 dynamic_rnn final state:", state)
