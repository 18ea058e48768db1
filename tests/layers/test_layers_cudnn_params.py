"""The opaque cuDNN buffer converter against the buffer Keras 3 itself builds for ``CudnnRNNV3``.

Keras's ``_cudnn_lstm`` / ``_cudnn_gru`` standardise an LSTM's / GRU's weights into cuDNN's flat
parameter buffer on the CPU, then call ``tf.raw_ops.CudnnRNNV3``, which has no CPU kernel.  The
tests intercept that call and keep the buffer Keras built (its gate swaps included), convert it
with ``rnnmigrate.layers``, and run the compatible cells against Keras's own CPU LSTM / GRU.
Not run here: a GPU's cuDNN reading the buffer.
"""

import importlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import INPUT_DEPTH, assert_matches, max_abs_diff

UNITS, BATCH, TIME = 5, 3, 6
keras_tf_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")


class _Captured(Exception):
    pass


def _keras_buffer(monkeypatch, kind: str, layer, inputs) -> np.ndarray:
    """The ``params`` Keras's cuDNN path hands to CudnnRNNV3 for ``layer``'s weights."""
    captured = {}

    def capture(**arguments):
        captured.update(arguments)
        raise _Captured

    monkeypatch.setattr(tf.raw_ops, "CudnnRNNV3", capture)
    kernel, recurrent, bias = (w.value for w in layer.cell.weights)
    zeros = tf.zeros([BATCH, UNITS])
    with pytest.raises(_Captured):
        if kind == "lstm":
            keras_tf_rnn._cudnn_lstm(inputs, zeros, zeros, kernel, recurrent, bias, None, False, False, True)
        else:
            keras_tf_rnn._cudnn_gru(inputs, zeros, kernel, recurrent, bias, None, False, False, True)
    return captured["params"].numpy()


def _random_keras_layer(kind: str, seed: int):
    layer = (keras.layers.LSTM if kind == "lstm" else keras.layers.GRU)(UNITS, return_sequences=True, return_state=True)
    layer.build((None, None, INPUT_DEPTH))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_keras_buffer_converts_to_cells_that_compute_keras_outputs(kind, monkeypatch, record_property):
    layer = _random_keras_layer(kind, seed=51)
    inputs = np.random.default_rng(52).normal(size=(BATCH, TIME, INPUT_DEPTH)).astype(np.float32)
    params = _keras_buffer(monkeypatch, kind, layer, tf.constant(inputs))
    monkeypatch.undo()

    weights, biases = runtime.opaque_to_canonical(params, kind, 1, UNITS, INPUT_DEPTH)
    assert np.array_equal(runtime.canonical_to_opaque(weights, biases), params)
    variables = runtime.canonical_to_tf1(weights, biases, kind, 1, scope=f"cudnn_{kind}")
    ours = (runtime.CudnnLSTM if kind == "lstm" else runtime.CudnnGRU)(1, UNITS)
    with runtime.tf1_weights(variables) as loaded:
        outputs, states = ours(np.swapaxes(inputs, 0, 1))
    assert sorted(loaded.loaded_variables) == sorted(variables)

    expected_outputs, *expected_states = layer(inputs)
    assert_matches((np.swapaxes(outputs, 0, 1), [s[0] for s in states]), (expected_outputs, expected_states),
                   record_property)

    back = runtime.canonical_to_opaque(*runtime.tf1_to_canonical(variables, kind, 1, UNITS, INPUT_DEPTH, scope=f"cudnn_{kind}"))
    assert all(np.array_equal(value, variables[name])
               for name, value in runtime.opaque_to_tf1_variables(back, kind, 1, UNITS, INPUT_DEPTH,
                                                                   scope=f"cudnn_{kind}").items())


def test_reading_keras_gru_buffer_in_kerass_own_gate_order_is_caught(monkeypatch):
    """cuDNN orders GRU gates r, z, h; Keras z, r, h. A converter that skipped the swap must fail."""
    layer = _random_keras_layer("gru", seed=53)
    inputs = np.random.default_rng(54).normal(size=(BATCH, TIME, INPUT_DEPTH)).astype(np.float32)
    params = _keras_buffer(monkeypatch, "gru", layer, tf.constant(inputs))
    monkeypatch.undo()
    weights, biases = runtime.opaque_to_canonical(params, "gru", 1, UNITS, INPUT_DEPTH)
    swap = [1, 0, 2, 4, 3, 5]
    variables = runtime.canonical_to_tf1([weights[k] for k in swap], [biases[k] for k in swap], "gru", 1,
                                         scope="cudnn_gru")
    with runtime.tf1_weights(variables):
        outputs, _ = runtime.CudnnGRU(1, UNITS)(np.swapaxes(inputs, 0, 1))
    assert max_abs_diff(np.swapaxes(outputs, 0, 1), layer(inputs)[0]) > 1e-2


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("direction", ["unidirectional", "bidirectional"])
def test_deep_and_bidirectional_round_trip_and_sizes(kind, direction):
    layers, units, depth = 3, 4, 7
    weight_shapes, bias_shapes = runtime.cudnn_params.canonical_shapes(kind, layers, units, depth, direction)
    size = sum(int(np.prod(s)) for s in weight_shapes + bias_shapes)
    if kind == "lstm":  # TF 1.x cudnn_rnn_ops_test's _MinLSTMParamSize
        first, biases = 4 * units * (units + depth), 8 * layers * units
        higher = 8 * (layers - 1) * units * units if direction == "unidirectional" else (layers - 1) * (4 * 2 * units * units + 4 * units ** 2)
        assert size == (first + higher + biases) * (1 if direction == "unidirectional" else 2)
    layer = {"lstm": runtime.CudnnLSTM, "gru": runtime.CudnnGRU, "rnn_tanh": runtime.CudnnRNNTanh}[kind](
        layers, units, direction=direction
    )
    scope = layer.tf1_base_name
    params = np.random.default_rng(55).normal(size=size).astype(np.float32)
    variables = runtime.opaque_to_tf1_variables(params, kind, layers, units, depth, direction, scope=scope)
    if (kind, direction) in (("gru", "bidirectional"), ("lstm", "unidirectional")):  # building costs a graph
        with runtime.tf1_weights(variables) as loaded:
            layer(np.zeros((2, 1, depth), np.float32))
        assert sorted(loaded.loaded_variables) == sorted(variables), "the saveable's names are the runtime layer's"
    weights, biases = runtime.tf1_to_canonical(variables, kind, layers, units, depth, direction, scope=scope)
    again = runtime.opaque_to_tf1_variables(runtime.canonical_to_opaque(weights, biases), kind, layers, units, depth,
                                            direction, scope=scope)
    assert all(np.array_equal(again[name], value) for name, value in variables.items())
