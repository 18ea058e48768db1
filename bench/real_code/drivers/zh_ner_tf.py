"""Determined22/zh-NER-TF: `BiLSTM_CRF.biLSTM_layer_op`, a BiLSTM tagger under `bi-lstm/`.

The driver builds the real `BiLSTM_CRF` with small hyperparameters and calls its own graph
methods in order (`add_placeholders`, `lookup_layer_op`, `biLSTM_layer_op`,
`softmax_pred_op`); `loss_op` / `trainstep_op` are not called (they need tf.contrib.crf and
an optimizer, not the RNN).
"""

from __future__ import annotations

import argparse

import numpy as np

from real_code.sites import Site, lengths, padded_ids

VOCAB, EMBEDDING, UNITS, BATCH, TIME = 50, 8, 16, 3, 7


def build(context) -> dict:
    module = context.import_module("model")
    args = argparse.Namespace(batch_size=BATCH, epoch=1, hidden_dim=UNITS, CRF=False, update_embedding=True,
                              dropout=1.0, optimizer="Adam", lr=0.001, clip=5.0, shuffle=False)
    embeddings = np.random.default_rng(1).uniform(-0.25, 0.25, (VOCAB, EMBEDDING)).astype(np.float32)
    paths = {name: str(context.scratch / name) for name in ("model_path", "summary_path", "result_path")}
    paths["log_path"] = str(context.scratch / "log.txt")
    tag2label = {"O": 0, "B-PER": 1, "I-PER": 2, "B-LOC": 3, "I-LOC": 4, "B-ORG": 5, "I-ORG": 6}
    model = module.BiLSTM_CRF(args, embeddings, tag2label, list(range(VOCAB)), paths, config=None)
    model.add_placeholders()
    model.lookup_layer_op()
    model.biLSTM_layer_op()
    model.softmax_pred_op()
    return {"logits": model.logits}


def feeds(rng: np.random.Generator) -> dict:
    row_lengths = lengths(BATCH, TIME)
    return {"word_ids": padded_ids(rng, row_lengths, TIME, VOCAB), "sequence_lengths": row_lengths,
            "dropout": np.float32(1.0), "labels": np.zeros((BATCH, TIME), np.int32), "lr": np.float32(0.001)}


SITES = [
    Site(id="zh-ner-bilstm", project="zh-NER-TF", mirror="Determined22+zh-NER-TF", path="model.py", line=66,
         api="tf.nn.bidirectional_dynamic_rnn", build=build, feeds=feeds,
         stubs=("tensorflow.contrib.crf (crf_log_likelihood, viterbi_decode): imported by model.py, never called here",)),
]
