"""`--set` feeds an input only one side has (a TF1 keep_prob); `--skip` leaves out an output only one side has."""

from __future__ import annotations

import numpy as np
import pytest


def test_one_sided_names_are_an_error_that_names_them(run_verify, tf1_with_keep_prob, keep_prob_migration):
    result = run_verify(tf1_with_keep_prob.savedmodel, keep_prob_migration)
    assert result.exit_code == 2
    assert "keep_prob" in result.output and "--map" in result.output


def test_set_and_skip_make_the_pair_comparable(run_verify, tf1_with_keep_prob, keep_prob_migration):
    result = run_verify(tf1_with_keep_prob.savedmodel, keep_prob_migration, "--set", "keep_prob=1.0", "--skip", "embedded")
    assert result.exit_code == 0, result.output
    assert "input 'keep_prob' (OLD) fed a fixed value" in result.output
    assert "skipped output 'embedded' (OLD)" in result.output
    assert "PASS" in result.output


def test_the_fixed_value_really_reaches_the_model(run_verify, tf1_with_keep_prob, keep_prob_migration):
    """TF1 applies dropout whenever keep_prob < 1: the outputs then differ from the migration."""
    result = run_verify(tf1_with_keep_prob.savedmodel, keep_prob_migration, "--set", "keep_prob=0.5", "--skip", "embedded")
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output


@pytest.mark.parametrize(
    "options, message",
    [
        (["--skip", "keep_prob", "--skip", "embedded"], "'keep_prob' is an input; feed it a fixed value with --set"),
        (["--set", "dropout=1.0", "--skip", "embedded"], "has an input 'dropout'"),
        (["--set", "keep_prob=1.0", "--skip", "logits"], "has an output 'logits'"),
        (["--set", "keep_prob=high", "--skip", "embedded"], "keep_prob=high: not a number"),
        (["--set", "keep_prob", "--skip", "embedded"], "--set: expected name=value"),
    ],
)
def test_bad_set_and_skip_are_one_line_errors(run_verify, tf1_with_keep_prob, keep_prob_migration, options, message):
    result = run_verify(tf1_with_keep_prob.savedmodel, keep_prob_migration, *options)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_constant_fills_the_batch_axis(tmp_path):
    from rnnmigrate.verify.models import LoadedModel, TensorSignature
    from rnnmigrate.verify.pipeline import constant_input

    model = LoadedModel("OLD", "m", "kind", "entry", {}, {}, run=lambda feed: {})
    scalar = constant_input(model, TensorSignature("keep_prob", "float32", ()), "0.5", rows=3)
    per_row = constant_input(model, TensorSignature("flags", "int32", (None, 2)), "1", rows=3)
    assert scalar.shape == () and scalar.dtype == np.float32 and float(scalar) == 0.5
    assert per_row.shape == (3, 2) and per_row.dtype == np.int32 and (per_row == 1).all()
