"""The original question after migration: TF1 semantics kept under Keras 3.

`rnnmigrate scan` marks this `dynamic_rnn` call "manual" (its cell is a
`tf.keras` cell, not a `tf.nn.rnn_cell` one), so the port was done by hand
the way `rnnmigrate rewrite` does it for TF1 cells:

    tf.nn.dynamic_rnn(cell, x, sequence_length=L, dtype=tf.float32)
    ->  DynamicRNN(cell)(x, sequence_length=L)

and the `tf.keras` layers became Keras 3 layers. DynamicRNN zeroes the outputs
past each row's length, as TF1 did, so the numbers are TF1's again:

    [[-6, -50, -156, 0, 0],
     [ 0,  -6,  -50, -156, 0]]    final state [-156, -156]
"""
import keras
import numpy as np

from rnnmigrate.layers import DynamicRNN

TOKEN_IDS = np.array([[1, 2, 1, 0, 0], [0, 1, 2, 1, 0]])
SEQUENCE_LENGTHS = np.array([3, 4])
EMBEDDING_TABLE = [[0.37, 0.37], [1.0, 1.0], [2.0, 2.0]]


def gru_cell():
    return keras.layers.GRUCell(
        1,
        activation=None,
        recurrent_activation=None,
        reset_after=False,
        kernel_initializer="ones",
        recurrent_initializer="zeros",
        bias_initializer="ones",
    )


def build(token_ids, lengths):
    embedding = keras.layers.Embedding(
        3, 2, embeddings_initializer=keras.initializers.Constant(EMBEDDING_TABLE)
    )
    masked = keras.layers.Masking(mask_value=0.37)(embedding(token_ids))
    outputs, state = DynamicRNN(gru_cell())(masked, sequence_length=lengths)
    return outputs, state


def run():
    """Return (outputs [2, 5], final state [2]) as numpy arrays."""
    outputs, state = build(TOKEN_IDS, SEQUENCE_LENGTHS)
    return np.asarray(outputs)[:, :, 0], np.asarray(state)[:, 0]


if __name__ == "__main__":
    outputs, state = run()
    print("Migrated (rnnmigrate.layers.DynamicRNN) outputs:\n", outputs)
    print("Migrated final state:", state)
