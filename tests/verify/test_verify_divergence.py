"""When outputs differ, verify names the first RNN whose outputs differ, by TF1 scope and NEW layer."""

from __future__ import annotations

import json

import numpy as np
import pytest

EMBED, UNITS = 5, 7


def _lstm_weights(weights, prefix, depth, forget_bias):
    i, j, f, o = np.split(weights[f"{prefix}/kernel"], 4, axis=1)
    bi, bj, bf, bo = np.split(weights[f"{prefix}/bias"], 4)
    kernel = np.concatenate([i, f, j, o], axis=1)
    return [kernel[:depth], kernel[depth:], np.concatenate([bi, bf + forget_bias, bj, bo])]


def _encoder_decoder_port(weights, path, decoder_forget_bias):
    """encoder LSTM -> decoder LSTM -> Dense logits; the decoder's forget_bias folded as given."""
    import keras

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(weights["embedding"].shape[0], EMBED)
    steps = keras.ops.cumsum(keras.ops.ones_like(tokens), axis=1)
    valid = keras.ops.less_equal(steps, keras.ops.expand_dims(lengths, 1))
    zeros_padding = keras.ops.expand_dims(keras.ops.cast(valid, "float32"), -1)
    encoder = keras.layers.LSTM(UNITS, return_sequences=True, name="encoder_lstm")
    decoder = keras.layers.LSTM(UNITS, return_sequences=True, name="decoder_lstm")
    head = keras.layers.Dense(3, use_bias=False, name="logits")
    encoded = encoder(embedding(tokens), mask=valid) * zeros_padding
    decoded = decoder(encoded, mask=valid) * zeros_padding
    model = keras.Model({"tokens": tokens, "lengths": lengths}, {"logits": head(decoded)})
    embedding.set_weights([weights["embedding"]])
    encoder.set_weights(_lstm_weights(weights, "encoder/rnn/lstm_cell", EMBED, 1.0))
    decoder.set_weights(_lstm_weights(weights, "decoder/rnn/lstm_cell", UNITS, decoder_forget_bias))
    head.set_weights([weights["logits/kernel"]])
    model.save(path)
    return path


def _run(run_verify, tmp_path, old, new, *args):
    report = tmp_path / "report.json"
    result = run_verify(old, new, "--json", report, *args)
    return result, json.loads(report.read_text())


def test_a_decoder_that_lost_its_forget_bias_is_named_behind_a_correct_encoder(run_verify, tmp_path, tf1_graphs):
    weights = tf1_graphs.weights("encoder_decoder")
    broken = _encoder_decoder_port(weights, tmp_path / "broken.keras", decoder_forget_bias=1.0)
    result, document = _run(run_verify, tmp_path, tf1_graphs.savedmodel("encoder_decoder"), broken)
    assert result.exit_code == 1, result.output
    divergence = document["divergence"]
    assert divergence["first"] == {"old": "decoder/rnn", "new": "decoder_lstm"}
    encoder, decoder = divergence["boundaries"]
    assert (encoder["old"], encoder["new"], encoder["diverges"]) == ("encoder/rnn", "encoder_lstm", False)
    assert decoder["diverges"] and decoder["out_of_tolerance"] > 0
    assert "first diverges at OLD decoder/rnn / NEW decoder_lstm" in result.output.splitlines()[-1]


def test_a_correct_port_computes_no_divergence_and_map_layer_pairs_by_name(run_verify, tmp_path, tf1_graphs):
    if tf1_graphs.control_flow == "v1":
        pytest.skip("pairing does not depend on the control flow; once is enough")
    weights = tf1_graphs.weights("encoder_decoder")
    correct = _encoder_decoder_port(weights, tmp_path / "correct.keras", decoder_forget_bias=2.0)
    result, document = _run(run_verify, tmp_path, tf1_graphs.savedmodel("encoder_decoder"), correct)
    assert result.exit_code == 0, result.output
    assert document["divergence"] is None

    broken = _encoder_decoder_port(weights, tmp_path / "broken.keras", decoder_forget_bias=1.0)
    result, document = _run(
        run_verify, tmp_path, tf1_graphs.savedmodel("encoder_decoder"), broken, "--map-layer", "decoder/rnn=encoder_lstm"
    )
    assert document["divergence"]["first"] == {"old": "decoder/rnn", "new": "encoder_lstm"}
    result, document = _run(
        run_verify, tmp_path, tf1_graphs.savedmodel("encoder_decoder"), broken, "--map-layer", "decoder=decoder_lstm"
    )
    assert document["divergence"]["note"].startswith("--map-layer: no OLD scope 'decoder'; OLD has encoder/rnn, decoder/rnn")
    assert "diverges  not located: --map-layer: no OLD scope 'decoder'" in result.output
