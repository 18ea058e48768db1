"""magenta/magenta: sketch-rnn, and the LSTM layers of Onsets and Frames.

**sketch-rnn** (`magenta/models/sketch_rnn/model.py`), a VAE over pen strokes.

Its cells are the project's own `RNNCell` subclasses in `sketch_rnn/rnn.py` (`LSTMCell`,
`LayerNormLSTMCell`, `HyperLSTMCell`: concatenated `[c, h]` states, orthogonal initialisers,
layer norm, a hypernetwork), chosen by the hyperparameters (`cell_fn = rnn.HyperLSTMCell`) and
run from `model.py`: the cross-file RNN106 rewrite, unsafe (`--unsafe-fixes`).

The driver builds the real `Model` with the real default hyperparameters, made small (batch 3,
7 steps, 16 units, z of 8, 2 mixtures), inference (`is_training=False`) and no recurrent
dropout (the cells drop out whenever it is on). Two sites:
* the encoder (`bidirectional_dynamic_rnn` of two `LayerNormLSTMCell`s), in the VAE with its
  sampling noise zero (declared), so that the decoder it conditions is deterministic too: the
  latent mean and log-variance, and every RNN call's outputs and states;
* the decoder (`dynamic_rnn` of a `HyperLSTMCell`) in the unconditional model, started from
  the cell's `zero_state`: its final state, the pen-state probabilities and the reconstruction
  loss (every output step goes into them).

**Onsets and Frames** (`magenta/models/onsets_frames_transcription/model_tpu.py`), the piano
transcription model: `lstm_layer` (a `MultiRNNCell` of `BasicLSTMCell`s in `DropoutWrapper`s,
`dynamic_rnn`) and `lstm_layer_static_for_tflite` (`LSTMCell(name='basic_lstm_cell')`, either
`static_bidirectional_rnn` per layer over `enumerate(zip(cells_fw, cells_bw))` in scopes that
emulate `stack_bidirectional_dynamic_rnn`, or a `static_rnn` of a `MultiRNNCell`), called with
two layers of 16 units, inference. The modules it imports for other parts of the model are
stubs (tf_slim, the estimator and its spec helpers, `constants`, which calls librosa at import).

`magenta/__init__.py` imports every magenta library (note sequences, protobufs) that
neither uses, so `magenta` is a bare package over the copy's folder; the model's two
placeholders are unnamed, so they get names while it is built (declared).
"""

from __future__ import annotations

import sys
import types

import numpy as np

from real_code.context import attribute
from real_code.sites import Site, lengths

BATCH, TIME, UNITS = 3, 7, 16


def _model_module(context):
    _model_module_package(context)
    return context.import_module("magenta.models.sketch_rnn.model")


def _model_module_package(context) -> None:
    """`magenta` as a bare package over the copy's folder, without its `__init__` (declared)."""
    if "magenta" not in sys.modules:
        package = types.ModuleType("magenta")
        package.__path__ = [str(context.root / "magenta")]
        sys.modules["magenta"] = package


def _hparams(model, conditional: bool):
    hps = model.get_default_hparams()
    hps.batch_size, hps.max_seq_len = BATCH, TIME
    hps.enc_rnn_size = hps.dec_rnn_size = UNITS
    hps.z_size, hps.num_mixture = 8, 2
    hps.enc_model, hps.dec_model = "layer_norm", "hyper"
    hps.use_recurrent_dropout, hps.is_training, hps.conditional = False, False, conditional
    return hps


