"""RNN205: ``tf.contrib.crf`` and the rest of ``tf.contrib.seq2seq`` / ``legacy_seq2seq`` (``sequence_loss``)."""

from __future__ import annotations

from rnnmigrate.rules import contrib_modules
from rnnmigrate.rules.base import Rule
from rnnmigrate.rules.tf_api import Blocker

CODE = "RNN205"
MODULES = ("crf", "seq2seq", "legacy_seq2seq")


def match(rest: list[str], start: int) -> Blocker | None:
    """``tf.contrib.crf.*``, ``tf.contrib.seq2seq.*`` and ``tf.contrib.legacy_seq2seq.*`` names RNN008 does not own."""
    if len(rest) < 2 or rest[1] not in MODULES:
        return None
    return contrib_modules.match(rest, start, family="seq2seq_crf", code=CODE)


RULE = Rule(
    code=CODE,
    name="contrib-seq2seq-crf",
    summary="tf.contrib.crf, tf.contrib.seq2seq losses / attention / helpers: nothing in TF 2.21",
    apis=frozenset(),
    kind="blocker",
    what="Finds `tf.contrib.crf` (`crf_log_likelihood`, `viterbi_decode`, `crf_decode`, ...) and the "
    "`tf.contrib.seq2seq` and `tf.contrib.legacy_seq2seq` names that RNN008 does not report: "
    "`sequence_loss`, `tile_batch`, `BahdanauAttention`, `LuongAttention`, ...",
    why="They went with tf.contrib, and their successor, TensorFlow Addons (`tensorflow_addons.text`, "
    "`tensorflow_addons.seq2seq`), does not import on TF 2.21: tensorflow-addons 0.23.0, its last "
    "release, supports TF 2.13-2.15 and fails with No module named 'keras.src.engine', with or "
    "without TF_USE_LEGACY_KERAS=1.",
    fix="None automatic: an informational finding. `sequence_loss` and `tile_batch` have exact "
    "replacements in plain TF ops (the finding gives them); the CRF functions and attention "
    "mechanisms must be ported (they are plain TF ops).",
    numerics="`sequence_loss`: exact with the default averaging (TF1 adds 1e-12 to the summed weights).",
    example_before="loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights)",
    example_after="loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits) * weights) / (tf.reduce_sum(weights) + 1e-12)",
    assess=lambda site: None,  # type: ignore[arg-type,return-value]  # found by rnnmigrate.blockers
)
