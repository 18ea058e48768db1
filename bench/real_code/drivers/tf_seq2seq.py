"""jayparks/tf-seq2seq: `Seq2SeqModel.build_encoder`, a 2-layer LSTM encoder (`dynamic_rnn`
under `encoder/`, cells from `build_single_cell`, dropout with a keep-probability placeholder).

`Seq2SeqModel.__init__` calls `build_model`, which builds the `tf.contrib.seq2seq` decoder
(RNN008, gone in TF 2.21). The driver subclasses it with a `build_model` that runs the
project's own `init_placeholders` and `build_encoder` only (declared).
"""

from __future__ import annotations

import numpy as np

from real_code.sites import Site, lengths, padded_ids

VOCAB, EMBEDDING, UNITS, DEPTH, BATCH, TIME = 50, 8, 16, 2, 3, 7

CONFIG = {"cell_type": "lstm", "hidden_units": UNITS, "depth": DEPTH, "attention_type": "bahdanau",
          "embedding_size": EMBEDDING, "num_encoder_symbols": VOCAB, "num_decoder_symbols": VOCAB,
          "use_residual": False, "attn_input_feeding": False, "use_dropout": True, "dropout_rate": 0.0,
          "optimizer": "adam", "learning_rate": 1e-3, "max_gradient_norm": 1.0, "use_fp16": False}


def build(context) -> dict:
    module = context.import_module("seq2seq_model")

    class EncoderOnly(module.Seq2SeqModel):
        def build_model(self):
            self.init_placeholders()
            self.build_encoder()

    model = EncoderOnly(CONFIG, "train")
    return {"encoder_outputs": model.encoder_outputs}


def feeds(rng: np.random.Generator) -> dict:
    row_lengths = lengths(BATCH, TIME)
    return {"encoder_inputs": padded_ids(rng, row_lengths, TIME, VOCAB), "encoder_inputs_length": row_lengths,
            "decoder_inputs": np.ones((BATCH, 3), np.int32), "decoder_inputs_length": np.full(BATCH, 3, np.int32),
            "keep_prob": np.float32(1.0)}


SITES = [
    Site(id="tf-seq2seq-encoder", project="tf-seq2seq", mirror="jayparks+tf-seq2seq", path="seq2seq_model.py",
         line=150, api="tf.nn.dynamic_rnn", build=build, feeds=feeds, extra_sys_path=("data",), missing_modules=("cPickle",),
         stubs=("Seq2SeqModel.build_model replaced (in a driver subclass) by init_placeholders + build_encoder: "
                "the decoder is tf.contrib.seq2seq",)),
]
