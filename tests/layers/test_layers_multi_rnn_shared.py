"""`MultiRNNCell([cell] * n)`: one cell object in every layer, against TF 1.15's behaviour in a TF1 graph.

TF1 creates the shared cell's variables once, under `cell_0`, and runs them in every layer; when a
layer's input depth differs from the depth the kernel was built for, it fails at graph build.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import LENGTHS, TF1Reference, assert_matches, dynamic_rnn_graph, random_inputs

rnn_cell = tf.compat.v1.nn.rnn_cell


def shared_gru_stack_tf1():
    return rnn_cell.MultiRNNCell([rnn_cell.GRUCell(3)] * 2)


def test_shared_cell_has_one_set_of_variables_with_tf1s_names_and_values():
    tf1 = TF1Reference(dynamic_rnn_graph(shared_gru_stack_tf1))
    rnn = runtime.DynamicRNN(runtime.MultiRNNCell([runtime.GRUCell(3)] * 2))
    inputs = random_inputs(seed=11)
    rnn(inputs, sequence_length=LENGTHS)

    assert sorted(rnn.tf1_variables()) == sorted(tf1.values) == [
        "rnn/multi_rnn_cell/cell_0/gru_cell/candidate/bias",
        "rnn/multi_rnn_cell/cell_0/gru_cell/candidate/kernel",
        "rnn/multi_rnn_cell/cell_0/gru_cell/gates/bias",
        "rnn/multi_rnn_cell/cell_0/gru_cell/gates/kernel",
    ]
    runtime.load_tf1_weights(rnn, tf1.values)
    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, state = rnn(inputs, sequence_length=LENGTHS)
    assert_matches((outputs, state), (expected["outputs"], expected["state"]))


def test_a_depth_the_shared_kernel_cannot_take_fails_at_build_in_tf1_and_in_the_runtime():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 16 and 11"):
        TF1Reference(dynamic_rnn_graph(lambda: rnn_cell.MultiRNNCell([rnn_cell.GRUCell(8)] * 2)))

    rnn = runtime.DynamicRNN(runtime.MultiRNNCell([runtime.GRUCell(8)] * 2))
    with pytest.raises(ValueError) as raised:
        rnn(random_inputs(seed=12))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(
        "MultiRNNCell: layer 1 runs the same GRUCell object as layer 0, whose variables were built for "
        "inputs of depth 3, but its inputs have depth 8"
    )
    assert "Dimensions must be equal" in message


def test_distinct_wrappers_around_one_cell_share_it_too():
    cell = runtime.GRUCell(8)
    rnn = runtime.DynamicRNN(runtime.MultiRNNCell([runtime.DropoutWrapper(cell) for _ in range(2)]))
    with pytest.raises(ValueError, match="layer 1 runs the same GRUCell object as layer 0"):
        rnn(random_inputs(seed=13))


def test_sharing_survives_a_config_round_trip():
    stack = runtime.MultiRNNCell([runtime.GRUCell(3)] * 3)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(stack))
    assert len(restored.cells) == 3 and len({id(cell) for cell in restored.cells}) == 1
    distinct = runtime.MultiRNNCell([runtime.GRUCell(3), runtime.GRUCell(3)])
    assert "layer_cells" not in distinct.get_config()


def test_separate_cells_per_layer_keep_separate_variables():
    rnn = runtime.DynamicRNN(runtime.MultiRNNCell([runtime.GRUCell(3) for _ in range(2)]))
    rnn(np.zeros((1, 2, 3), np.float32))
    assert {name.split("/")[2] for name in rnn.tf1_variables()} == {"cell_0", "cell_1"}
