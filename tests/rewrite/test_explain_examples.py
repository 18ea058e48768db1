"""Every `rnnmigrate explain` example is a test: its before text rewrites to its after text."""

from __future__ import annotations

import pytest

from rnnmigrate.rewrite import rewrite_source
from rnnmigrate.rules import RULES
from rnnmigrate.scan import scan_source

PRELUDE = "import tensorflow as tf\n"


def without_imports(text: str) -> str:
    """The example's own lines: the TensorFlow import the test adds and the runtime import the rewrite adds go."""
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(("import tensorflow", "from rnnmigrate.layers import", "import rnnmigrate"))
    )


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.rewrite is not None], ids=lambda rule: rule.code)
def test_a_rewritable_example_rewrites_to_its_after_text(rule):
    # A rule whose fixes can be unsafe shows its fix as `--unsafe-fixes` applies it (RNN106's always are).
    outcome = rewrite_source(PRELUDE + rule.example_before + "\n", unsafe_fixes=bool(rule.unsafe_when))
    assert rule.code in {finding.code for finding in outcome.rewritten}
    assert not outcome.left
    assert without_imports(outcome.text) == rule.example_after + "\n"


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.rewrite is None], ids=lambda rule: rule.code)
def test_a_manual_example_is_found_and_left_as_it_is(rule):
    text = PRELUDE + rule.example_before + "\n"
    verdict = "info" if rule.informational else "manual"
    assert rule.code in {finding.code for finding in scan_source(text) if finding.verdict == verdict}
    assert rewrite_source(text).text == text


RUNS_AS_IS = [rule for rule in RULES if rule.informational and "TF_USE_LEGACY_KERAS" not in rule.example_after]


@pytest.mark.parametrize("rule", RUNS_AS_IS, ids=lambda rule: rule.code)
def test_an_info_example_after_text_no_longer_blocks(rule):
    """The by-hand `after` of an RNN2xx rule is what the finding asks for: no finding of that rule.

    (Not for the rules whose `after` needs tf-keras: the environment is not in the text.)"""
    text = PRELUDE + rule.example_after + "\n"
    assert rule.code not in {finding.code for finding in scan_source(text)}
