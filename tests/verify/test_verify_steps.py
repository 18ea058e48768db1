"""--outdir writes each output's difference per time step (steps/NAME.csv) and draws it (steps/NAME.png):
a lost forget_bias grows step by step over the valid steps, a mask that is not applied jumps at the
padded steps. The tests read the CSV, never the pixels."""

from __future__ import annotations

import json
import sys

import numpy as np

from rnnmigrate.verify.steps import read_profile_csv

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _verify_with_outdir(run_verify, tmp_path, old, new):
    outdir, report = tmp_path / "out", tmp_path / "report.json"
    result = run_verify(old, new, "--outdir", outdir, "--json", report)
    return result, json.loads(report.read_text()), outdir


def test_a_lost_forget_bias_grows_step_by_step_over_the_valid_steps(run_verify, tmp_path, tf1_lstm, keras_files):
    result, document, outdir = _verify_with_outdir(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_forget_bias_missing"])
    assert result.exit_code == 1, result.output
    steps = read_profile_csv(outdir / "steps" / "outputs.csv")
    atol = steps["atol"][0]
    mean = steps["valid_mean_abs"]
    # step 0 starts from a zero cell state: the forget gate has nothing to forget yet
    assert steps["valid_max_abs"][0] <= atol and steps["valid_out_of_tolerance"][0] == 0
    assert all(later > earlier for earlier, later in zip(mean[:8], mean[1:8])), mean[:8]
    assert np.mean(mean[10:]) > 3 * mean[1] > 3 * atol
    assert all(value == 0 for value in steps["padded_max_abs"] if value is not None)
    assert document["steps"]["pictures"] == [str(outdir / "steps" / "outputs.png")]
    assert (outdir / "steps" / "outputs.png").read_bytes().startswith(PNG_SIGNATURE)


def test_a_mask_that_is_not_applied_jumps_at_the_padded_steps(run_verify, tmp_path, tf1_lstm, keras_files):
    result, _, outdir = _verify_with_outdir(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_mask_not_zeroed"])
    assert result.exit_code == 1, result.output
    steps = read_profile_csv(outdir / "steps" / "outputs.csv")
    atol = steps["atol"][0]
    assert all(value <= atol for value in steps["valid_max_abs"])
    assert sum(steps["valid_out_of_tolerance"]) == 0
    # from step 1 on, padded rows repeat their last output where TF1 has zeros (rows of length 0 stay 0)
    padded = [(step, value) for step, value in enumerate(steps["padded_max_abs"]) if step > 0 and value is not None]
    assert len(padded) == len(steps["step"]) - 1
    assert all(value > 1000 * atol for _, value in padded), padded


def test_the_step_data_is_what_the_saved_arrays_give_and_only_outputs_with_a_time_axis_get_it(
    run_verify, tmp_path, tf1_lstm, keras_files
):
    result, document, outdir = _verify_with_outdir(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_mask_not_zeroed"])
    assert sorted(p.name for p in (outdir / "steps").iterdir()) == ["outputs.csv", "outputs.png"]
    assert f"pictures {outdir / 'steps' / 'outputs.png'} (the data beside each as .csv)" in result.output
    old, new = np.load(outdir / "old" / "outputs.npy"), np.load(outdir / "new" / "outputs.npy")
    lengths = np.load(outdir / "inputs" / "lengths.npy")
    diff = np.abs(new.astype(np.float64) - old.astype(np.float64))
    valid = np.arange(old.shape[1])[None, :] < lengths[:, None]
    steps = read_profile_csv(outdir / "steps" / "outputs.csv")
    for step in range(old.shape[1]):
        for region, rows in (("valid", valid[:, step]), ("padded", ~valid[:, step])):
            assert steps[f"{region}_elements"][step] == rows.sum() * old.shape[2]
            if rows.any():
                assert steps[f"{region}_max_abs"][step] == diff[rows, step].max()
                assert np.isclose(steps[f"{region}_mean_abs"][step], diff[rows, step].mean())
    padded_out = document["outputs"][[o["old"] for o in document["outputs"]].index("outputs")]["padded_steps"]
    assert sum(steps["padded_out_of_tolerance"]) == padded_out["out_of_tolerance"]


def test_without_matplotlib_the_data_and_arrays_are_written_and_one_line_says_how_to_draw(
    run_verify, tmp_path, tf1_lstm, keras_files, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result, document, outdir = _verify_with_outdir(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_correct"])
    assert result.exit_code == 0, result.output
    assert (outdir / "steps" / "outputs.csv").is_file() and (outdir / "old" / "outputs.npy").is_file()
    assert not list(outdir.rglob("*.png"))
    lines = [line for line in result.output.splitlines() if "matplotlib" in line]
    assert lines == [
        f'pictures not drawn: matplotlib is not installed (pip install "rnnmigrate[plot]"); '
        f"the per-step data is in {outdir / 'steps'}/*.csv"
    ]
    assert document["steps"]["pictures"] == [] and document["steps"]["data"] == [str(outdir / "steps" / "outputs.csv")]
