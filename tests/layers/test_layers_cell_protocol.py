"""The runtime refuses cells it cannot reproduce exactly (what an unsafe rewrite relies on), in one line."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime

rnn_cell = tf.compat.v1.nn.rnn_cell
ADVICE = "or run `rnnmigrate rewrite` on the file that builds it"


def test_a_tf1_legacy_cell_is_refused_before_anything_runs():
    with pytest.raises(TypeError) as raised:
        runtime.DynamicRNN(rnn_cell.LSTMCell(4))
    assert str(raised.value) == (
        "rnnmigrate.layers.DynamicRNN cannot run the TF1 cell tf_keras.src.layers.rnn.legacy_cells.LSTMCell: "
        f"migrate it to rnnmigrate.layers.LSTMCell, {ADVICE}"
    )


@pytest.mark.parametrize(
    "build, owner",
    [
        (lambda cell: runtime.BidirectionalDynamicRNN(runtime.GRUCell(2), cell), "BidirectionalDynamicRNN"),
        (lambda cell: runtime.static_rnn(cell, [np.zeros((1, 3), np.float32)]), "static_rnn"),
        (lambda cell: runtime.static_bidirectional_rnn(cell, runtime.GRUCell(2), [np.zeros((1, 3), np.float32)]),
         "static_bidirectional_rnn"),
        (lambda cell: runtime.MultiRNNCell([runtime.GRUCell(2), cell]), "MultiRNNCell"),
        (lambda cell: runtime.DropoutWrapper(cell), "DropoutWrapper"),
    ],
)
def test_every_runtime_entry_point_refuses_a_tf1_cell(build, owner):
    with pytest.raises(TypeError, match=rf"^rnnmigrate\.layers\.{owner} cannot run the TF1 cell .*GRUCell: "
                       r"migrate it to rnnmigrate\.layers\.GRUCell, or run `rnnmigrate rewrite`"):
        build(rnn_cell.GRUCell(2))


def test_tf1_wrappers_and_keras2_cells_and_other_objects_are_named():
    with pytest.raises(TypeError, match=r"the TF1 cell .*legacy_cell_wrappers\.DropoutWrapper: migrate it to "
                       r"rnnmigrate\.layers\.DropoutWrapper"):
        runtime.DynamicRNN(rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2)))
    with pytest.raises(TypeError, match=r"the Keras 2 object tf_keras\..*\.LSTMCell: migrate it to "
                       r"rnnmigrate\.layers\.KerasLSTMCell"):
        runtime.DynamicRNN(tf.keras.layers.LSTMCell(2))
    for not_a_cell in (object(), keras.layers.Dense(2), "lstm"):
        with pytest.raises(TypeError, match=r"migrate it to an rnnmigrate\.layers cell \(or a Keras 3 RNN cell\)"):
            runtime.DynamicRNN(not_a_cell)


def test_keras_3_cells_still_run():
    outputs, state = runtime.DynamicRNN(keras.layers.GRUCell(2))(np.ones((1, 3, 4), np.float32))
    assert outputs.shape == (1, 3, 2)


def test_tensorflows_own_copy_of_the_legacy_cells_is_a_tf1_cell_too():
    from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl

    with pytest.raises(TypeError, match=r"the TF1 cell tensorflow\.python\.keras\.layers\.legacy_rnn\.rnn_cell_impl\.GRUCell: "
                       r"migrate it to rnnmigrate\.layers\.GRUCell"):
        runtime.DynamicRNN(rnn_cell_impl.GRUCell(2))
