"""The comparison rules on hand-made arrays: tolerance, NaN and inf, valid vs padded steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnmigrate.verify.compare import add_batch, default_tolerance, new_comparison
from rnnmigrate.verify.models import TensorSignature
from rnnmigrate.verify.pairing import TensorPair
from rnnmigrate.verify.samples import step_mask


def _comparison(old_dtype="float32", new_dtype="float32", atol=None, rtol=None):
    pair = TensorPair(TensorSignature("y", old_dtype, (None, None)), TensorSignature("y", new_dtype, (None, None)))
    return new_comparison(pair, atol, rtol)


def test_default_tolerances_follow_the_less_precise_dtype():
    assert (default_tolerance("float32", "float32", None, None).atol, default_tolerance("float32", "float32", None, None).rtol) == (1e-5, 1e-6)
    half = default_tolerance("float32", "float16", None, None)
    assert half.atol > 1e-5 and half.source == "default for float16"
    assert default_tolerance("bfloat16", "float32", None, None).atol > half.atol
    assert default_tolerance("int32", "int32", None, None).atol == 0.0
    override = default_tolerance("float32", "float32", 0.5, None)
    assert (override.atol, override.rtol, override.source) == (0.5, 1e-6, "--atol/--rtol")


def test_identical_arrays_pass_with_no_worst_index():
    comparison = _comparison()
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    add_batch(comparison, values, values.copy(), 0, None)
    assert comparison.passed
    assert comparison.overall.max_abs_diff == 0.0 and comparison.overall.worst_index is None


def test_differences_inside_and_outside_tolerance():
    comparison = _comparison()
    old = np.ones((2, 3), np.float32)
    new = old.copy()
    new[0, 0] += 5e-6
    new[1, 2] += 1e-3
    add_batch(comparison, old, new, 0, None)
    assert not comparison.passed
    assert comparison.overall.out_of_tolerance == 1
    assert comparison.overall.share_out_of_tolerance == pytest.approx(1 / 6)
    assert comparison.overall.worst_index == (1, 2)
    assert comparison.overall.max_abs_diff == pytest.approx(1e-3, rel=1e-3)
    assert comparison.overall.max_rel_diff == pytest.approx(1e-3, rel=1e-3)


def test_nan_against_nan_is_equal_and_counted():
    comparison = _comparison()
    old = np.array([[np.nan, 1.0]], np.float32)
    add_batch(comparison, old, old.copy(), 0, None)
    assert comparison.passed
    assert comparison.overall.nan_both == 1 and comparison.overall.nan_one_side == 0


def test_nan_against_a_number_is_a_mismatch_and_the_worst():
    comparison = _comparison()
    old = np.array([[1.0, 2.0, 3.0]], np.float32)
    new = np.array([[1.5, np.nan, 3.0]], np.float32)
    add_batch(comparison, old, new, 0, None)
    assert not comparison.passed
    assert comparison.overall.nan_one_side == 1
    assert comparison.overall.out_of_tolerance == 2
    assert comparison.overall.worst_index == (0, 1)
    assert math.isnan(comparison.overall.worst_new)
    assert comparison.overall.max_abs_diff == pytest.approx(0.5)


def test_infinities():
    comparison = _comparison()
    old = np.array([[np.inf, -np.inf, np.inf]], np.float32)
    new = np.array([[np.inf, -np.inf, 1.0]], np.float32)
    add_batch(comparison, old, new, 0, None)
    assert comparison.overall.out_of_tolerance == 1
    assert comparison.overall.worst_index == (0, 2)
    assert comparison.overall.max_abs_diff == math.inf and comparison.overall.max_rel_diff == math.inf


def test_valid_and_padded_steps_reported_apart_across_batches():
    comparison = _comparison()
    lengths = np.array([2, 0, 3])
    old = np.zeros((3, 3, 2), np.float32)
    old[0, :2] = 1.0
    old[2] = 1.0
    repeated_last_output = old.copy()
    repeated_last_output[0, 2] = 1.0
    add_batch(comparison, old, old.copy(), 0, step_mask(lengths, 3))
    add_batch(comparison, old, repeated_last_output, 3, step_mask(lengths, 3))
    assert comparison.valid.elements == 2 * 5 * 2 and comparison.padded.elements == 2 * 4 * 2
    assert comparison.valid.out_of_tolerance == 0
    assert comparison.padded.out_of_tolerance == 2
    assert comparison.padded.worst_index == (3, 2, 0)
    assert comparison.old_shape == (6, 3, 2)


def test_shape_mismatch_is_a_failure_without_numbers():
    comparison = _comparison()
    add_batch(comparison, np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32), 0, None)
    assert not comparison.passed
    assert comparison.problems == ["shape (2, 3) vs (2, 4)"]


def test_dtype_kind_mismatch_fails_and_width_mismatch_is_noted():
    kinds = _comparison("float32", "int32")
    add_batch(kinds, np.zeros(3, np.float32), np.zeros(3, np.int32), 0, None)
    assert kinds.problems == ["dtype float32 vs int32"]

    widths = _comparison("float32", "float16")
    add_batch(widths, np.ones(3, np.float32), np.ones(3, np.float16) + np.float16(5e-4), 0, None)
    assert widths.passed
    assert widths.notes and "float16" in widths.notes[0]


def test_integer_outputs_must_be_equal():
    comparison = _comparison("int64", "int64")
    add_batch(comparison, np.array([1, 2, 3]), np.array([1, 2, 4]), 0, None)
    assert comparison.overall.out_of_tolerance == 1


def test_time_major_batches_join_on_axis_1_and_places_read_row_step_unit():
    from rnnmigrate.verify.axes import OutputLayout

    comparison = _comparison()
    comparison.layout = OutputLayout(batch_axis=1, time_axis=0)
    lengths = np.array([3, 1])
    old = np.zeros((3, 2, 2), np.float32)
    new = old.copy()
    new[2, 1, 1] = 0.5
    add_batch(comparison, old, old.copy(), 0, step_mask(lengths, 3))
    add_batch(comparison, old, new, 2, step_mask(lengths, 3))
    assert comparison.old_shape == (3, 4, 2)
    assert comparison.valid.elements == 2 * 4 * 2 and comparison.padded.elements == 2 * 2 * 2
    assert comparison.valid.out_of_tolerance == 0
    assert comparison.padded.worst_index == (3, 2, 1)
