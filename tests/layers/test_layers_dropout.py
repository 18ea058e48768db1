"""DropoutWrapper: identity at inference, TF1's recipe in training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import LENGTHS, random_inputs

WIDE = 64  # enough units for the kept fraction to be near keep_prob


def _valid(outputs: np.ndarray) -> np.ndarray:
    mask = np.arange(outputs.shape[1])[None, :] < LENGTHS[:, None]
    return outputs[mask]


@pytest.mark.parametrize("training", [False, None])
def test_inference_is_exactly_the_wrapped_cell(training):
    cell = runtime.LSTMCell(5, num_proj=3)
    wrapper = runtime.DropoutWrapper(cell, 0.5, 0.5, 0.5, variational_recurrent=True)
    inputs = random_inputs()
    plain = runtime.DynamicRNN(cell)(inputs, sequence_length=LENGTHS)
    wrapped = runtime.DynamicRNN(wrapper)(inputs, sequence_length=LENGTHS, training=training)
    for ours, reference in zip(tf.nest.flatten(wrapped), tf.nest.flatten(plain)):
        np.testing.assert_array_equal(ours.numpy(), reference.numpy())


def test_output_dropout_scales_kept_outputs_and_leaves_the_state_alone():
    cell = runtime.BasicRNNCell(WIDE)
    inputs = random_inputs()
    reference_outputs, reference_state = runtime.DynamicRNN(cell)(inputs, sequence_length=LENGTHS)
    outputs, state = runtime.DynamicRNN(runtime.DropoutWrapper(cell, output_keep_prob=0.5, seed=1))(
        inputs, sequence_length=LENGTHS, training=True
    )

    dropped, reference = _valid(outputs.numpy()), _valid(reference_outputs.numpy())
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], 2.0 * reference[kept], rtol=1e-6)
    assert 0.35 < kept.mean() < 0.65
    np.testing.assert_array_equal(state.numpy(), reference_state.numpy())
    assert not np.any(outputs.numpy()[1]), "padding (a length-0 row) stays zero"


def test_variational_output_mask_is_shared_by_every_step_and_row_like_tf1():
    outputs, _ = runtime.DynamicRNN(
        runtime.DropoutWrapper(runtime.GRUCell(WIDE), output_keep_prob=0.5, variational_recurrent=True)
    )(random_inputs(), training=True)
    dropped_units = outputs.numpy() == 0
    assert 0.25 < dropped_units[0, 0].mean() < 0.75
    assert (dropped_units == dropped_units[0, 0]).all()


def test_non_variational_masks_change_over_time():
    outputs, _ = runtime.DynamicRNN(runtime.DropoutWrapper(runtime.GRUCell(WIDE), output_keep_prob=0.5))(
        random_inputs(), training=True
    )
    dropped_units = outputs.numpy() == 0
    assert not (dropped_units == dropped_units[0, 0]).all()


def test_state_dropout_spares_lstm_c_and_runs_after_the_output():
    cell = runtime.BasicLSTMCell(WIDE)
    inputs = random_inputs()
    reference_outputs, _ = runtime.DynamicRNN(cell)(inputs)
    wrapper = runtime.DropoutWrapper(cell, state_keep_prob=0.5, variational_recurrent=True)
    outputs, state = runtime.DynamicRNN(wrapper)(inputs, training=True)

    np.testing.assert_allclose(outputs[:, 0].numpy(), reference_outputs[:, 0].numpy(), rtol=1e-6)
    dropped_h = state.h.numpy() == 0
    assert 0.25 < dropped_h[0].mean() < 0.75 and (dropped_h == dropped_h[0]).all()
    assert not np.any(state.c.numpy() == 0)


def test_state_dropout_selection_follows_the_filter_visitor():
    zeros = tf.zeros((2, 3))
    lstm = runtime.DropoutWrapper(runtime.LSTMCell(3))
    stack = runtime.DropoutWrapper(runtime.MultiRNNCell([runtime.LSTMCell(3), runtime.GRUCell(3)]))
    nothing = runtime.DropoutWrapper(runtime.GRUCell(3), dropout_state_filter_visitor=lambda substate: False)

    assert lstm.state_dropout_selection([zeros, zeros]) == [True, False]  # Keras order [h, c]
    assert stack.state_dropout_selection([[zeros, zeros], [zeros]]) == [[True, False], [True]]
    assert nothing.state_dropout_selection([zeros]) == [False]


def test_same_seed_same_masks():
    def run():
        layer = runtime.DynamicRNN(runtime.DropoutWrapper(runtime.GRUCell(8), 0.5, 0.5, 0.5, seed=7))
        layer.build((None, None, 3))
        for weight in layer.weights:
            weight.assign(tf.ones_like(weight) * 0.1)
        return layer(random_inputs(), training=True)[0].numpy()

    np.testing.assert_array_equal(run(), run())


def test_training_with_every_dropout_in_a_stack_gives_gradients():
    stack = runtime.MultiRNNCell(
        [
            runtime.DropoutWrapper(runtime.LSTMCell(4, use_peepholes=True), 0.8, 0.7, 0.6, variational_recurrent=True),
            runtime.DropoutWrapper(runtime.GRUCell(3), 0.9, 0.8, 0.7),
        ]
    )
    rnn = runtime.DynamicRNN(stack)
    with tf.GradientTape() as tape:
        outputs, state = rnn(random_inputs(), sequence_length=LENGTHS, training=True)
        loss = tf.reduce_sum(outputs) + tf.reduce_sum(state[0].c)
    assert all(gradient is not None for gradient in tape.gradient(loss, rnn.trainable_weights))


def test_per_step_call_inside_keras_rnn():
    wrapper = runtime.DropoutWrapper(runtime.GRUCell(WIDE), output_keep_prob=0.5, state_keep_prob=0.5)
    outputs = keras.layers.RNN(wrapper, return_sequences=True)(random_inputs(), training=True)
    assert 0.3 < np.mean(outputs.numpy() == 0) < 0.8

    variational = runtime.DropoutWrapper(runtime.GRUCell(3), output_keep_prob=0.5, variational_recurrent=True)
    with pytest.raises(NotImplementedError, match="DynamicRNN"):
        keras.layers.RNN(variational)(random_inputs(), training=True)


@pytest.mark.parametrize(("keep_prob", "error"), [("0.5", TypeError), (0.0, ValueError), (1.5, ValueError)])
def test_keep_probabilities_are_checked(keep_prob, error):
    with pytest.raises(error, match="output_keep_prob"):
        runtime.DropoutWrapper(runtime.GRUCell(3), output_keep_prob=keep_prob)
