"""Weights as well as outputs: a port that unties a shared LSTM computes the same outputs but
holds each OLD variable twice; verify fails it, or warns under --inference-only."""

from __future__ import annotations

import json

import numpy as np

from rnnmigrate.verify.weights import Parameter, compare_weights

EMBED, UNITS = 5, 7
SHARED = ["encoder/rnn/lstm_cell/kernel", "encoder/rnn/lstm_cell/bias"]


def _lstm_weights(weights, prefix, forget_bias=1.0):
    i, j, f, o = np.split(weights[f"{prefix}/kernel"], 4, axis=1)
    bi, bj, bf, bo = np.split(weights[f"{prefix}/bias"], 4)
    kernel = np.concatenate([i, f, j, o], axis=1)
    return [kernel[:EMBED], kernel[EMBED:], np.concatenate([bi, bf + forget_bias, bj, bo])]


def _siamese_port(weights, path, *, tied):
    """Keras 3 siamese encoder: one LSTM called on both sides (tied) or two LSTMs with the same values."""
    import keras

    embedding = keras.layers.Embedding(weights["embedding"].shape[0], EMBED, name="embedding")
    lstms = [keras.layers.LSTM(UNITS, return_state=True, name="lstm_a")]
    lstms.append(lstms[0] if tied else keras.layers.LSTM(UNITS, return_state=True, name="lstm_b"))
    lengths = keras.Input((), dtype="int32", name="lengths")
    inputs, finals = {"lengths": lengths}, []
    for side, lstm in zip("ab", lstms):
        tokens = keras.Input((None,), dtype="int32", name=f"tokens_{side}")
        inputs[f"tokens_{side}"] = tokens
        steps = keras.ops.cumsum(keras.ops.ones_like(tokens), axis=1)
        valid = keras.ops.less_equal(steps, keras.ops.expand_dims(lengths, 1))
        finals.append(lstm(embedding(tokens), mask=valid)[1])
    similarity = keras.ops.sum(finals[0] * finals[1], axis=1)
    model = keras.Model(inputs, {"final_a": finals[0], "final_b": finals[1], "similarity": similarity})
    embedding.set_weights([weights["embedding"]])
    for lstm in dict.fromkeys(lstms):
        lstm.set_weights(_lstm_weights(weights, "encoder/rnn/lstm_cell"))
    model.save(path)
    return path


def _run(run_verify, tmp_path, old, new, *args):
    report = tmp_path / "report.json"
    result = run_verify(old, new, "--json", report, *args)
    return result, json.loads(report.read_text())


def test_untied_siamese_port_fails_on_the_weights_naming_them(run_verify, tmp_path, tf1_graphs):
    new = _siamese_port(tf1_graphs.weights("siamese"), tmp_path / "untied.keras", tied=False)
    result, document = _run(run_verify, tmp_path, tf1_graphs.savedmodel("siamese"), new)
    assert result.exit_code == 1, result.output
    assert all(output["result"] == "PASS" for output in document["outputs"])
    weights = document["weights"]
    assert weights["result"] == "FAIL"
    assert weights["old_parameters"] == 30 * EMBED + (EMBED + UNITS) * 4 * UNITS + 4 * UNITS
    assert weights["new_parameters"] == 30 * EMBED + 2 * ((EMBED + UNITS) * 4 * UNITS + 4 * UNITS)
    for name in SHARED:
        problem = next(p for p in weights["problems"] if p.startswith(f"OLD {name} is held 2 times"))
        assert "lstm_a/" in problem and "lstm_b/" in problem
    assert any(p.startswith(f"NEW has {weights['new_parameters']} trainable parameters, OLD") for p in weights["problems"])
    assert result.output.splitlines()[-1] == (
        "FAIL: 3 outputs agree within tolerance on 64 rows in 4 batches; weights: "
        f"{', '.join(SHARED)} held 2 times in NEW; NEW has {weights['new_parameters']} trainable parameters, "
        f"OLD {weights['old_parameters']}"
    )


def test_untied_siamese_port_passes_with_a_warning_when_inference_only(run_verify, tmp_path, tf2_control_flow_graphs):
    graphs = tf2_control_flow_graphs
    new = _siamese_port(graphs.weights("siamese"), tmp_path / "untied.keras", tied=False)
    result, document = _run(run_verify, tmp_path, graphs.savedmodel("siamese"), new, "--inference-only")
    assert result.exit_code == 0, result.output
    weights = document["weights"]
    assert weights["result"] == "WARN" and weights["problems"] == []
    for name in SHARED:
        assert any(w.startswith(f"OLD {name} is held 2 times") and "--inference-only" in w for w in weights["warnings"])
    assert "weights warning: OLD encoder/rnn/lstm_cell/kernel is held 2 times" in result.output


