"""The cells: TF1 constructor arguments, Keras base classes, fresh-weight init, TF1-style calls."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    CELL_SPECS,
    SPECS_BY_NAME,
    LENGTHS,
    TF1Reference,
    assert_matches,
    keras_gru_weights,
    random_inputs,
    random_state,
    reference,
    rnn_cell,
    v1,
)


def test_lstm_cell_takes_tf1_positional_order():
    cell = runtime.LSTMCell(5, True, 3.0, None, 4, 2.0, None, None, 0.5)
    assert (cell.use_peepholes, cell.cell_clip, cell.num_proj, cell.proj_clip, cell.forget_bias) == (True, 3.0, 4, 2.0, 0.5)
    assert cell.state_size == runtime.LSTMStateTuple(c=5, h=4) and cell.output_size == 4
    assert cell.state_size == rnn_cell.LSTMCell(5, num_proj=4).state_size  # TF1's structure: code builds states from it


def test_other_cells_take_tf1_positional_order():
    basic_lstm = runtime.BasicLSTMCell(5, 0.5, True, tf.nn.relu, None, "encoder_cell", tf.float32)
    basic_rnn = runtime.BasicRNNCell(3, tf.nn.relu, None, "rnn_cell_name", tf.float32)
    gru = runtime.GRUCell(4, tf.tanh, None, None, None, "decoder_gru", tf.float32)

    assert basic_lstm.forget_bias == 0.5 and basic_lstm.activation is keras.activations.relu
    assert basic_lstm.tf1_base_name == "encoder_cell"
    assert basic_rnn.activation is keras.activations.relu and basic_rnn.tf1_base_name == "rnn_cell_name"
    assert gru.tf1_base_name == "decoder_gru"


def test_default_tf1_scope_names():
    assert runtime.BasicRNNCell(2).tf1_base_name == "basic_rnn_cell"
    assert runtime.BasicLSTMCell(2).tf1_base_name == "basic_lstm_cell"
    assert runtime.LSTMCell(2).tf1_base_name == "lstm_cell"
    assert runtime.LSTMCell(2, num_proj=1).tf1_base_name == "lstm_cell"
    assert runtime.GRUCell(2).tf1_base_name == "gru_cell"
    assert runtime.MultiRNNCell([runtime.GRUCell(2)]).tf1_base_name == "multi_rnn_cell"


@pytest.mark.parametrize(
    "make_cell",
    [
        lambda: runtime.BasicLSTMCell(3, state_is_tuple=False),
        lambda: runtime.LSTMCell(3, state_is_tuple=False),
        lambda: runtime.MultiRNNCell([runtime.GRUCell(3)], state_is_tuple=False),
    ],
)
def test_concatenated_state_is_refused_clearly(make_cell):
    with pytest.raises(NotImplementedError, match="state_is_tuple=False"):
        make_cell()


def _tf1_fresh_values(make_cell) -> dict:
    """The values TF1's own initializers give a freshly built cell."""
    graph = tf.Graph()
    with graph.as_default():
        v1.nn.dynamic_rnn(make_cell(), v1.placeholder(tf.float32, [None, None, 3]), dtype=tf.float32)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            return {v.name[:-2]: session.run(v) for v in v1.global_variables()}


def _fresh_runtime_values(make_cell) -> dict:
    cell = make_cell()
    runtime.DynamicRNN(cell)(np.zeros((1, 1, 3), np.float32))
    return {name: variable.numpy() for name, variable in cell.tf1_variables().items()}


@pytest.mark.parametrize(
    "make_tf1, make_runtime",
    [
        (lambda: rnn_cell.LSTMCell(4, forget_bias=0.5), lambda: runtime.LSTMCell(4, forget_bias=0.5)),
        (lambda: rnn_cell.BasicLSTMCell(4), lambda: runtime.BasicLSTMCell(4)),
        (lambda: rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=2), lambda: runtime.LSTMCell(4, use_peepholes=True, num_proj=2)),
        (lambda: rnn_cell.GRUCell(4), lambda: runtime.GRUCell(4)),
        (lambda: rnn_cell.BasicRNNCell(4), lambda: runtime.BasicRNNCell(4)),
    ],
)
def test_fresh_variables_have_tf1_names_shapes_and_bias_values(make_tf1, make_runtime):
    """Fresh cells start like TF1's: same variables, biases 0 (GRU gates 1), forget_bias not in the bias."""
    tf1_values, ours = _tf1_fresh_values(make_tf1), _fresh_runtime_values(make_runtime)
    assert {name: value.shape for name, value in ours.items()} == {name: value.shape for name, value in tf1_values.items()}
    for name, value in tf1_values.items():
        if "bias" in name:
            np.testing.assert_array_equal(ours[name], value)


