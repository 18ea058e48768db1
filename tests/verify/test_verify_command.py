"""The command as users meet it: options, real-data inputs, saved arrays, plain output, light import."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np


def test_help_documents_the_options(run_verify):
    result = run_verify("--help")
    assert result.exit_code == 0
    for option in (
        "--old-tag-set", "--new-tag-set", "--old-signature-def", "--new-signature-def",
        "--old-inputs", "--old-outputs", "--map", "--inputs", "--samples", "--batch-size",
        "--max-len", "--min-len", "--seed", "--lengths", "--vocab-size", "--atol", "--rtol",
        "--json", "--outdir", "--unsafe",
    ):
        assert option in result.output, option


def _help_texts():
    """Each parameter's help as click holds it, keyed by its option (or argument) name."""
    import typer

    from rnnmigrate.verify.command import verify_command

    app = typer.Typer()
    app.command()(verify_command)
    command = typer.main.get_command(app)
    return {(param.opts[0] if param.opts[0].startswith("--") else param.name.upper()): param.help for param in command.params}


def test_help_of_the_tensor_lists_says_which_side_is_a_checkpoint():
    texts = _help_texts()
    for side in ("old", "new"):
        for which in ("inputs", "outputs"):
            assert texts[f"--{side}-{which}"] == f"{side.upper()} as a checkpoint prefix: its {which} as name=tensor:0,..."
    assert "checkpoint prefix with its .meta graph" in texts["NEW"]


def test_report_is_plain_text_when_not_a_terminal(run_verify, tf1_lstm, keras_files):
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"])
    assert result.exit_code == 0
    assert "\x1b[" not in result.output
    assert "padded steps" in result.output
    assert result.output.splitlines()[-1] == "PASS: 3 outputs agree within tolerance on 64 rows in 4 batches"


def test_sample_options_shape_the_run(run_verify, tf1_lstm, keras_files, tmp_path):
    report = tmp_path / "report.json"
    result = run_verify(
        tf1_lstm.savedmodel, keras_files["lstm_correct"],
        "--samples", "3", "--batch-size", "5", "--max-len", "9", "--min-len", "1", "--seed", "11",
        "--json", report,
    )
    assert result.exit_code == 0, result.output
    document = json.loads(report.read_text())
    assert document["samples"]["rows"] == 15 and document["samples"]["batches"] == 3
    outputs = next(o for o in document["outputs"] if o["old"] == "outputs")
    assert outputs["old_shape"] == [15, 9, 7]


def test_tolerance_options_turn_a_small_error_into_a_pass(run_verify, tf1_lstm, keras_files):
    strict = run_verify(tf1_lstm.savedmodel, keras_files["lstm_forget_bias_missing"])
    loose = run_verify(tf1_lstm.savedmodel, keras_files["lstm_forget_bias_missing"], "--atol", "10")
    assert strict.exit_code == 1 and loose.exit_code == 0


def test_outdir_saves_inputs_and_outputs_that_replay_with_inputs(run_verify, tf1_lstm, keras_files, tmp_path):
    outdir = tmp_path / "arrays"
    first = run_verify(tf1_lstm.savedmodel, keras_files["lstm_mask_not_zeroed"], "--outdir", outdir, "--json", tmp_path / "a.json")
    assert first.exit_code == 1
    saved = {path.relative_to(outdir).as_posix() for path in outdir.rglob("*.npy")}
    assert saved == {
        "inputs/tokens.npy", "inputs/lengths.npy",
        "old/outputs.npy", "old/final_c.npy", "old/final_h.npy",
        "new/outputs.npy", "new/final_c.npy", "new/final_h.npy",
    }
    old_outputs, new_outputs = np.load(outdir / "old/outputs.npy"), np.load(outdir / "new/outputs.npy")
    assert old_outputs.shape == (64, 20, 7)
    assert np.abs(old_outputs - new_outputs).max() > 0.1

    replay = run_verify(
        tf1_lstm.savedmodel, keras_files["lstm_mask_not_zeroed"],
        "--inputs", f"tokens={outdir / 'inputs/tokens.npy'}",
        "--inputs", f"lengths={outdir / 'inputs/lengths.npy'}",
        "--json", tmp_path / "b.json",
    )
    assert replay.exit_code == 1
    first_doc = json.loads((tmp_path / "a.json").read_text())
    replay_doc = json.loads((tmp_path / "b.json").read_text())
    assert replay_doc["samples"]["source"].startswith("--inputs: 64 rows")
    assert [o["all"] for o in replay_doc["outputs"]] == [o["all"] for o in first_doc["outputs"]]
    assert [o["padded_steps"] for o in replay_doc["outputs"]] == [o["padded_steps"] for o in first_doc["outputs"]]


