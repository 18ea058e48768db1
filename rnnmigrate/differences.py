"""The tags a finding uses to say what a naive Keras port of it would get wrong."""

DIFFERENCES = {
    "padding": "TF1 zeroes outputs at t >= sequence_length and returns the last valid state; "
    "Keras without a mask reads the padding, with a mask it repeats the last output",
    "time-major": "Keras 3 RNN layers have no time_major; inputs and outputs must be transposed",
    "state-structure": "TF1 LSTM state is LSTMStateTuple(c, h), nested per layer; Keras returns flat lists with [h, c]",
    "lstm-gate-order": "TF1 LSTM kernel is one [inputs+h, 4u] matrix with gates i, j, f, o; Keras splits "
    "kernel/recurrent_kernel and orders gates i, f, c, o",
    "forget-bias": "TF1 adds forget_bias at run time and never stores it; it must be folded into the bias",
    "gru-reset-before": "TF1 GRUCell applies the reset gate before the matmul: Keras GRU(reset_after=False), not the default",
    "kernel-split": "TF1 keeps one kernel over [inputs, h]; Keras splits kernel and recurrent_kernel",
    "no-keras-equivalent": "peepholes, projection and clipping have no Keras 3 LSTM; a compat cell is needed",
    "dropout-training": "training-time dropout masks differ from Keras's dropout/recurrent_dropout",
    "keras-cell": "a Keras 2 cell in a TF1 RNN: Keras 3 cells fail there, and the checkpoint holds "
    "tf-keras's names without the enclosing variable scope",
    "keras1-defaults": "under TF 1.x, tf.keras cells were Keras 2's v1 classes: hard_sigmoid gates and, "
    "for GRUCell, reset_after=False; TF 2's default to sigmoid and reset_after=True",
    "keras-defaults-by-version": "tf.keras cell defaults (recurrent_activation, reset_after) depend on "
    "whether the program ran on TF 1.x or TF 2",
    "cudnn-canonical-weights": "cuDNN keeps input and recurrent biases (summed in the canonical checkpoint), "
    "gates i, f, c, o (TF1's compatible cells i, j, f, o), an LSTM without forget bias and a GRU that resets "
    "after the recurrent matmul (Keras GRU(reset_after=True))",
    "layer-norm-lstm": "TF1's LayerNormBasicLSTMCell normalises each gate and the new cell state (epsilon 1e-12); "
    "Keras 3 has no such cell and TF Addons' LayerNormLSTMCell is other math",
    "nas-cell": "NASCell's 8-gate search cell has no Keras 3 equivalent",
}
