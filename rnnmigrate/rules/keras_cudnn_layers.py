"""RNN109: ``tf.keras.layers.CuDNNLSTM`` / ``CuDNNGRU`` (Keras 2 only)."""

from __future__ import annotations

from rnnmigrate.rules.base import Assessment, Rule, Site, names_in
from rnnmigrate.rules.common import always_manual

KERAS_LAYER_MODULES = (
    "tensorflow.keras.layers",
    "tensorflow.python.keras.layers",
    "keras.layers",
)

_assess = always_manual(
    "Keras 3 has no CuDNN* layers; use keras.layers.LSTM / GRU(reset_after=True) and convert the .h5 weights "
    "with rnnmigrate.keras2_cudnn.keras3_weights_from_keras2_h5 (cuDNN's kernel layout and two bias sets)"
)


def assess(site: Site) -> Assessment:
    return _assess(site)


RULE = Rule(
    code="RNN109",
    name="keras-cudnn-layer",
    summary="tf.keras.layers.CuDNNLSTM / CuDNNGRU",
    apis=names_in(KERAS_LAYER_MODULES, ("CuDNNLSTM", "CuDNNGRU")),
    kind="layer",
    what="Finds the Keras 2 layers `CuDNNLSTM` and `CuDNNGRU`.",
    why="They were removed in Keras 3; Keras 3's `LSTM` and `GRU` pick cuDNN themselves when "
    "the arguments allow it. Masks were not supported by CuDNN* layers, so padded batches ran "
    "over the padding.",
    fix="None automatic (the model around them is Keras already): `keras.layers.LSTM(units)` "
    "or `keras.layers.GRU(units, reset_after=True)`, and a mask if the old model should not have "
    "read the padding. The stored weights do not load as they are: each input-kernel gate block is "
    "cuDNN's [u, d] matrix re-read as [d, u], recurrent blocks are transposed, and the bias holds "
    "cuDNN's two sets. `rnnmigrate.keras2_cudnn.keras3_weights_from_keras2_h5(path, layer_name)` "
    "returns the Keras 3 weights of a CuDNNLSTM / CuDNNGRU (or a Bidirectional of one) from a Keras 2 "
    "`.h5` (full model or `save_weights`): `layer.set_weights(weights)`.",
    numerics="Same math with the converted weights. Proven on the CPU against tf-keras's own converter "
    "(its legacy HDF5 loader's `_convert_rnn_weights`): identical arrays, and Keras 3 LSTM / "
    "Bidirectional(GRU) with them compute what tf-keras's LSTM / GRU loaded from the same file compute "
    "(the same float32 numbers here).",
    example_before="x = tf.keras.layers.CuDNNLSTM(128, return_sequences=True)(x)",
    example_after="x = keras.layers.LSTM(128, return_sequences=True)(x)",
    assess=assess,
)
