"""dongjun-Lee/rnn-text-classification-tf: `NaiveRNN` and `AttentionRNN`, each a 2-layer
stacked bidirectional LSTM (`tf.contrib.rnn.stack_bidirectional_dynamic_rnn`, RNN007: manual).

The driver builds the real model classes (their `__init__` builds the whole graph, Adam
included) with GloVe off. `models/net_utils.py` imports gensim (for GloVe loading, unused
with `glove=False`); gensim is not installed, so its modules are stubs.
"""

from __future__ import annotations

import argparse

import numpy as np

from real_code.sites import Site, lengths, padded_ids

VOCAB, EMBEDDING, UNITS, LAYERS, BATCH, TIME, CLASSES = 50, 8, 16, 2, 3, 7, 4
GENSIM = ("gensim", "gensim.models", "gensim.models.keyedvectors", "gensim.test", "gensim.test.utils",
          "gensim.scripts", "gensim.scripts.glove2word2vec")


def _builder(module_name: str, class_name: str):
    def build(context) -> dict:
        module = context.import_module(module_name)
        args = argparse.Namespace(embedding_size=EMBEDDING, num_hidden=UNITS, num_layers=LAYERS,
                                  learning_rate=1e-3, glove=False)
        reversed_dict = {index: f"w{index}" for index in range(VOCAB)}
        model = getattr(module, class_name)(reversed_dict, TIME, CLASSES, args)
        return {"logits": model.logits}

    return build


def feeds(rng: np.random.Generator) -> dict:
    # x_len is computed from the ids (tf.sign), so padding is id 0 after each row's length
    return {"x": padded_ids(rng, lengths(BATCH, TIME), TIME, VOCAB), "y": np.zeros(BATCH, np.int32),
            "keep_prob": np.float32(1.0)}


_STUBS = ("tf.contrib.rnn.stack_bidirectional_dynamic_rnn: the shim's transcription of TF 1.15's",
          "tf.contrib.slim.fully_connected -> tf.compat.v1.layers.dense (relu default kept)")

SITES = [
    Site(id="rnn-text-cls-naive", project="rnn-text-classification-tf", mirror="dongjun-Lee+rnn-text-classification-tf",
         path="models/naive_rnn.py", line=35, api="tf.contrib.rnn.stack_bidirectional_dynamic_rnn",
         build=_builder("models.naive_rnn", "NaiveRNN"), feeds=feeds, missing_modules=GENSIM, stubs=_STUBS),
    Site(id="rnn-text-cls-attention", project="rnn-text-classification-tf", mirror="dongjun-Lee+rnn-text-classification-tf",
         path="models/attention_rnn.py", line=35, api="tf.contrib.rnn.stack_bidirectional_dynamic_rnn",
         build=_builder("models.attention_rnn", "AttentionRNN"), feeds=feeds, missing_modules=GENSIM, stubs=_STUBS),
]
