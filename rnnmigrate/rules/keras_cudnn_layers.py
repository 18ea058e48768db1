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
    "Keras 3 has no CuDNN* layers; use keras.layers.LSTM / GRU(reset_after=True), whose weights load as they are"
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
    "or `keras.layers.GRU(units, reset_after=True)` with the same weights, and a mask if the "
    "old model should not have read the padding.",
    numerics="Same math with the same weights; verify with `rnnmigrate verify`.",
    example_before="x = tf.keras.layers.CuDNNLSTM(128, return_sequences=True)(x)",
    example_after="x = keras.layers.LSTM(128, return_sequences=True)(x)",
    assess=assess,
)
