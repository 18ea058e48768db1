"""RNN107: cells that only ``tf.contrib.rnn`` had."""

from __future__ import annotations

from rnnmigrate.rules.base import Assessment, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, cell_info

CONTRIB_CELL_MODULES = (
    "tensorflow.contrib.rnn",
    "tensorflow.contrib.rnn.python.ops.rnn_cell",
    "tensorflow.contrib.rnn.python.ops.lstm_ops",
    "tensorflow.contrib.rnn.python.ops.gru_ops",
    "tensorflow.contrib.rnn.python.ops.fused_rnn_cell",
)

SPECIFIC_REASONS = {
    "AttentionCellWrapper": "AttentionCellWrapper attends over past outputs; Keras 3 has no equivalent cell",
}
OTHER_CELLS = (
    "CoupledInputForgetGateLSTMCell",
    "TimeFreqLSTMCell",
    "GridLSTMCell",
    "BidirectionalGridLSTMCell",
    "UGRNNCell",
    "IntersectionRNNCell",
    "PhasedLSTMCell",
    "ConvLSTMCell",
    "Conv1DLSTMCell",
    "Conv2DLSTMCell",
    "Conv3DLSTMCell",
    "GLSTMCell",
    "SRUCell",
    "IndRNNCell",
    "IndyGRUCell",
    "IndyLSTMCell",
    "LayerNormLSTMCell",
    "HighwayWrapper",
    "EmbeddingWrapper",
    "FusedRNNCell",
    "FusedRNNCellAdaptor",
    "TimeReversedFusedRNN",
    "LSTMBlockWrapper",
    "CompiledWrapper",
    "MinimalRNNCell",
    "CFNCell",
    "WeightNormLSTMCell",
    "NTMCell",
)


def assess(site: Site) -> Assessment:
    kind = site.short_name
    reason = SPECIFIC_REASONS.get(kind, f"{kind} existed only in tf.contrib; Keras 3 has no equivalent cell")
    return as_assessment(cell_info(site, {}, reason))


RULE = Rule(
    code="RNN107",
    name="contrib-cell",
    summary="tf.contrib.rnn-only cell (AttentionCellWrapper, GridLSTMCell, TimeReversedFusedRNN, ...)",
    apis=names_in(CONTRIB_CELL_MODULES, (*SPECIFIC_REASONS, *OTHER_CELLS)),
    kind="cell",
    what="Finds cells and wrappers that only `tf.contrib.rnn` provided: AttentionCellWrapper, "
    "GridLSTMCell, EmbeddingWrapper and the rest (the block cells are RNN111's, LayerNormBasicLSTMCell "
    "and NASCell RNN112's, the projection wrappers RNN105's).",
    why="`tf.contrib` was removed in TF 2.0; these have no Keras 3 class and their weights have "
    "their own layouts.",
    fix="None automatic. Reimplement the cell as a Keras 3 cell (or pick the closest "
    "`rnnmigrate.layers` cell when the math is the same), map its variables by hand, and prove "
    "the port with `rnnmigrate verify`.",
    numerics="Depends on the port.",
    example_before="cell = tf.contrib.rnn.UGRNNCell(128)",
    example_after="# no automatic rewrite",
    assess=assess,
)
