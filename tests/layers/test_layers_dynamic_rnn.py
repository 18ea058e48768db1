"""DynamicRNN against real tf.compat.v1.nn.dynamic_rnn, every cell, outputs and every state tensor."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    BATCH,
    CELL_SPECS,
    LENGTHS,
    SPECS_BY_NAME,
    assert_matches,
    random_inputs,
    random_state,
    reference,
)

SPEC_NAMES = [spec.name for spec in CELL_SPECS]


def ported_rnn(spec_name: str, tf1_values: dict, **layer_options) -> runtime.DynamicRNN:
    rnn = runtime.DynamicRNN(SPECS_BY_NAME[spec_name].make_runtime(), **layer_options)
    runtime.load_tf1_weights(rnn, tf1_values)
    return rnn


@pytest.mark.parametrize("spec_name", SPEC_NAMES)
def test_lengths_0_1_t_and_between_from_checkpoint(spec_name, tmp_path, record_property):
    tf1 = reference("dynamic", spec_name)
    rnn = runtime.DynamicRNN(SPECS_BY_NAME[spec_name].make_runtime())
    runtime.load_tf1_weights(rnn, tf1.save_checkpoint(str(tmp_path / "model.ckpt")))
    inputs = random_inputs()

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, state = rnn(inputs, sequence_length=LENGTHS)

    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)


@pytest.mark.parametrize("spec_name", SPEC_NAMES)
def test_batch_of_one_shorter_than_time_inside_tf_function(spec_name, record_property):
    tf1 = reference("dynamic", spec_name)
    rnn = runtime.DynamicRNN(SPECS_BY_NAME[spec_name].make_runtime())
    inputs, lengths = random_inputs(batch=1, seed=3), np.array([3], np.int32)
    rnn(inputs, sequence_length=lengths)
    runtime.load_tf1_weights(rnn, tf1.values)

    expected = tf1.run(inputs=inputs, sequence_length=lengths)
    outputs, state = tf.function(lambda x, n: rnn(x, sequence_length=n))(inputs, lengths)

    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)


@pytest.mark.parametrize("spec_name", SPEC_NAMES)
def test_time_major_initial_state_without_lengths(spec_name, record_property):
    tf1 = reference("dynamic", spec_name, time_major=True, with_lengths=False, with_initial_state=True)
    rnn = ported_rnn(spec_name, tf1.values, time_major=True)
    inputs = random_inputs(time_major=True, seed=4)
    initial_state = random_state(rnn.cell.zero_state(BATCH, tf.float32))

    expected = tf1.run(inputs=inputs, initial_state=initial_state)
    outputs, state = rnn(inputs, initial_state=initial_state)

    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)


@pytest.mark.parametrize("spec_name", ["lstm_all_options", "gru", "multi_mixed", "basic_rnn_relu"])
def test_initial_state_and_lengths_inside_tf_function(spec_name, record_property):
    tf1 = reference("dynamic", spec_name, with_initial_state=True)
    rnn = ported_rnn(spec_name, tf1.values)
    inputs = random_inputs(seed=5)
    initial_state = random_state(rnn.cell.zero_state(BATCH, tf.float32), seed=6)

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS, initial_state=initial_state)
    outputs, state = tf.function(lambda x, n, s: rnn(x, sequence_length=n, initial_state=s))(
        inputs, LENGTHS, initial_state
    )

    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)
    assert np.array_equal(tf.nest.flatten(state)[0][1], tf.nest.flatten(initial_state)[0][1]), (
        "a length-0 row keeps its initial state exactly"
    )


def test_sequence_length_none_runs_every_step_like_full_lengths():
    tf1 = reference("dynamic", "lstm")
    rnn = ported_rnn("lstm", tf1.values)
    inputs = random_inputs(seed=7)
    full_lengths = np.full([BATCH], inputs.shape[1], np.int32)

    outputs_none, state_none = rnn(inputs)
    expected = tf1.run(inputs=inputs, sequence_length=full_lengths)

    assert_matches((outputs_none, state_none), (expected["outputs"], expected["state"]))


def test_state_structures_are_tf1s():
    inputs = random_inputs()
    _, lstm_state = runtime.DynamicRNN(runtime.LSTMCell(5, num_proj=3))(inputs)
    _, gru_state = runtime.DynamicRNN(runtime.GRUCell(4))(inputs)
    stack = runtime.MultiRNNCell([runtime.BasicLSTMCell(4), runtime.GRUCell(3)])
    _, stack_state = runtime.DynamicRNN(stack)(inputs)

    assert isinstance(lstm_state, runtime.LSTMStateTuple)
    assert lstm_state.c.shape == (BATCH, 5) and lstm_state.h.shape == (BATCH, 3)
    assert tf.is_tensor(gru_state) and gru_state.shape == (BATCH, 4)
    assert isinstance(stack_state, tuple) and len(stack_state) == 2
    assert stack_state[0].h.shape == (BATCH, 4) and stack_state[-1].shape == (BATCH, 3)


@pytest.mark.parametrize("spec_name", ["lstm", "gru"])
def test_lengths_beyond_the_sequence_mean_its_end_like_tf1(spec_name):
    tf1 = reference("dynamic", spec_name)
    rnn = ported_rnn(spec_name, tf1.values)
    inputs, lengths = random_inputs(seed=8), np.array([9, 5, 0, 7], np.int32)

    expected = tf1.run(inputs=inputs, sequence_length=lengths)
    assert_matches(rnn(inputs, sequence_length=lengths), (expected["outputs"], expected["state"]))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_keras_mask_is_accepted_silently_and_ignored_like_tf1(bidirectional, recwarn):
    """TF1 code had no Keras masks; sequence_length alone decides, and no mask flows on."""
    tokens = keras.Input((None,), dtype="int32")
    lengths = keras.Input((), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    if bidirectional:
        (outputs, _), _ = runtime.BidirectionalDynamicRNN(runtime.GRUCell(2), runtime.GRUCell(2))(
            embedded, sequence_length=lengths
        )
    else:
        outputs, _ = runtime.DynamicRNN(runtime.GRUCell(2))(embedded, sequence_length=lengths)
    model = keras.Model([tokens, lengths], outputs)
    ids = np.array([[1, 0, 2, 0]], dtype="int32")  # id 0 mid-row is data, not padding, for TF1
    result = model([ids, np.array([3], dtype="int32")]).numpy()
    assert not [w for w in recwarn if "masking" in str(w.message)]
    assert getattr(outputs, "_keras_mask", None) is None
    assert np.all(result[0, 3] == 0) and np.all(result[0, 2] != 0) and np.all(result[0, 1] != 0)