def test_inputs_from_npz_with_variable_names(run_verify, tf1_lstm, keras_files, tmp_path):
    data = tmp_path / "batch.npz"
    np.savez(data, ids=np.array([[3, 4, 5, 6], [7, 8, 0, 0]], np.int64), lens=np.array([4, 2], np.int64))
    result = run_verify(
        tf1_lstm.savedmodel, keras_files["lstm_correct"], "--inputs", f"tokens={data}[ids];lengths={data}[lens]"
    )
    assert result.exit_code == 0, result.output
    assert "--inputs: 2 rows in 1 batches" in result.output


def test_importing_the_command_loads_neither_tensorflow_nor_numpy():
    code = (
        "import sys, rnnmigrate.verify, rnnmigrate.verify.command, rnnmigrate.verify.__main__;"
        "print(sorted(m for m in ('tensorflow', 'numpy', 'keras') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_module_entry_point_exit_codes(tf1_lstm, keras_files, tmp_path):
    """``python -m rnnmigrate.verify`` in a fresh process: no legacy Keras, no TF log noise."""
    command = [sys.executable, "-m", "rnnmigrate.verify", str(tf1_lstm.savedmodel)]
    env_free = {"TF_USE_LEGACY_KERAS": "0"}
    import os

    env = {**os.environ, **env_free}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    passing = subprocess.run(command + [str(keras_files["lstm_correct"])], capture_output=True, text=True, env=env)
    assert passing.returncode == 0, passing.stderr
    assert passing.stderr == ""
    missing = subprocess.run(command + [str(tmp_path / "none.keras")], capture_output=True, text=True, env=env)
    assert missing.returncode == 2
    assert missing.stderr == f"error: {tmp_path / 'none.keras'}: no such file or directory\n"


def _sqrt_model(path, absolute: bool):
    import keras

    features = keras.Input((None, 3), name="features")
    root = keras.ops.sqrt(keras.ops.abs(features) if absolute else features)
    keras.Model({"features": features}, {"root": root, "both_nan": keras.ops.sqrt(features)}).save(path)
    return path


def test_nan_on_one_side_fails_and_nan_on_both_is_equal(run_verify, tmp_path):
    old = _sqrt_model(tmp_path / "old.keras", absolute=False)
    new = _sqrt_model(tmp_path / "new.keras", absolute=True)
    report = tmp_path / "report.json"
    result = run_verify(old, new, "--json", report)
    assert result.exit_code == 1, result.output
    document = json.loads(report.read_text())
    outputs = {o["old"]: o for o in document["outputs"]}
    assert outputs["root"]["result"] == "FAIL" and outputs["root"]["all"]["nan_one_side"] > 0
    assert outputs["both_nan"]["result"] == "PASS" and outputs["both_nan"]["all"]["nan_both"] > 0
    assert "root: NaN on both sides at 0 elements (equal), on one side only at" in result.output
    assert "both_nan: NaN on both sides at" in result.output
    assert "padding is not exercised" in result.output
    assert outputs["root"]["valid_steps"] is None