def test_tied_siamese_port_maps_every_trainable_variable_once(run_verify, tmp_path, tf1_graphs):
    new = _siamese_port(tf1_graphs.weights("siamese"), tmp_path / "tied.keras", tied=True)
    result, document = _run(run_verify, tmp_path, tf1_graphs.savedmodel("siamese"), new)
    assert result.exit_code == 0, result.output
    weights = document["weights"]
    assert weights["result"] == "PASS"
    assert [m["old"] for m in weights["mapping"]] == ["embedding", *SHARED]
    assert all(m["mapped"] for m in weights["mapping"])
    kernel = weights["mapping"][1]
    assert kernel["new"] == ["lstm_a/lstm_cell/kernel", "lstm_a/lstm_cell/recurrent_kernel"]
    assert kernel["how"] == "by value, gate blocks reordered"
    assert "+1 folded into a bias block" in weights["mapping"][2]["how"]


def test_runtime_migration_maps_every_old_variable_by_name(run_verify, tmp_path, tf1_lstm, tf1_gru, rnnmigrate_migrations):
    for reference, key in ((tf1_lstm, "lstm_keras"), (tf1_gru, "gru_keras")):
        result, document = _run(run_verify, tmp_path, reference.savedmodel, rnnmigrate_migrations[key])
        assert result.exit_code == 0, result.output
        weights = document["weights"]
        assert weights["result"] == "PASS" and weights["old_parameters"] == weights["new_parameters"]
        expected = {name for name in reference.weights if name != "embedding"}
        by_name = {m["old"] for m in weights["mapping"] if m["how"] == "by name" and m["new"] == [m["old"]]}
        assert by_name == expected
        assert all(m["mapped"] for m in weights["mapping"])


def test_hand_ported_gru_and_a_checkpoint_old_map_by_value(run_verify, tmp_path, tf1_gru, tf1_lstm, keras_files):
    result, document = _run(run_verify, tmp_path, tf1_gru.savedmodel, keras_files["gru_correct"])
    assert result.exit_code == 0, result.output
    mapping = {m["old"]: m for m in document["weights"]["mapping"]}
    assert mapping["rnn/gru_cell/gates/kernel"]["new"] == ["gru/gru_cell/kernel", "gru/gru_cell/recurrent_kernel"]
    assert mapping["rnn/gru_cell/candidate/bias"]["new"] == ["gru/gru_cell/bias"]
    assert all(m["mapped"] for m in mapping.values())

    result, document = _run(
        run_verify, tmp_path, tf1_lstm.checkpoint, keras_files["lstm_correct"],
        "--old-inputs", "tokens=tokens:0,lengths=lengths:0",
        "--old-outputs", "outputs=outputs:0,final_c=final_c:0,final_h=final_h:0",
    )
    assert result.exit_code == 0, result.output
    assert document["weights"]["result"] == "PASS"
    assert {m["old"] for m in document["weights"]["mapping"]} == set(tf1_lstm.weights)


def test_extra_new_parameters_fail_naming_the_weights_that_hold_no_old_values():
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((4, 3)).astype(np.float32)
    old = [Parameter("dense/kernel", kernel)]
    new = [Parameter("head/kernel", kernel.copy()), Parameter("extra/bias", rng.standard_normal(3).astype(np.float32))]
    result = compare_weights(old, new)
    assert not result.passed
    assert result.problems == ["NEW has 15 trainable parameters, OLD 12; NEW weights holding no OLD values: extra/bias"]
    assert compare_weights(old, new, inference_only=True).passed


def test_constant_blocks_prove_nothing_and_missing_values_are_a_warning():
    old = [Parameter("rnn/bias", np.zeros(8, np.float32))]
    new = [Parameter("a/bias", np.zeros(8, np.float32)), Parameter("b/bias", np.zeros(8, np.float32))]
    result = compare_weights(old, new)
    assert result.mappings[0].copies == 0
    assert result.problems == ["NEW has 16 trainable parameters, OLD 8; NEW weights holding no OLD values: a/bias, b/bias"]
    assert result.warnings[0].startswith("OLD rnn/bias: not found in NEW")