def test_zero_state_has_tf1_structure():
    state = runtime.MultiRNNCell([runtime.LSTMCell(5, num_proj=3), runtime.GRUCell(2)]).zero_state(4, tf.float32)
    assert isinstance(state, tuple) and isinstance(state[0], runtime.LSTMStateTuple)
    assert state[0].c.shape == (4, 5) and state[0].h.shape == (4, 3) and state[1].shape == (4, 2)
    assert not any(np.any(tensor.numpy()) for tensor in tf.nest.flatten(state))


def _one_step_reference(make_cell):
    def build():
        inputs = v1.placeholder(tf.float32, [None, 3])
        cell = make_cell()
        state = tf.nest.map_structure(lambda size: v1.placeholder(tf.float32, [None, size]), cell.state_size)
        output, new_state = cell(inputs, state)
        return {"inputs": inputs, "state": state}, {"output": output, "state": new_state}

    return TF1Reference(build)


def test_calling_a_cell_with_a_tf1_state_steps_like_tf1():
    """Hand-written TF1 loops (``output, state = cell(x, state)``) keep their meaning."""
    tf1 = _one_step_reference(
        lambda: rnn_cell.MultiRNNCell([rnn_cell.LSTMCell(5, num_proj=3), rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(2)])
    )
    cell = runtime.MultiRNNCell([runtime.LSTMCell(5, num_proj=3), runtime.BasicLSTMCell(4), runtime.GRUCell(2)])
    runtime.load_tf1_weights(cell, tf1.values, scope="")
    inputs = random_inputs()[:, 0, :]
    state = random_state(cell.zero_state(inputs.shape[0]))

    expected = tf1.run(inputs=inputs, state=state)
    output, new_state = cell(inputs, state)

    assert isinstance(new_state, tuple) and isinstance(new_state[0], runtime.LSTMStateTuple)
    assert_matches((output, new_state), (expected["output"], expected["state"]))


def test_cells_run_inside_keras_rnn_layer_like_dynamic_rnn_without_lengths():
    cell = runtime.LSTMCell(4)
    inputs = random_inputs()
    outputs, h, c = keras.layers.RNN(cell, return_sequences=True, return_state=True)(inputs)
    dynamic_outputs, state = runtime.DynamicRNN(cell)(inputs)
    assert_matches((outputs, c, h), (dynamic_outputs, state.c, state.h))


def test_plain_keras_cell_runs_through_the_generic_step():
    tf1 = reference("dynamic", "gru")
    kernel, bias = keras_gru_weights(tf1.values, 5)
    keras_cell = keras.layers.GRUCell(5, reset_after=False)
    keras_cell.build((None, 3))
    keras_cell.set_weights([kernel[:3], kernel[3:], bias])
    inputs = random_inputs(seed=31)

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, state = runtime.DynamicRNN(keras_cell)(inputs, sequence_length=LENGTHS)

    assert_matches((outputs, state), (expected["outputs"], expected["state"]))


@pytest.mark.parametrize("spec_name", [spec.name for spec in CELL_SPECS])
def test_state_size_has_tf1s_structure_and_order(spec_name):
    """TF1 code builds its own state tensors from ``cell.state_size`` (bilm-tf: one variable per entry)."""
    spec = SPECS_BY_NAME[spec_name]
    tf1, ours = spec.make_tf1().state_size, spec.make_runtime().state_size
    tf.nest.assert_same_structure(tf1, ours, check_types=False)
    assert tf.nest.flatten(ours) == [int(size) for size in tf.nest.flatten(tf1)]
