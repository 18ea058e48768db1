"""ilivans/tf-rnn-attention: `train.py`'s bidirectional GRU feeding the attention layer.

`train.py` is a top-level script that downloads IMDB and trains. The driver runs its own
statements in order up to the attention layer (stopping before `drop = tf.nn.dropout(...)`)
with `keras.datasets.imdb.load_data` stubbed to return a few random reviews (no download),
and keeps the script's hyperparameters (embedding 100, 150 units, 250 steps).
"""

from __future__ import annotations

import numpy as np

from real_code.context import attribute
from real_code.sites import Site, lengths, padded_ids

VOCAB, TIME, BATCH = 50, 250, 3


class _FakeImdb:
    """`imdb.load_data` without the download: ten reviews over ids 1..VOCAB-1."""

    @staticmethod
    def load_data(num_words=None, index_from=3, **_ignored):
        rng = np.random.default_rng(7)
        reviews = [list(rng.integers(1, VOCAB, size=rng.integers(5, 40))) + [VOCAB - 1] for _ in range(10)]
        labels = np.array([i % 2 for i in range(10)])
        return (reviews, labels), (reviews, labels)


def build(context) -> dict:
    import keras.datasets

    with attribute(keras.datasets, "imdb", _FakeImdb):
        namespace = context.run_script("train.py", stop_before="drop = tf.nn.dropout(")
    return {"attention_output": namespace["attention_output"], "alphas": namespace["alphas"]}


def feeds(rng: np.random.Generator) -> dict:
    row_lengths = lengths(BATCH, TIME)
    return {"batch_ph": padded_ids(rng, row_lengths, TIME, VOCAB), "seq_len_ph": row_lengths,
            "target_ph": np.zeros(BATCH, np.float32), "keep_prob_ph": np.float32(1.0)}


SITES = [
    Site(id="tf-rnn-attention-bigru", project="tf-rnn-attention", mirror="ilivans+tf-rnn-attention",
         path="train.py", line=55, api="tensorflow.python.ops.rnn.bidirectional_dynamic_rnn",
         build=build, feeds=feeds, missing_modules=("tqdm",), v1_tensorshape=True,
         stubs=("train.py run only up to its attention layer (statements from `drop = tf.nn.dropout(` on are not executed)",
                "keras.datasets.imdb.load_data returns 10 random reviews (no download)")),
]
