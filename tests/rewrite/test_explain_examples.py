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
    outcome = rewrite_source(PRELUDE + rule.example_before + "\n")
    assert rule.code in {finding.code for finding in outcome.rewritten}
    assert not outcome.left
    assert without_imports(outcome.text) == rule.example_after + "\n"


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.rewrite is None], ids=lambda rule: rule.code)
def test_a_manual_example_is_found_and_left_as_it_is(rule):
    text = PRELUDE + rule.example_before + "\n"
    assert rule.code in {finding.code for finding in scan_source(text) if finding.verdict == "manual"}
    assert rewrite_source(text).text == text
