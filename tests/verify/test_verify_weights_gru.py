"""A Keras GRU(reset_after=True) bias is [2, 3u], an input row over a recurrent row. TF1's GRUCell
has no such layout (it resets before the candidate's matmul); tf.contrib.cudnn_rnn's
CudnnCompatibleGRUCell does, and so does TF 1.x Keras's CuDNNGRU ([6u]). tf.contrib is gone from
TensorFlow 2, so the cell is rebuilt here from its TF 1.15 source: same variables, same math."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnmigrate.verify.weights import Parameter, compare_weights

VOCAB, EMBED, UNITS = 30, 5, 7


@pytest.fixture(scope="module")
def tf1_cudnn_gru(tmp_path_factory):
    """embedding -> dynamic_rnn(CudnnCompatibleGRUCell) with lengths, random weights: (SavedModel, values)."""
    import tensorflow as tf
    from tf1_cudnn_cells import CudnnCompatibleGRUCell

    v1 = tf.compat.v1
    directory = tmp_path_factory.mktemp("tf1_cudnn_gru")
    graph = tf.Graph()
    with graph.as_default():
        tokens = v1.placeholder(tf.int32, [None, None], name="tokens")
        lengths = v1.placeholder(tf.int32, [None], name="lengths")
        embedded = tf.nn.embedding_lookup(v1.get_variable("embedding", [VOCAB, EMBED]), tokens)
        cell = CudnnCompatibleGRUCell(UNITS)
        outputs, state = v1.nn.dynamic_rnn(cell, embedded, sequence_length=lengths, dtype=tf.float32)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            rng = np.random.default_rng(3)
            weights = {}
            for variable in v1.global_variables():
                value = (0.5 * rng.standard_normal(variable.shape.as_list())).astype(np.float32)
                variable.load(value, session)
                weights[variable.op.name] = value
            savedmodel = directory / "savedmodel"
            v1.saved_model.simple_save(
                session, str(savedmodel), {"tokens": tokens, "lengths": lengths}, {"outputs": outputs, "final_state": state}
            )
    return savedmodel, weights


def _keras_reset_after_weights(weights: dict[str, np.ndarray], prefix: str) -> list[np.ndarray]:
    """Keras gates are z, r, h; TF's gates kernel is r, u (u is Keras's z); the gate biases go in the
    input row, the recurrent row holds only the candidate's hidden_projection bias."""
    gates, gates_bias = weights[f"{prefix}/gates/kernel"], weights[f"{prefix}/gates/bias"]
    reset, update = np.split(gates, 2, axis=1)
    reset_bias, update_bias = np.split(gates_bias, 2)
    kernel = np.concatenate([update[:EMBED], reset[:EMBED], weights[f"{prefix}/candidate/input_projection/kernel"]], axis=1)
    recurrent = np.concatenate([update[EMBED:], reset[EMBED:], weights[f"{prefix}/candidate/hidden_projection/kernel"]], axis=1)
    zeros = np.zeros(UNITS, np.float32)
    bias = np.stack([
        np.concatenate([update_bias, reset_bias, weights[f"{prefix}/candidate/input_projection/bias"]]),
        np.concatenate([zeros, zeros, weights[f"{prefix}/candidate/hidden_projection/bias"]]),
    ])
    return [kernel, recurrent, bias]


def _keras_port(weights, path):
    import keras

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(VOCAB, EMBED, name="embedding")
    valid = keras.ops.less_equal(keras.ops.cumsum(keras.ops.ones_like(tokens), axis=1), keras.ops.expand_dims(lengths, 1))
    gru = keras.layers.GRU(UNITS, return_sequences=True, return_state=True, reset_after=True, name="gru")
    outputs, state = gru(embedding(tokens), mask=valid)
    outputs = outputs * keras.ops.expand_dims(keras.ops.cast(valid, outputs.dtype), -1)
    model = keras.Model({"tokens": tokens, "lengths": lengths}, {"outputs": outputs, "final_state": state})
    embedding.set_weights([weights["embedding"]])
    gru.set_weights(_keras_reset_after_weights(weights, "rnn/cudnn_compatible_gru_cell"))
    model.save(path)
    return path


def test_a_cudnn_compatible_gru_ported_to_reset_after_agrees_and_every_variable_maps(run_verify, tmp_path, tf1_cudnn_gru):
    savedmodel, weights = tf1_cudnn_gru
    port = _keras_port(weights, tmp_path / "gru.keras")
    report = tmp_path / "report.json"
    result = run_verify(savedmodel, port, "--json", report)
    document = json.loads(report.read_text())
    assert result.exit_code == 0, result.output
    assert all(output["result"] == "PASS" for output in document["outputs"])
    summary = document["weights"]
    assert summary["result"] == "PASS", summary
    assert summary["warnings"] == [] and summary["problems"] == []
    assert summary["new_parameters"] - summary["new_redundant_parameters"] == summary["old_parameters"]
    mapping = {m["old"].rpartition("cudnn_compatible_gru_cell/")[2]: m for m in summary["mapping"]}
    assert all(m["mapped"] and m["copies"] == 1 for m in mapping.values())
    assert mapping["gates/bias"]["how"] == "by value, input bias row, gate blocks reordered"
    assert mapping["candidate/input_projection/bias"]["how"] == "by value, input bias row"
    assert mapping["candidate/hidden_projection/bias"]["how"] == "by value, recurrent bias row"
    assert mapping["candidate/hidden_projection/kernel"]["new"] == ["gru/gru_cell/recurrent_kernel"]


def test_a_cudnn_gru_flat_bias_maps_onto_both_rows_in_order():
    """TF 1.x Keras CuDNNGRU keeps its bias as [6u]: the input row then the recurrent row."""
    rng = np.random.default_rng(5)
    flat = rng.standard_normal(6 * UNITS).astype(np.float32)
    result = compare_weights([Parameter("cu_dnngru/bias", flat)], [Parameter("gru/gru_cell/bias", flat.reshape(2, -1))])
    assert result.passed and result.warnings == [] and result.redundant_new == 2 * UNITS
    (mapping,) = result.mappings
    assert mapping.mapped and mapping.how == "by value, input bias row, recurrent bias row"


def test_a_tf1_gru_cell_in_a_reset_after_gru_maps_but_is_named_as_the_wrong_gru(run_verify, tmp_path, tf1_gru, keras_files):
    report = tmp_path / "report.json"
    result = run_verify(tf1_gru.savedmodel, keras_files["gru_reset_after"], "--json", report)
    assert result.exit_code == 1, result.output
    summary = json.loads(report.read_text())["weights"]
    mapping = {m["old"]: m for m in summary["mapping"]}
    assert mapping["rnn/gru_cell/candidate/bias"]["mapped"]
    assert any(
        w.startswith("OLD rnn/gru_cell/candidate/bias is the candidate bias of a GRU that resets before the matmul")
        and w.endswith("port it as GRU(reset_after=False)")
        for w in summary["warnings"]
    ), summary["warnings"]
