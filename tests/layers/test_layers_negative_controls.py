"""Deliberately wrong ports must fail the same check the real ports pass.

Without these, a comparison that is too weak (or data that never exercises a
feature) would let the differential tests pass for the wrong reason.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import LENGTHS, TOLERANCE, assert_matches, keras_gru_weights, max_abs_diff, random_inputs, reference


def _tf1_run(spec_name: str):
    tf1 = reference("dynamic", spec_name)
    inputs = random_inputs(seed=21)
    return tf1, inputs, tf1.run(inputs=inputs, sequence_length=LENGTHS)


def _swap_blocks(variable, first: int, second: int, units: int) -> None:
    value = variable.numpy().copy()
    columns = [slice(first * units, (first + 1) * units), slice(second * units, (second + 1) * units)]
    value[..., columns[0]], value[..., columns[1]] = value[..., columns[1]].copy(), value[..., columns[0]].copy()
    variable.assign(value)


def test_correct_port_passes_as_the_baseline():
    tf1, inputs, expected = _tf1_run("lstm")
    rnn = runtime.DynamicRNN(runtime.LSTMCell(5))
    runtime.load_tf1_weights(rnn, tf1.values)
    assert_matches(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))


def test_wrong_gate_order_is_caught():
    tf1, inputs, expected = _tf1_run("lstm")
    cell = runtime.LSTMCell(5)
    rnn = runtime.DynamicRNN(cell)
    runtime.load_tf1_weights(rnn, tf1.values)
    for name in ("rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"):
        _swap_blocks(cell.tf1_variables()[name], 1, 2, 5)  # j <-> f: TF1's i, j, f, o read as Keras's i, f, c, o

    with pytest.raises(AssertionError):
        assert_matches(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))


def test_missing_mask_is_caught_by_the_states_even_with_zeroed_outputs():
    tf1, inputs, expected = _tf1_run("gru")
    rnn = runtime.DynamicRNN(runtime.GRUCell(5))
    runtime.load_tf1_weights(rnn, tf1.values)

    outputs, state = rnn(inputs)  # the padding is read as data
    valid = tf.sequence_mask(LENGTHS, maxlen=inputs.shape[1])[:, :, None]
    outputs = tf.where(valid, outputs, 0.0)

    assert max_abs_diff(outputs, expected["outputs"]) <= TOLERANCE, "zeroed outputs hide the bug"
    with pytest.raises(AssertionError):
        assert_matches((outputs, state), (expected["outputs"], expected["state"]))


def test_forgotten_forget_bias_is_caught():
    tf1, inputs, expected = _tf1_run("basic_lstm_forget_bias_1")
    rnn = runtime.DynamicRNN(runtime.BasicLSTMCell(5, forget_bias=0.0))
    runtime.load_tf1_weights(rnn, tf1.values)
    with pytest.raises(AssertionError):
        assert_matches(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))


@pytest.mark.parametrize(("spec_name", "feature_dropped"), [("lstm_cell_clip", "cell_clip"), ("lstm_peepholes", "peepholes")])
def test_data_exercises_clipping_and_peepholes(spec_name, feature_dropped):
    tf1, inputs, expected = _tf1_run(spec_name)
    rnn = runtime.DynamicRNN(runtime.LSTMCell(5))  # plain LSTM: the feature is left out
    runtime.load_tf1_weights(rnn, {name: value for name, value in tf1.values.items() if "diag" not in name})
    assert max_abs_diff(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"])) > 1e-3


def test_keras_default_reset_after_gru_is_caught():
    tf1, inputs, expected = _tf1_run("gru")
    kernel, bias = keras_gru_weights(tf1.values, 5)
    reset_after = keras.layers.GRUCell(5)  # Keras's default GRU math
    reset_after.build((None, inputs.shape[-1]))
    depth = inputs.shape[-1]
    reset_after.set_weights([kernel[:depth], kernel[depth:], np.stack([bias, np.zeros(15, np.float32)])])

    outputs, state = runtime.DynamicRNN(reset_after)(inputs, sequence_length=LENGTHS)
    with pytest.raises(AssertionError):
        assert_matches((outputs, state), (expected["outputs"], expected["state"]))
