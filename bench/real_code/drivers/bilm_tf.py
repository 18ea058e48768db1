"""allenai/bilm-tf: `BidirectionalLanguageModelGraph._build_lstms`, ELMo's biLM: per direction
two `dynamic_rnn(LSTMCell(num_proj, cell_clip, proj_clip))` layers, the second wrapped in
`ResidualWrapper`, stateful initial states held in variables (RNN001 at model.py:564, manual).

The driver builds the real graph class on word ids (`use_character_inputs=False`). Its
custom getter initialises every variable from ELMo's HDF5 weight files, so the driver
writes small ones (random values, ELMo's names and shapes) to the scratch directory; the
harness then gives every variable fresh random values anyway.
"""

from __future__ import annotations

import numpy as np

from real_code.sites import Site, lengths, padded_ids

VOCAB, DIM, PROJECTION, LAYERS, BATCH, TIME = 50, 16, 8, 2, 3, 7
OPTIONS = {"lstm": {"dim": DIM, "projection_dim": PROJECTION, "n_layers": LAYERS, "cell_clip": 3,
                    "proj_clip": 3, "use_skip_connections": True}}


def _weight_files(scratch) -> tuple[str, str]:
    """ELMo-format HDF5 files: LSTM weights by ELMo's names, and the token embedding."""
    import h5py

    rng = np.random.default_rng(3)
    weights, embedding = scratch / "bilm_weights.hdf5", scratch / "bilm_embedding.hdf5"
    with h5py.File(weights, "w") as out:
        for direction in range(2):
            for layer in range(LAYERS):
                root = f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell"
                out[f"{root}/W_0"] = rng.uniform(-0.3, 0.3, (2 * PROJECTION, 4 * DIM)).astype(np.float32)
                out[f"{root}/B"] = rng.uniform(-0.3, 0.3, (4 * DIM,)).astype(np.float32)
                out[f"{root}/W_P_0"] = rng.uniform(-0.3, 0.3, (DIM, PROJECTION)).astype(np.float32)
    with h5py.File(embedding, "w") as out:
        out["embedding"] = rng.uniform(-0.3, 0.3, (VOCAB - 1, PROJECTION)).astype(np.float32)
    return str(weights), str(embedding)


def build(context) -> dict:
    module = context.import_module("bilm.model")
    tf = context.tf
    weights, embedding = _weight_files(context.scratch)
    token_ids = tf.placeholder(tf.int32, [None, None], name="token_ids")
    graph = module.BidirectionalLanguageModelGraph(OPTIONS, weights, token_ids, use_character_inputs=False,
                                                   embedding_weight_file=embedding, max_batch_size=8)
    return {f"{direction}{layer}": output for direction, outputs in graph.lstm_outputs.items()
            for layer, output in enumerate(outputs)}


def feeds(rng: np.random.Generator) -> dict:
    # the sequence lengths are computed from the ids (ids > 0)
    return {"token_ids": padded_ids(rng, lengths(BATCH, TIME), TIME, VOCAB)}


def _language_model(bidirectional: bool):
    """`bilm.training.LanguageModel` (the training graph), inference mode, on word ids."""

    def build(context) -> dict:
        module = context.import_module("bilm.training")
        options = {"bidirectional": bidirectional, "n_tokens_vocab": VOCAB, "batch_size": BATCH,
                   "unroll_steps": TIME, "dropout": 0.1, "sample_softmax": False,
                   "n_negative_samples_batch": 8, "lstm": dict(OPTIONS["lstm"])}
        model = module.LanguageModel(options, is_training=False)
        return {"total_loss": model.total_loss}

    return build


def lm_feeds(rng: np.random.Generator) -> dict:
    ids = {name: rng.integers(1, VOCAB, size=(BATCH, TIME)).astype(np.int32)
           for name in ("token_ids", "token_ids_reverse", "next_token_id", "next_token_id_reverse")}
    return ids


SITES = [
    Site(id="bilm-lstms", project="bilm-tf", mirror="allenai+bilm-tf", path="bilm/model.py", line=564,
         api="tf.nn.dynamic_rnn", build=build, feeds=feeds,
         stubs=("ELMo HDF5 weight files written by the driver (random values) for the project's custom getter",)),
    Site(id="bilm-train-bidirectional", project="bilm-tf", mirror="allenai+bilm-tf", path="bilm/training.py",
         line=407, api="tf.nn.static_rnn", build=_language_model(True), feeds=lm_feeds),
    Site(id="bilm-train-unidirectional", project="bilm-tf", mirror="allenai+bilm-tf", path="bilm/training.py",
         line=412, api="tf.nn.static_rnn", build=_language_model(False), feeds=lm_feeds),
]
