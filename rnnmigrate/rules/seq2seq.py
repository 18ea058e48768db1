"""RNN008: TF1's seq2seq libraries (``legacy_seq2seq``, ``tf.contrib.seq2seq``), which drive cells themselves."""

from __future__ import annotations

from rnnmigrate.rules.base import Rule, names_in
from rnnmigrate.rules.common import always_manual

LEGACY_MODULES = (
    "tensorflow.contrib.legacy_seq2seq",
    "tensorflow.nn.seq2seq",  # before TF 1.0
    "tensorflow.models.rnn.seq2seq",  # TF 0.x
)
LEGACY_FUNCTIONS = (
    "basic_rnn_seq2seq",
    "tied_rnn_seq2seq",
    "embedding_rnn_seq2seq",
    "embedding_tied_rnn_seq2seq",
    "embedding_attention_seq2seq",
    "one2many_rnn_seq2seq",
    "rnn_decoder",
    "attention_decoder",
    "embedding_rnn_decoder",
    "embedding_attention_decoder",
    "model_with_buckets",
)
CONTRIB_SEQ2SEQ = (
    "dynamic_decode",
    "BasicDecoder",
    "BeamSearchDecoder",
    "AttentionWrapper",
    "TrainingHelper",
    "GreedyEmbeddingHelper",
    "ScheduledEmbeddingTrainingHelper",
)

# Each API's parameters up to its `cell`, so that the cell it runs is traced (and stays TF1 with it).
CELL_POSITIONS = {
    "rnn_decoder": ("decoder_inputs", "initial_state", "cell"),
    "attention_decoder": ("decoder_inputs", "initial_state", "attention_states", "cell"),
    "embedding_rnn_decoder": ("decoder_inputs", "initial_state", "cell"),
    "embedding_attention_decoder": ("decoder_inputs", "initial_state", "attention_states", "cell"),
    "basic_rnn_seq2seq": ("encoder_inputs", "decoder_inputs", "cell"),
    "tied_rnn_seq2seq": ("encoder_inputs", "decoder_inputs", "cell"),
    "embedding_rnn_seq2seq": ("encoder_inputs", "decoder_inputs", "cell"),
    "embedding_tied_rnn_seq2seq": ("encoder_inputs", "decoder_inputs", "cell"),
    "embedding_attention_seq2seq": ("encoder_inputs", "decoder_inputs", "cell"),
    "BasicDecoder": ("cell",),
    "BeamSearchDecoder": ("cell",),
    "AttentionWrapper": ("cell",),
}

RULE = Rule(
    code="RNN008",
    name="seq2seq",
    summary="tf.contrib.legacy_seq2seq / tf.contrib.seq2seq decoder or wrapper",
    apis=names_in(LEGACY_MODULES, LEGACY_FUNCTIONS) | names_in(("tensorflow.contrib.seq2seq",), CONTRIB_SEQ2SEQ),
    kind="function",
    what="Finds the TF1 sequence-to-sequence libraries: `legacy_seq2seq` (`rnn_decoder`, "
    "`embedding_attention_seq2seq`, `model_with_buckets`, ...; also the pre-1.0 `tf.nn.seq2seq`) "
    "and `tf.contrib.seq2seq` (`dynamic_decode`, `BasicDecoder`, `BeamSearchDecoder`, `AttentionWrapper`, helpers).",
    why="They run TF1 cells in loops of their own (feeding previous outputs back, attention, beam "
    "search) and are gone from TF2; `tensorflow_addons.seq2seq`, their successor, is itself "
    "unmaintained. The cells they run cannot be swapped for Keras cells without porting the loop.",
    fix="None automatic. Run the encoder with `rnnmigrate.layers.DynamicRNN` (exact, loads the TF1 "
    "weights) and port the decoder loop by hand, calling an `rnnmigrate.layers` cell step by step "
    "(`output, state = cell(x, state)` keeps TF1's state structure); prove it with `rnnmigrate verify`.",
    numerics="Exact for teacher-forced decoding once ported; beam search must match TF1's tie-breaking.",
    example_before="outputs, state = tf.contrib.legacy_seq2seq.rnn_decoder(decoder_inputs, encoder_state, cell)",
    example_after="# no automatic rewrite",
    assess=always_manual(
        "the seq2seq library runs the cell in a decoding loop of its own; port the loop by hand",
        CELL_POSITIONS,
        cell_params=("cell",),
    ),
)
