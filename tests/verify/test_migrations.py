"""verify on a TF1 model against correct and deliberately broken Keras 3 migrations."""

from __future__ import annotations

import json

import pytest


def _report(run_verify, tmp_path, old, new, *extra):
    report_path = tmp_path / "report.json"
    result = run_verify(old, new, "--json", report_path, *extra)
    document = json.loads(report_path.read_text()) if report_path.exists() else None
    return result, document


def _by_name(document, name):
    return next(output for output in document["outputs"] if output["old"] == name)


def test_correct_lstm_migration_passes(run_verify, tmp_path, tf1_lstm, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_correct"])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output.splitlines()[-1]
    assert document["verdict"] == "PASS"
    assert {o["old"] for o in document["outputs"]} == {"outputs", "final_c", "final_h"}
    outputs = _by_name(document, "outputs")
    assert outputs["padded_steps"]["elements"] > 0
    assert outputs["valid_steps"]["max_abs_diff"] < 1e-5
    assert outputs["padded_steps"]["max_abs_diff"] == 0.0


def test_correct_gru_migration_passes(run_verify, tmp_path, tf1_gru, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_gru.savedmodel, keras_files["gru_correct"])
    assert result.exit_code == 0, result.output
    assert document["verdict"] == "PASS"
