"""load_tf1_weights and tf1_weights: name mapping, outer scopes, partitions, error messages."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    LENGTHS,
    SPECS_BY_NAME,
    TF1Reference,
    assert_matches,
    bidirectional_graph,
    dynamic_rnn_graph,
    random_inputs,
    reference,
    rnn_cell,
)


@functools.lru_cache(maxsize=None)
def encoder_under_outer_scope() -> TF1Reference:
    """TF1: ``with tf.variable_scope("model"): dynamic_rnn(LSTMCell(5), x, scope="encoder")``."""
    return TF1Reference(dynamic_rnn_graph(lambda: rnn_cell.LSTMCell(5, use_peepholes=True), scope="encoder", outer_scope="model"))


def _compare(layer, tf1, inputs=None):
    inputs = random_inputs(seed=41) if inputs is None else inputs
    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    assert_matches(layer(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))


def test_names_read_are_returned_and_output_index_suffixes_accepted():
    tf1 = reference("dynamic", "lstm_all_options")
    values = {f"{name}:0": value for name, value in tf1.values.items()}
    rnn = runtime.DynamicRNN(SPECS_BY_NAME["lstm_all_options"].make_runtime())
    names = runtime.load_tf1_weights(rnn, values)
    assert sorted(names) == sorted(tf1.values)
    _compare(rnn, tf1)


def test_outer_scope_may_be_omitted(tmp_path):
    tf1 = encoder_under_outer_scope()
    assert "model/encoder/lstm_cell/kernel" in tf1.values
    rnn = runtime.DynamicRNN(runtime.LSTMCell(5, use_peepholes=True), name="encoder")
    names = runtime.load_tf1_weights(rnn, tf1.save_checkpoint(str(tmp_path / "ckpt")))
    assert "model/encoder/lstm_cell/w_f_diag" in names
    _compare(rnn, tf1)


def test_scope_argument_overrides_the_layer_scope():
    tf1 = encoder_under_outer_scope()
    rnn = runtime.DynamicRNN(runtime.LSTMCell(5, use_peepholes=True))
    runtime.load_tf1_weights(rnn, tf1.values, scope="model/encoder")
    _compare(rnn, tf1)


def test_tf1_name_argument_sets_the_cell_scope():
    tf1 = TF1Reference(dynamic_rnn_graph(lambda: rnn_cell.GRUCell(4, name="my_gru")))
    assert "rnn/my_gru/gates/kernel" in tf1.values
    rnn = runtime.DynamicRNN(runtime.GRUCell(4, name="my_gru"))
    runtime.load_tf1_weights(rnn, tf1.values)
    _compare(rnn, tf1)


def test_partitioned_variables_from_dict_and_checkpoint(tmp_path):
    tf1 = TF1Reference(dynamic_rnn_graph(lambda: rnn_cell.LSTMCell(5, num_proj=4, num_unit_shards=2, num_proj_shards=2)))
    assert "rnn/lstm_cell/kernel/part_1" in tf1.values
    from_dict = runtime.DynamicRNN(runtime.LSTMCell(5, num_proj=4, num_unit_shards=2, num_proj_shards=2))
    runtime.load_tf1_weights(from_dict, tf1.values)
    from_checkpoint = runtime.DynamicRNN(runtime.LSTMCell(5, num_proj=4))
    runtime.load_tf1_weights(from_checkpoint, tf1.save_checkpoint(str(tmp_path / "ckpt")))
    _compare(from_dict, tf1)
    _compare(from_checkpoint, tf1)


def test_missing_variables_error_lists_expected_and_found(tmp_path):
    checkpoint = reference("dynamic", "gru").save_checkpoint(str(tmp_path / "ckpt"))
    with pytest.raises(ValueError) as error:
        runtime.load_tf1_weights(runtime.DynamicRNN(runtime.LSTMCell(5)), checkpoint)
    message = str(error.value)
    assert "missing" in message and "rnn/lstm_cell/kernel" in message
    assert "rnn/gru_cell/gates/kernel" in message and "[8, 10]" in message
    assert str(tmp_path) in message


def test_wrong_input_depth_error_names_both_shapes():
    rnn = runtime.DynamicRNN(runtime.LSTMCell(5))
    rnn(np.zeros((1, 2, 4), np.float32))
    with pytest.raises(ValueError, match=r"rnn/lstm_cell/kernel has shape \[8, 20\].*expects \[9, 20\]"):
        runtime.load_tf1_weights(rnn, reference("dynamic", "lstm").values)


def test_wrong_units_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"rnn/lstm_cell/kernel has shape \[8, 20\].*expects \[8, 24\]"):
        runtime.load_tf1_weights(runtime.DynamicRNN(runtime.LSTMCell(6)), reference("dynamic", "lstm").values)


def test_ambiguous_outer_scopes_are_reported():
    values = reference("dynamic", "lstm").values
    two_copies = {f"{outer}/{name}": value for outer in ("encoder", "decoder") for name, value in values.items()}
    with pytest.raises(ValueError, match=r"several variables ending with 'rnn/lstm_cell/kernel'.*decoder/rnn.*encoder/rnn"):
        runtime.load_tf1_weights(runtime.DynamicRNN(runtime.LSTMCell(5)), two_copies)
    runtime.load_tf1_weights(runtime.DynamicRNN(runtime.LSTMCell(5)), two_copies, scope="decoder/rnn")


def test_cells_without_a_tf1_layout_are_refused():
    with pytest.raises(TypeError, match="LSTMCell"):
        runtime.load_tf1_weights(runtime.DynamicRNN(keras.layers.LSTMCell(5)), reference("dynamic", "lstm").values)


def test_context_loads_inline_layers_by_their_names(tmp_path):
    tf1 = encoder_under_outer_scope()
    inputs = random_inputs(seed=42)
    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)

    with runtime.tf1_weights(tf1.save_checkpoint(str(tmp_path / "ckpt"))) as loaded:
        outputs, state = runtime.DynamicRNN(runtime.LSTMCell(5, use_peepholes=True), name="encoder")(
            inputs, sequence_length=LENGTHS
        )

    assert_matches((outputs, state), (expected["outputs"], expected["state"]))
    assert "model/encoder/lstm_cell/kernel" in loaded.loaded_variables


def test_context_loads_a_shared_cell_once():
    tf1 = reference("dynamic", "gru")
    cell = runtime.GRUCell(5)
    with runtime.tf1_weights(tf1.values) as loaded:
        runtime.DynamicRNN(cell)(random_inputs())
        runtime.DynamicRNN(cell, name="second_use_not_in_checkpoint")(random_inputs())
    assert len(loaded.loaded_variables) == 4
    _compare(runtime.DynamicRNN(cell), tf1)


def test_context_loads_static_and_bidirectional_rnns():
    static_tf1 = reference("static", "gru", with_lengths=True)
    bidirectional_tf1 = TF1Reference(bidirectional_graph(lambda: rnn_cell.LSTMCell(3), lambda: rnn_cell.GRUCell(2)))
    inputs = random_inputs(seed=43)
    steps = list(np.moveaxis(inputs, 1, 0))

    with runtime.tf1_weights(static_tf1.values):
        static_outputs, static_state = runtime.static_rnn(runtime.GRUCell(5), steps, sequence_length=LENGTHS)
    with runtime.tf1_weights(bidirectional_tf1.values):
        bidirectional = runtime.BidirectionalDynamicRNN(runtime.LSTMCell(3), runtime.GRUCell(2))
        outputs, states = bidirectional(inputs, sequence_length=LENGTHS)

    expected = static_tf1.run(inputs=steps, sequence_length=LENGTHS)
    assert_matches((static_outputs, static_state), (expected["outputs"], expected["state"]))
    expected = bidirectional_tf1.run(inputs=inputs, sequence_length=LENGTHS)
    assert_matches((outputs, states), (expected["outputs"], expected["states"]))


def test_context_raises_when_a_layer_has_no_variables():
    with runtime.tf1_weights(reference("dynamic", "gru").values):
        with pytest.raises(ValueError, match="rnn/lstm_cell/kernel"):
            runtime.DynamicRNN(runtime.LSTMCell(5))(random_inputs())


def test_no_loading_outside_the_context():
    tf1 = reference("dynamic", "gru")
    with runtime.tf1_weights(tf1.values):
        pass
    rnn = runtime.DynamicRNN(runtime.GRUCell(5))
    rnn(random_inputs())
    name = "rnn/gru_cell/gates/kernel"
    assert not np.allclose(rnn.cell.tf1_variables()[name].numpy(), tf1.values[name])


def test_layer_first_built_inside_tf_function_loads_once():
    tf1 = reference("dynamic", "lstm")
    rnn = runtime.DynamicRNN(runtime.LSTMCell(5))
    with runtime.tf1_weights(tf1.values):
        run = tf.function(lambda x, n: rnn(x, sequence_length=n))
        run(random_inputs(), LENGTHS)
    for weight in rnn.cell.weights:
        weight.assign(tf.zeros_like(weight))
    outputs, _ = run(random_inputs(), LENGTHS)
    assert not np.any(outputs.numpy()), "the graph must not re-assign the TF1 weights on every call"
