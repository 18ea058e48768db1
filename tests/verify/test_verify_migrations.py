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


@pytest.mark.parametrize("migration", ["lstm_keras", "gru_keras", "lstm_export"])
def test_rnnmigrate_layers_migrations_pass(run_verify, tmp_path, tf1_lstm, tf1_gru, rnnmigrate_migrations, migration):
    """rnnmigrate's own runtime (DynamicRNN + load_tf1_weights) reproduces dynamic_rnn, padding included."""
    old = tf1_gru if migration.startswith("gru") else tf1_lstm
    result, document = _report(run_verify, tmp_path, old.savedmodel, rnnmigrate_migrations[migration])
    assert result.exit_code == 0, result.output
    outputs = _by_name(document, "outputs")
    assert outputs["padded_steps"]["elements"] > 0 and outputs["padded_steps"]["max_abs_diff"] == 0.0


def test_lstm_migration_exported_as_savedmodel_passes(run_verify, tmp_path, tf1_lstm, keras_exports):
    result, document = _report(run_verify, tmp_path, tf1_lstm.savedmodel, keras_exports["named"].path)
    assert result.exit_code == 0, result.output
    assert document["new"]["kind"] == "SavedModel"


def test_keras_tensor_names_are_paired_with_map(run_verify, tmp_path, tf1_lstm, keras_exports):
    export = keras_exports["positional"]
    tokens, lengths = export.inputs
    maps = [f"tokens={tokens}", f"lengths={lengths}", "outputs=output_0", "final_h=output_1", "final_c=output_2"]
    args = [arg for pair in maps for arg in ("--map", pair)]
    result, document = _report(run_verify, tmp_path, tf1_lstm.savedmodel, export.path, *args)
    assert result.exit_code == 0, result.output
    assert {(p["old"], p["new"]) for p in document["pairs"]["inputs"]} == {("tokens", tokens), ("lengths", lengths)}


def test_tf1_checkpoint_with_meta_graph_passes(run_verify, tmp_path, tf1_lstm, keras_files):
    result, document = _report(
        run_verify,
        tmp_path,
        tf1_lstm.checkpoint,
        keras_files["lstm_correct"],
        "--old-inputs",
        "tokens=tokens:0,lengths=lengths:0",
        "--old-outputs",
        "outputs=outputs:0,final_c=final_c:0,final_h=final_h:0",
    )
    assert result.exit_code == 0, result.output
    assert document["old"]["kind"] == "TF1 checkpoint"


def test_new_as_a_graph_mode_checkpoint_takes_new_inputs_and_outputs(run_verify, tmp_path, tf1_lstm):
    result, document = _report(
        run_verify,
        tmp_path,
        tf1_lstm.savedmodel,
        tf1_lstm.checkpoint,
        "--new-inputs",
        "tokens=tokens:0,lengths=lengths:0",
        "--new-outputs",
        "outputs=outputs:0,final_c=final_c:0,final_h=final_h:0",
    )
    assert result.exit_code == 0, result.output
    assert document["new"]["kind"] == "TF1 checkpoint"


def test_only_unmatched_outputs_are_paired_and_reported(run_verify, tmp_path, tf1_gru, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_gru.savedmodel, keras_files["gru_state_renamed"])
    assert result.exit_code == 0, result.output
    note = "paired the only unmatched outputs: OLD 'final_state' with NEW 'state'"
    assert note in document["notes"]
    assert note in result.output


# --- broken migrations: verify must fail, and say where --------------------------------------


def _regions(document, name):
    output = _by_name(document, name)
    return output["valid_steps"]["out_of_tolerance"], output["padded_steps"]["out_of_tolerance"]


def test_mask_without_zeroed_outputs_fails_on_padded_steps_only(run_verify, tmp_path, tf1_lstm, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_mask_not_zeroed"])
    assert result.exit_code == 1, result.output
    valid_bad, padded_bad = _regions(document, "outputs")
    assert valid_bad == 0 and padded_bad > 0
    assert _by_name(document, "final_h")["result"] == "PASS"
    assert "outputs (padded steps)" in result.output.splitlines()[-1]


def test_missing_mask_fails_on_padded_steps_and_final_state(run_verify, tmp_path, tf1_lstm, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_no_mask"])
    assert result.exit_code == 1, result.output
    valid_bad, padded_bad = _regions(document, "outputs")
    assert valid_bad == 0 and padded_bad > 0
    assert _by_name(document, "final_h")["result"] == "FAIL"
    assert _by_name(document, "final_c")["result"] == "FAIL"


def test_forget_bias_not_folded_fails_on_valid_steps(run_verify, tmp_path, tf1_lstm, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_lstm.savedmodel, keras_files["lstm_forget_bias_missing"])
    assert result.exit_code == 1, result.output
    valid_bad, padded_bad = _regions(document, "outputs")
    assert valid_bad > 0 and padded_bad == 0
    assert _by_name(document, "outputs")["valid_steps"]["max_abs_diff"] > 1e-2


def test_gru_reset_after_fails_on_valid_steps(run_verify, tmp_path, tf1_gru, keras_files):
    result, document = _report(run_verify, tmp_path, tf1_gru.savedmodel, keras_files["gru_reset_after"])
    assert result.exit_code == 1, result.output
    valid_bad, padded_bad = _regions(document, "outputs")
    assert valid_bad > 0 and padded_bad == 0
    assert _by_name(document, "final_state")["result"] == "FAIL"


def test_checkpoint_whose_meta_graph_holds_a_signature_needs_no_tensor_names(run_verify, tmp_path, tf1_lstm, keras_files):
    import shutil

    from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

    checkpoint_dir = tmp_path / "ckpt"
    shutil.copytree(tf1_lstm.checkpoint.parent, checkpoint_dir)
    prefix = checkpoint_dir / tf1_lstm.checkpoint.name
    saved_model = saved_model_pb2.SavedModel()
    saved_model.ParseFromString((tf1_lstm.savedmodel / "saved_model.pb").read_bytes())
    meta_path = prefix.with_name(prefix.name + ".meta")
    meta_graph = meta_graph_pb2.MetaGraphDef()
    meta_graph.ParseFromString(meta_path.read_bytes())
    meta_graph.signature_def["serving_default"].CopyFrom(saved_model.meta_graphs[0].signature_def["serving_default"])
    meta_path.write_bytes(meta_graph.SerializeToString())

    result, document = _report(run_verify, tmp_path, prefix, keras_files["lstm_correct"])
    assert result.exit_code == 0, result.output
    assert sorted(document["old"]["inputs"]) == ["lengths", "tokens"]
