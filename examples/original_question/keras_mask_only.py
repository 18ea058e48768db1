"""The port that looks right but is not: Keras 3 GRU driven by the Masking layer alone.

Keras RNN layers skip masked steps by keeping the state and repeating the last
output, so the padded steps hold -156 instead of TF1's 0:

    [[-6, -50, -156, -156, -156],
     [ 0,  -6,  -50, -156, -156]]

(The final states agree here; outputs do not.)
"""
import keras
import numpy as np

TOKEN_IDS = np.array([[1, 2, 1, 0, 0], [0, 1, 2, 1, 0]])
EMBEDDING_TABLE = [[0.37, 0.37], [1.0, 1.0], [2.0, 2.0]]


def run():
    """Return (outputs [2, 5], final state [2]) as numpy arrays."""
    embedding = keras.layers.Embedding(
        3, 2, embeddings_initializer=keras.initializers.Constant(EMBEDDING_TABLE)
    )
    masked = keras.layers.Masking(mask_value=0.37)(embedding(TOKEN_IDS))
    gru = keras.layers.GRU(
        1,
        activation=None,
        recurrent_activation=None,
        reset_after=False,
        kernel_initializer="ones",
        recurrent_initializer="zeros",
        bias_initializer="ones",
        return_sequences=True,
        return_state=True,
    )
    outputs, state = gru(masked)
    return np.asarray(outputs)[:, :, 0], np.asarray(state)[:, 0]


if __name__ == "__main__":
    outputs, state = run()
    print("Keras mask-only outputs:\n", outputs)
    print("Keras mask-only final state:", state)
