"""Time-major outputs ([time, batch, units], TF1 time_major=True): joined on the rows' axis, the
valid and padded steps split on the right axes, and "worst at" given as (row, step, unit)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnmigrate.verify.steps import read_profile_csv

EMBED, UNITS = 5, 7


def _keras_port(weights, path, *, zero_padding=True, time_major=True):
    """The time-major TF1 model ported by hand: a masked Keras LSTM, its outputs transposed back."""
    import keras

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(weights["embedding"].shape[0], EMBED)
    embedded = embedding(tokens)
    steps = keras.ops.cumsum(keras.ops.ones_like(tokens), axis=1)
    valid = keras.ops.less_equal(steps, keras.ops.expand_dims(lengths, 1))
    lstm = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True)
    outputs, final_h, final_c = lstm(embedded, mask=valid)
    if zero_padding:
        outputs = outputs * keras.ops.expand_dims(keras.ops.cast(valid, outputs.dtype), -1)
    if time_major:
        outputs = keras.ops.transpose(outputs, (1, 0, 2))
    model = keras.Model({"tokens": tokens, "lengths": lengths}, {"outputs": outputs, "final_c": final_c, "final_h": final_h})
    embedding.set_weights([weights["embedding"]])
    i, j, f, o = np.split(weights["rnn/lstm_cell/kernel"], 4, axis=1)
    bi, bj, bf, bo = np.split(weights["rnn/lstm_cell/bias"], 4)
    kernel = np.concatenate([i, f, j, o], axis=1)
    lstm.set_weights([kernel[:EMBED], kernel[EMBED:], np.concatenate([bi, bf + 1.0, bj, bo])])
    model.save(path)
    return path


def _run(run_verify, tmp_path, old, new, *args):
    report = tmp_path / "report.json"
    result = run_verify(old, new, "--json", report, *args)
    document = json.loads(report.read_text()) if report.exists() else None
    return result, document


def _output(document, name):
    return next(output for output in document["outputs"] if output["old"] == name)


def test_time_major_output_is_detected_joined_on_the_rows_and_split_by_steps(run_verify, tmp_path, tf2_control_flow_graphs):
    graphs = tf2_control_flow_graphs
    weights = graphs.weights("time_major")
    new = _keras_port(weights, tmp_path / "port.keras")
    result, document = _run(run_verify, tmp_path, graphs.savedmodel("time_major"), new)
    assert result.exit_code == 0, result.output
    outputs = _output(document, "outputs")
    assert outputs["old_shape"] == [20, 64, UNITS] and outputs["layout"] == "time-major"
    assert "time-major: axis 0 is the 20 time steps, axis 1 the 16 rows (detected from the shape)" in outputs["notes"]
    assert outputs["valid_steps"]["elements"] + outputs["padded_steps"]["elements"] == 20 * 64 * UNITS
    assert outputs["padded_steps"]["elements"] > 0
    assert _output(document, "final_h")["layout"] == "batch-major"


def test_padding_not_zeroed_is_found_on_padded_steps_with_row_step_unit(run_verify, tmp_path, tf1_graphs):
    weights = tf1_graphs.weights("time_major")
    new = _keras_port(weights, tmp_path / "not_zeroed.keras", zero_padding=False)
    outdir = tmp_path / "arrays"
    result, document = _run(run_verify, tmp_path, tf1_graphs.savedmodel("time_major"), new, "--outdir", outdir)
    assert result.exit_code == 1, result.output
    outputs = _output(document, "outputs")
    assert outputs["valid_steps"]["out_of_tolerance"] == 0
    assert outputs["padded_steps"]["out_of_tolerance"] > 0

    lengths = np.load(outdir / "inputs" / "lengths.npy")
    old, new_values = np.load(outdir / "old" / "outputs.npy"), np.load(outdir / "new" / "outputs.npy")
    assert old.shape == (20, 64, UNITS) and lengths.shape == (64,)
    row, step, unit = outputs["padded_steps"]["worst_index"]
    assert step >= lengths[row]
    assert old[step, row, unit] == outputs["padded_steps"]["worst_old"] == 0.0
    assert new_values[step, row, unit] == pytest.approx(outputs["padded_steps"]["worst_new"])
    expected_padded = int((np.arange(20)[:, None] >= lengths[None, :]).sum()) * UNITS
    assert outputs["padded_steps"]["elements"] == expected_padded

    steps = read_profile_csv(outdir / "steps" / "outputs.csv")
    assert steps["valid_elements"] == [int((lengths > step).sum()) * UNITS for step in range(20)]
    assert sum(steps["valid_out_of_tolerance"]) == 0
    assert sum(steps["padded_out_of_tolerance"]) == outputs["padded_steps"]["out_of_tolerance"]


def test_equal_rows_and_steps_are_ambiguous_and_said_so_until_named(run_verify, tmp_path, tf2_control_flow_graphs):
    graphs = tf2_control_flow_graphs
    weights = graphs.weights("time_major")
    new = _keras_port(weights, tmp_path / "port.keras")
    square = ("--batch-size", "20", "--max-len", "20", "--samples", "2")
    result, document = _run(run_verify, tmp_path, graphs.savedmodel("time_major"), new, *square)
    outputs = _output(document, "outputs")
    assert outputs["layout"] == "batch-major"
    assert any("does not tell whether this output is [batch, time, ...] or [time, batch, ...]" in n for n in outputs["notes"])
    assert "--time-major outputs" in result.output

    result, document = _run(run_verify, tmp_path, graphs.savedmodel("time_major"), new, *square, "--time-major", "outputs")
    assert result.exit_code == 0, result.output
    outputs = _output(document, "outputs")
    assert outputs["layout"] == "time-major"
    assert outputs["notes"] == ["time-major (--time-major): axis 0 is time, axis 1 the rows"]


def test_time_major_for_an_output_without_that_layout_or_name(run_verify, tmp_path, tf1_lstm, keras_files):
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--time-major", "final_h")
    assert result.exit_code == 2
    assert "--time-major final_h: its shape on the first batch is (16, 7), not [time, batch, ...] (20, 16, ...)" in result.stderr
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--time-major", "logits")
    assert result.exit_code == 2
    assert "--time-major logits: no such output; outputs are final_c, final_h, outputs" in result.stderr
