"""RNN108: ``tf.contrib.cudnn_rnn``: cuDNN layers with opaque parameter buffers."""

from __future__ import annotations

from rnnmigrate.rules.base import Assessment, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, cell_info

CUDNN_MODULES = (
    "tensorflow.contrib.cudnn_rnn",
    "tensorflow.contrib.cudnn_rnn.python.layers.cudnn_rnn",
    "tensorflow.contrib.cudnn_rnn.python.ops.cudnn_rnn_ops",
)
LAYERS = ("CudnnLSTM", "CudnnGRU", "CudnnRNNTanh", "CudnnRNNRelu")
COMPATIBLE_CELLS = ("CudnnCompatibleLSTMCell", "CudnnCompatibleGRUCell")
SAVEABLES = ("CudnnLSTMSaveable", "CudnnGRUSaveable", "CudnnRNNTanhSaveable", "CudnnRNNReluSaveable")


def assess(site: Site) -> Assessment:
    kind = site.short_name
    if kind in COMPATIBLE_CELLS:
        reason = (
            f"{kind} reads cuDNN-converted weights under its own variable names; "
            "map them to LSTMCell/GRUCell by hand"
        )
    else:
        reason = f"{kind} keeps its weights in one opaque cuDNN parameter buffer; convert them with the saveable first"
    return as_assessment(cell_info(site, {}, reason))


RULE = Rule(
    code="RNN108",
    name="cudnn-rnn",
    summary="tf.contrib.cudnn_rnn layer or compatible cell",
    apis=names_in(CUDNN_MODULES, LAYERS + COMPATIBLE_CELLS + SAVEABLES),
    kind="cell",
    what="Finds `tf.contrib.cudnn_rnn.CudnnLSTM`, `CudnnGRU`, `CudnnRNNTanh`, `CudnnRNNRelu`, "
    "the `CudnnCompatible*Cell` classes and the cuDNN saveables.",
    why="The cuDNN layers store all weights and biases in one opaque buffer, with two bias "
    "vectors per gate; cuDNN GRU is reset-after. `tf.contrib` is gone in TF2.",
    fix="None automatic. Convert the opaque buffer to canonical weights with the TF1 saveable "
    "(or read the `CudnnCompatible*Cell` checkpoint), then use `keras.layers.LSTM` / "
    "`keras.layers.GRU(reset_after=True)` and prove it with `rnnmigrate verify`.",
    numerics="Exact when the biases are summed correctly (cuDNN has input and recurrent biases).",
    example_before="lstm = tf.contrib.cudnn_rnn.CudnnLSTM(num_layers=2, num_units=256)",
    example_after="# no automatic rewrite",
    assess=assess,
)
