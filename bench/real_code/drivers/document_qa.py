"""allenai/document-qa: `docqa/nn/recurrent_layers.py`, the recurrent layers of its reading
comprehension models. The cells are the project's own `RNNCell` subclasses
(`InitializedLSTMCell`, `GRUCell`) built by cell specs, passed to
`tensorflow.python.ops.rnn.dynamic_rnn` with the lengths as the third positional argument.

The driver builds the real layer objects with their real cell specs and calls `apply`
(inference: `is_train=False`, no dropout). `docqa.configurable` subclasses scikit-learn's
`BaseEstimator` (for its parameter introspection only); scikit-learn is not installed here,
so `sklearn` is a stub module.
"""

from __future__ import annotations

import numpy as np

from real_code.sites import Site, lengths

EMBEDDING, UNITS, BATCH, TIME = 8, 16, 3, 7


def _builder(layer: str, spec: str, *layer_arguments):
    def build(context) -> dict:
        module = context.import_module("docqa.nn.recurrent_layers")
        tf = context.tf
        x = tf.placeholder(tf.float32, [None, None, EMBEDDING], name="x")
        sequence_lengths = tf.placeholder(tf.int32, [None], name="sequence_lengths")
        cell_spec = getattr(module, spec)(UNITS)
        output = getattr(module, layer)(cell_spec, *layer_arguments).apply(False, x, sequence_lengths)
        return {"output": output}

    return build


def feeds(rng: np.random.Generator) -> dict:
    return {"x": rng.normal(size=(BATCH, TIME, EMBEDDING)).astype(np.float32),
            "sequence_lengths": lengths(BATCH, TIME)}


def _site(site_id: str, line: int, api: str, build) -> Site:
    return Site(id=site_id, project="document-qa", mirror="allenai+document-qa",
                path="docqa/nn/recurrent_layers.py", line=line, api=api, build=build, feeds=feeds,
                missing_modules=("sklearn", "sklearn.base"))


SITES = [
    _site("docqa-recurrent-encoder-lstm", 549, "tensorflow.python.ops.rnn.dynamic_rnn",
          _builder("RecurrentEncoder", "LstmCellSpec", "h")),
    _site("docqa-recurrent-mapper-gru", 597, "tensorflow.python.ops.rnn.dynamic_rnn",
          _builder("RecurrentMapper", "GruCellSpec")),
    _site("docqa-birecurrent-mapper-lstm", 613, "tensorflow.python.ops.rnn.bidirectional_dynamic_rnn",
          _builder("BiRecurrentMapper", "LstmCellSpec")),
]