def _built(context, conditional: bool):
    """The real Model; its two unnamed placeholders get the names `feeds` uses (declared)."""
    model = _model_module(context)
    names = iter(["sequence_lengths", "input_data"])  # the order build_model creates them in
    unnamed = context.tf.placeholder  # the shim's: it records the placeholder for the feeds

    def named(dtype, shape=None, name=None):
        return unnamed(dtype, shape, name=name or next(names))

    def no_noise(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
        return context.tf.zeros(shape, dtype=dtype or context.tf.float32, name=name)

    with attribute(model.tf, "placeholder", named), attribute(model.tf, "random_normal", no_noise):
        return model.Model(_hparams(model, conditional))


def build_encoder(context) -> dict:
    sketch = _built(context, conditional=True)
    return {"mean": sketch.mean, "presig": sketch.presig}


def build_decoder(context) -> dict:
    sketch = _built(context, conditional=False)
    return {"final_state": sketch.final_state, "pen": sketch.pen, "r_cost": sketch.r_cost}


def feeds(rng: np.random.Generator) -> dict:
    return {"input_data": rng.normal(size=(BATCH, TIME + 1, 5)).astype(np.float32),
            "sequence_lengths": lengths(BATCH, TIME)}


STUBS = ("`magenta` is a bare package over the copy's magenta/ folder: magenta/__init__.py imports every "
         "magenta library (note sequences, protobufs), none of which sketch-rnn uses",
         "the model's two unnamed placeholders are named sequence_lengths and input_data, in the order it "
         "creates them",
         "tf.random_normal gives zeros: the VAE's sampling noise, so that z is the encoder's mean in both runs",)
REWRITE = ("magenta/models/sketch_rnn/model.py", "magenta/models/sketch_rnn/rnn.py")

def _transcription(context):
    _model_module_package(context)
    return context.import_module("magenta.models.onsets_frames_transcription.model_tpu")


def _lstm_builder(function: str, bidirectional: bool):
    def build(context) -> dict:
        model_tpu = _transcription(context)
        tf = context.tf
        inputs = tf.placeholder(tf.float32, [BATCH, TIME, 8], name="inputs")
        sequence_lengths = tf.placeholder(tf.int32, [BATCH], name="lengths")
        outputs = getattr(model_tpu, function)(inputs, UNITS, bidirectional=bidirectional, is_training=False,
                                               lengths=sequence_lengths, stack_size=2)
        return {"outputs": outputs}

    return build


def transcription_feeds(rng: np.random.Generator) -> dict:
    return {"inputs": rng.normal(size=(BATCH, TIME, 8)).astype(np.float32), "lengths": lengths(BATCH, TIME)}


TRANSCRIPTION = "magenta/models/onsets_frames_transcription/model_tpu.py"
TRANSCRIPTION_STUBS = ("tf_slim", "librosa", "tensorflow.estimator",  # (the shim's compat.v1 is named tensorflow)
                       "magenta.models.onsets_frames_transcription.constants",
                       "magenta.models.onsets_frames_transcription.estimator_spec_util")


def _transcription_site(site_id: str, line: int, api: str, function: str, bidirectional: bool) -> Site:
    return Site(id=site_id, project="magenta", mirror="magenta+magenta", path=TRANSCRIPTION, line=line, api=api,
                build=_lstm_builder(function, bidirectional), feeds=transcription_feeds,
                stubs=STUBS[:1], missing_modules=TRANSCRIPTION_STUBS)


SITES = [
    Site(id="sketch-rnn-encoder", project="magenta", mirror="magenta+magenta",
         path="magenta/models/sketch_rnn/model.py", line=89, api="tf.compat.v1.nn.bidirectional_dynamic_rnn",
         build=build_encoder, feeds=feeds, rewrite_paths=REWRITE, stubs=STUBS, unsafe_fixes=True),
    Site(id="sketch-rnn-decoder", project="magenta", mirror="magenta+magenta",
         path="magenta/models/sketch_rnn/model.py", line=243, api="tf.compat.v1.nn.dynamic_rnn",
         build=build_decoder, feeds=feeds, rewrite_paths=REWRITE, stubs=STUBS, unsafe_fixes=True),
    _transcription_site("onsets-frames-lstm", 107, "tf.compat.v1.nn.dynamic_rnn", "lstm_layer", False),
    _transcription_site("onsets-frames-static-bidirectional", 158, "tf.compat.v1.nn.static_bidirectional_rnn",
                        "lstm_layer_static_for_tflite", True),
    _transcription_site("onsets-frames-static", 168, "tf.compat.v1.nn.static_rnn", "lstm_layer_static_for_tflite", False),
]
