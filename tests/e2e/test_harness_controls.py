"""The harness has teeth: a migration that is slightly wrong fails it.

Each control takes the real rewrite of one program, breaks one thing a hand
port typically gets wrong, and checks the harness sees a difference far above
the tolerance. Without these, a harness that compared nothing would pass too.
"""

import re

import harness
import numpy as np
import pytest

CLASSIFIER = harness.PROGRAMS_DIR / "classifier_lstm.py"


def rewritten_classifier():
    from rnnmigrate.rewrite import rewrite_source

    return rewrite_source(CLASSIFIER.read_text(), str(CLASSIFIER)).text


def break_source(source, pattern, replacement):
    broken, count = re.subn(pattern, replacement, source)
    assert count == 1, f"control no longer applies: {pattern!r} matched {count} times in the rewritten source"
    return broken


def test_lengths_cover_zero_one_full_and_a_batch_shorter_than_time():
    module = harness.load_module(CLASSIFIER)
    full, shorter = (case["lengths"] for case in harness.input_cases(module))
    assert {0, 1, module.MAX_TIME} <= set(full.tolist())
    assert shorter.max() < module.MAX_TIME


@pytest.mark.slow
@pytest.mark.parametrize(
    "what, pattern, replacement",
    [
        ("forget_bias left out", r"LSTMCell\(HIDDEN_UNITS\)", "LSTMCell(HIDDEN_UNITS, forget_bias=0.0)"),
        ("sequence_length left out", r",\s*sequence_length=lengths", ""),
    ],
)
def test_a_broken_migration_fails_the_comparison(what, pattern, replacement):
    broken = break_source(rewritten_classifier(), pattern, replacement)
    name, value = harness.worst(harness.compare_program(CLASSIFIER, broken))
    assert value > 100 * harness.TOLERANCE, f"{what}: harness saw only {value:.2e} on {name}"


@pytest.mark.slow
def test_weights_not_loaded_fails_the_comparison():
    module = harness.load_module(CLASSIFIER)
    cases = harness.input_cases(module)
    tf1 = harness.run_tf1(module, cases)
    migrated = harness.load_source(rewritten_classifier(), "classifier_unloaded")
    shuffled = {name: np.random.default_rng(5).permutation(value.ravel()).reshape(value.shape)
                for name, value in tf1.weights.items()}
    keras_outputs = harness.run_keras(migrated, shuffled, cases)
    name, value = harness.worst([harness.max_abs_diffs(a, b) for a, b in zip(tf1.outputs, keras_outputs)])
    assert value > 100 * harness.TOLERANCE
