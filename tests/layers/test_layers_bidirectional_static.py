"""BidirectionalDynamicRNN, static_rnn and static_bidirectional_rnn against their TF1 originals."""

import functools

import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    BATCH,
    LENGTHS,
    SPECS_BY_NAME,
    TF1Reference,
    assert_matches,
    bidirectional_graph,
    random_inputs,
    random_state,
    reference,
    static_rnn_graph,
)

CORE_PAIRS = [
    ("lstm_all_options", "gru"),
    ("multi_mixed", "basic_lstm_forget_bias_2.5"),
    ("dropout_inference", "basic_rnn_tanh"),
]
# The cells Keras never had (issue 11), each forward and backward beside another.
CONTRIB_PAIRS = [
    ("cudnn_compatible_lstm", "cudnn_compatible_gru"),
    ("lstm_block_all_options", "gru_block"),
    ("gru_block_v2", "lstm_block"),
    ("output_projection_lstm", "residual_fn_gru"),
    ("multi_wrappers", "device_lstm_block"),
    ("layer_norm_lstm", "nas_proj_bias"),
    ("nas", "layer_norm_lstm_no_norm_dropout_inference"),
]
PAIRS = CORE_PAIRS + CONTRIB_PAIRS


@functools.lru_cache(maxsize=None)
def bidirectional_reference(fw_name: str, bw_name: str, **options) -> TF1Reference:
    return TF1Reference(
        bidirectional_graph(SPECS_BY_NAME[fw_name].make_tf1, SPECS_BY_NAME[bw_name].make_tf1, **options)
    )


def ported_bidirectional(fw_name: str, bw_name: str, tf1_values: dict, **options) -> runtime.BidirectionalDynamicRNN:
    layer = runtime.BidirectionalDynamicRNN(
        SPECS_BY_NAME[fw_name].make_runtime(), SPECS_BY_NAME[bw_name].make_runtime(), **options
    )
    runtime.load_tf1_weights(layer, tf1_values, scope="bidirectional_rnn")
    return layer


@pytest.mark.parametrize(("fw_name", "bw_name"), PAIRS)
def test_bidirectional_with_lengths(fw_name, bw_name, record_property):
    tf1 = bidirectional_reference(fw_name, bw_name)
    layer = ported_bidirectional(fw_name, bw_name, tf1.values)
    inputs = random_inputs(seed=11)

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, states = layer(inputs, sequence_length=LENGTHS)

    assert_matches((outputs, states), (expected["outputs"], expected["states"]), record_property)


@pytest.mark.parametrize(("fw_name", "bw_name"), CORE_PAIRS + CONTRIB_PAIRS[:1])
def test_bidirectional_time_major_initial_states_no_lengths_in_tf_function(fw_name, bw_name, record_property):
    tf1 = bidirectional_reference(fw_name, bw_name, time_major=True, with_lengths=False, with_initial_state=True)
    layer = ported_bidirectional(fw_name, bw_name, tf1.values, time_major=True)
    inputs = random_inputs(time_major=True, seed=12)
    state_fw = random_state(layer.cell_fw.zero_state(BATCH), seed=13)
    state_bw = random_state(layer.cell_bw.zero_state(BATCH), seed=14)

    expected = tf1.run(inputs=inputs, initial_state_fw=state_fw, initial_state_bw=state_bw)
    outputs, states = tf.function(lambda x, a, b: layer(x, initial_state_fw=a, initial_state_bw=b))(
        inputs, state_fw, state_bw
    )

    assert_matches((outputs, states), (expected["outputs"], expected["states"]), record_property)


@pytest.mark.parametrize(("fw_name", "bw_name"), CONTRIB_PAIRS[1:])
def test_bidirectional_time_major_initial_states_and_lengths_in_tf_function(fw_name, bw_name, record_property):
    tf1 = bidirectional_reference(fw_name, bw_name, time_major=True, with_initial_state=True)
    layer = ported_bidirectional(fw_name, bw_name, tf1.values, time_major=True)
    inputs = random_inputs(time_major=True, seed=15)
    state_fw = random_state(layer.cell_fw.zero_state(BATCH), seed=16)
    state_bw = random_state(layer.cell_bw.zero_state(BATCH), seed=17)

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS, initial_state_fw=state_fw, initial_state_bw=state_bw)
    run = tf.function(lambda x, n, a, b: layer(x, sequence_length=n, initial_state_fw=a, initial_state_bw=b))

    assert_matches(run(inputs, LENGTHS, state_fw, state_bw), (expected["outputs"], expected["states"]), record_property)


@pytest.mark.parametrize("spec_name", ["lstm_peepholes", "multi_mixed", "gru"])
@pytest.mark.parametrize("with_lengths", [True, False])
def test_static_rnn(spec_name, with_lengths, record_property):
    tf1 = reference("static", spec_name, with_lengths=with_lengths)
    cell = SPECS_BY_NAME[spec_name].make_runtime()
    runtime.load_tf1_weights(cell, tf1.values, scope="rnn")
    inputs = list(np.moveaxis(random_inputs(seed=15), 1, 0))
    lengths = LENGTHS if with_lengths else None

    expected = tf1.run(inputs=inputs, sequence_length=lengths)
    outputs, state = runtime.static_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32)

    assert isinstance(outputs, list) and len(outputs) == len(inputs)
    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)


@pytest.mark.parametrize(("fw_name", "bw_name"), [("lstm_num_proj", "gru"), ("basic_lstm_forget_bias_0", "lstm_cell_clip")])
def test_static_bidirectional_rnn(fw_name, bw_name, record_property):
    tf1 = TF1Reference(
        static_rnn_graph(SPECS_BY_NAME[fw_name].make_tf1, bidirectional_with=SPECS_BY_NAME[bw_name].make_tf1)
    )
    cell_fw, cell_bw = SPECS_BY_NAME[fw_name].make_runtime(), SPECS_BY_NAME[bw_name].make_runtime()
    runtime.load_tf1_weights(cell_fw, tf1.values, scope="bidirectional_rnn/fw")
    runtime.load_tf1_weights(cell_bw, tf1.values, scope="bidirectional_rnn/bw")
    inputs = list(np.moveaxis(random_inputs(seed=16), 1, 0))

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, state_fw, state_bw = runtime.static_bidirectional_rnn(cell_fw, cell_bw, inputs, sequence_length=LENGTHS)

    assert_matches(
        (outputs, state_fw, state_bw), (expected["outputs"], expected["state_fw"], expected["state_bw"]), record_property
    )
