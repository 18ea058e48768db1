"""When outputs differ, verify names the first RNN whose outputs differ, by TF1 scope and NEW layer."""

from __future__ import annotations

import json

import numpy as np

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


def test_a_correct_port_computes_no_divergence_and_map_layer_pairs_by_name(run_verify, tmp_path, tf2_control_flow_graphs):
    graphs = tf2_control_flow_graphs
    weights = graphs.weights("encoder_decoder")
    correct = _encoder_decoder_port(weights, tmp_path / "correct.keras", decoder_forget_bias=2.0)
    result, document = _run(run_verify, tmp_path, graphs.savedmodel("encoder_decoder"), correct)
    assert result.exit_code == 0, result.output
    assert document["divergence"] is None

    broken = _encoder_decoder_port(weights, tmp_path / "broken.keras", decoder_forget_bias=1.0)
    result, document = _run(
        run_verify, tmp_path, graphs.savedmodel("encoder_decoder"), broken, "--map-layer", "decoder/rnn=encoder_lstm"
    )
    assert document["divergence"]["first"] == {"old": "decoder/rnn", "new": "encoder_lstm"}
    result, document = _run(
        run_verify, tmp_path, graphs.savedmodel("encoder_decoder"), broken, "--map-layer", "decoder=decoder_lstm"
    )
    assert document["divergence"]["note"].startswith("--map-layer: no OLD scope 'decoder'; OLD has encoder/rnn, decoder/rnn")
    assert "diverges  not located: --map-layer: no OLD scope 'decoder'" in result.output


def _bidirectional_port(weights, path, backward_forget_bias):
    """Keras Bidirectional(LSTM) over the embedding, concatenated, then Dense logits; bw's forget_bias folded as given."""
    import keras

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(weights["embedding"].shape[0], EMBED)
    steps = keras.ops.cumsum(keras.ops.ones_like(tokens), axis=1)
    valid = keras.ops.less_equal(steps, keras.ops.expand_dims(lengths, 1))
    zeros_padding = keras.ops.expand_dims(keras.ops.cast(valid, "float32"), -1)
    tagger = keras.layers.Bidirectional(keras.layers.LSTM(UNITS, return_sequences=True), name="tagger_lstm")
    head = keras.layers.Dense(3, use_bias=False, name="logits")
    features = tagger(embedding(tokens), mask=valid) * zeros_padding
    model = keras.Model({"tokens": tokens, "lengths": lengths}, {"logits": head(features)})
    embedding.set_weights([weights["embedding"]])
    tagger.forward_layer.set_weights(_lstm_weights(weights, "tagger/fw/lstm_cell", EMBED, 1.0))
    tagger.backward_layer.set_weights(_lstm_weights(weights, "tagger/bw/lstm_cell", EMBED, backward_forget_bias))
    head.set_weights([weights["logits/kernel"]])
    model.save(path)
    return path


def test_a_bidirectional_rnn_is_located_by_direction_and_the_lost_backward_forget_bias_named(run_verify, tmp_path, tf1_graphs):
    weights = tf1_graphs.weights("bidirectional")
    old = tf1_graphs.savedmodel("bidirectional")
    correct = _bidirectional_port(weights, tmp_path / "correct.keras", backward_forget_bias=2.0)
    result, document = _run(run_verify, tmp_path, old, correct)
    assert result.exit_code == 0, result.output

    broken = _bidirectional_port(weights, tmp_path / "broken.keras", backward_forget_bias=1.0)
    result, document = _run(run_verify, tmp_path, old, broken)
    assert result.exit_code == 1, result.output
    forward, backward = document["divergence"]["boundaries"]
    assert (forward["old"], forward["new"], forward["diverges"]) == ("tagger/fw", "tagger_lstm/fw", False)
    assert (backward["old"], backward["new"], backward["diverges"]) == ("tagger/bw", "tagger_lstm/bw", True)
    assert forward["max_abs_diff"] <= 1e-5 and backward["out_of_tolerance"] > 0
    assert "first diverges at OLD tagger/bw / NEW tagger_lstm/bw" in result.output.splitlines()[-1]


def test_the_runtime_bidirectional_layer_is_tapped_by_direction(run_verify, tmp_path, tf2_control_flow_graphs):
    import keras

    from rnnmigrate.layers import BidirectionalDynamicRNN, LSTMCell, load_tf1_weights

    graphs = tf2_control_flow_graphs
    weights = graphs.weights("bidirectional")
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(weights["embedding"].shape[0], EMBED)
    # the backward cell keeps TF1's default forget_bias=1.0 where the TF1 model had 2.0
    tagger = BidirectionalDynamicRNN(LSTMCell(UNITS), LSTMCell(UNITS), name="tagger")
    (out_fw, out_bw), _ = tagger(embedding(tokens), sequence_length=lengths)
    head = keras.layers.Dense(3, use_bias=False, name="logits")
    model = keras.Model({"tokens": tokens, "lengths": lengths}, {"logits": head(keras.ops.concatenate([out_fw, out_bw], -1))})
    embedding.set_weights([weights["embedding"]])
    load_tf1_weights(tagger, weights)
    head.set_weights([weights["logits/kernel"]])
    model.save(tmp_path / "runtime.keras")

    result, document = _run(run_verify, tmp_path, graphs.savedmodel("bidirectional"), tmp_path / "runtime.keras")
    assert result.exit_code == 1, result.output
    assert document["divergence"]["note"] is None, document["divergence"]["note"]
    assert [(b["old"], b["new"], b["diverges"]) for b in document["divergence"]["boundaries"]] == [
        ("tagger/fw", "tagger/fw", False),
        ("tagger/bw", "tagger/bw", True),
    ]


def test_an_rnn_whose_signature_serves_only_its_final_state_is_still_located(tf2_control_flow_graphs):
    """The siamese encoders serve only state.h: the signature's pruned graph has no outputs for them."""
    from rnnmigrate.verify.models import ModelSource, load_model

    old = load_model(ModelSource("OLD", str(tf2_control_flow_graphs.savedmodel("siamese"))))
    taps = old.rnn_taps()
    assert taps is not None and len(taps.names) == 2
    assert all(name.startswith("encoder") and name.endswith("/rnn") for name in taps.names), taps.names
