"""guillaumegenthial/sequence_tagging: `NERModel` (`model/ner_model.py`), a BiLSTM(-CRF) tagger
with an optional character BiLSTM per word.

The driver builds the real `NERModel` with a small config object of its own (the project's
`model.config.Config` loads vocabularies and trimmed GloVe vectors from disk at construction)
and calls the model's own graph methods in the order `build()` does: `add_placeholders`,
`add_word_embeddings_op`, `add_logits_op`, `add_pred_op`. `add_loss_op` / `add_train_op` /
`initialize_session` are not called (summaries, an optimizer and a session, not the RNN).
Word embeddings are the project's randomly initialised `_word_embeddings` (config.embeddings
None, its own branch for no pre-trained vectors).

Two sites: `use_chars=True` runs both RNN calls (chars at :141, then words at :166);
`use_chars=False` runs only the word BiLSTM, so the :166 site is measured on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from real_code.sites import Site, lengths, padded_ids

VOCAB, CHARS, EMBEDDING, CHAR_EMBEDDING, UNITS, CHAR_UNITS = 50, 30, 8, 6, 16, 5
BATCH, TIME, WORD_LENGTH = 3, 7, 5
TAGS = {"O": 0, "B-PER": 1, "I-PER": 2, "B-LOC": 3, "I-LOC": 4}


@dataclass
class SmallConfig:
    """The attributes `NERModel` / `BaseModel` read from `model.config.Config`, small, nothing on disk."""

    use_chars: bool
    nwords: int = VOCAB
    nchars: int = CHARS
    ntags: int = len(TAGS)
    dim_word: int = EMBEDDING
    dim_char: int = CHAR_EMBEDDING
    hidden_size_char: int = CHAR_UNITS
    hidden_size_lstm: int = UNITS
    embeddings: None = None  # no pre-trained vectors: the project's random `_word_embeddings`
    train_embeddings: bool = True
    use_crf: bool = False
    vocab_tags: dict = field(default_factory=lambda: dict(TAGS))
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("sequence_tagging"))


def _builder(use_chars: bool):
    def build(context) -> dict:
        module = context.import_module("model.ner_model")
        model = module.NERModel(SmallConfig(use_chars=use_chars))
        model.add_placeholders()
        model.add_word_embeddings_op()
        model.add_logits_op()
        model.add_pred_op()
        return {"logits": model.logits}

    return build


def feeds(rng: np.random.Generator) -> dict:
    """What `get_feed_dict` makes: ids padded with 0 after each sentence, char ids padded with
    0 after each word, word lengths 0 for padded words (so the char BiLSTM sees length-0 rows)."""
    row_lengths = lengths(BATCH, TIME)
    word_lengths = rng.integers(1, WORD_LENGTH + 1, size=(BATCH, TIME)).astype(np.int32)
    word_lengths[np.arange(TIME)[None, :] >= row_lengths[:, None]] = 0
    char_ids = rng.integers(1, CHARS, size=(BATCH, TIME, WORD_LENGTH)).astype(np.int32)
    char_ids[np.arange(WORD_LENGTH)[None, None, :] >= word_lengths[:, :, None]] = 0
    return {"word_ids": padded_ids(rng, row_lengths, TIME, VOCAB), "sequence_lengths": row_lengths,
            "char_ids": char_ids, "word_lengths": word_lengths,
            "labels": np.zeros((BATCH, TIME), np.int32), "dropout": np.float32(1.0), "lr": np.float32(1e-3)}


def _site(site_id: str, line: int, use_chars: bool) -> Site:
    return Site(id=site_id, project="sequence_tagging", mirror="guillaumegenthial+sequence_tagging",
                path="model/ner_model.py", line=line, api="tf.nn.bidirectional_dynamic_rnn",
                build=_builder(use_chars), feeds=feeds,
                stubs=("config: the driver's SmallConfig instead of model.config.Config (which reads vocab and GloVe files)",))


SITES = [
    _site("sequence-tagging-chars", 141, True),
    _site("sequence-tagging-words", 166, False),
]
