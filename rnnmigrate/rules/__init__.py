"""The rule registry. Each legacy API pattern lives in its own module beside this one."""

from __future__ import annotations

from rnnmigrate.rules import (
    bidirectional_dynamic_rnn,
    block_cells,
    cell_wrappers,
    contrib_cells,
    contrib_math_cells,
    contrib_modules,
    contrib_seq2seq_crf,
    core_cells,
    cudnn,
    custom_cells,
    dropout_wrapper,
    dynamic_rnn,
    keras_cells,
    keras2_only,
    keras_cudnn_layers,
    lstm_state_tuple,
    multi_rnn_cell,
    raw_rnn,
    removed_apis,
    seq2seq,
    stack_bidirectional_rnn,
    state_saving_rnn,
    static_bidirectional_rnn,
    static_rnn,
    tf1_only_names,
    tf_layers,
)
from rnnmigrate.rules.base import Rule, normalize

RULES: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        dynamic_rnn,
        bidirectional_dynamic_rnn,
        static_rnn,
        static_bidirectional_rnn,
        state_saving_rnn,
        raw_rnn,
        stack_bidirectional_rnn,
        seq2seq,
        core_cells,
        multi_rnn_cell,
        dropout_wrapper,
        lstm_state_tuple,
        cell_wrappers,
        custom_cells,
        contrib_cells,
        block_cells,
        contrib_math_cells,
        cudnn,
        keras_cudnn_layers,
        keras_cells,
        # RNN2xx: informational, what else keeps a file from running on TF 2.21 (rnnmigrate.blockers)
        tf1_only_names,
        tf_layers,
        keras2_only,
        contrib_modules,
        contrib_seq2seq_crf,
        removed_apis,
    )
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_RULES_BY_API: dict[str, Rule] = {api: rule for rule in RULES for api in rule.apis}


def rule_for(qualified: str) -> Rule | None:
    """The rule that owns a fully qualified TF name, if any."""
    return _RULES_BY_API.get(normalize(qualified))


_API_PREFIXES: frozenset[str] = frozenset(
    ".".join(api.split(".")[:length]) for api in _RULES_BY_API for length in range(1, api.count(".") + 2)
)


def known_name(qualified: str) -> bool:
    """Whether a TF name is a rule's API or a module on the way to one (what a star import may bring)."""
    return normalize(qualified) in _API_PREFIXES


def known_codes() -> frozenset[str]:
    return frozenset(RULES_BY_CODE)
