"""CudnnCompatibleLSTMCell / CudnnCompatibleGRUCell beyond the CELL_SPECS matrix.

Two oracles: the cells rebuilt from TF 1.15's source in a TF1 graph (``tests/tf1_cudnn_cells.py``;
the LSTM step is TensorFlow's own ``LSTMBlockCell`` kernel), and, independently, Keras 3's
``LSTM`` / ``GRU(reset_after=True)`` given the same weights.  Also: the program's own Saver in
a TF1 graph, a ``.keras`` round trip, and negative controls.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    BATCH,
    INPUT_DEPTH,
    LENGTHS,
    TIME_STEPS,
    assert_matches,
    random_inputs,
    random_state,
    reference,
    v1,
)

UNITS = 5


def _ported(spec_name: str, cell, **options):
    tf1 = reference("dynamic", spec_name)
    rnn = runtime.DynamicRNN(cell, **options)
    runtime.load_tf1_weights(rnn, tf1.values)
    return tf1, rnn


def _keras_lstm_weights(values: dict, prefix: str) -> list:
    """TF1 i, j, f, o in one [d+u, 4u] kernel -> Keras i, f, c, o split kernels; forget_bias 0: nothing added."""
    kernel, bias = values[f"{prefix}/kernel"], values[f"{prefix}/bias"]

    def reorder(array):
        i, j, f, o = np.split(array, 4, axis=-1)
        return np.concatenate([i, f, j, o], axis=-1)

    kernel = reorder(kernel)
    return [kernel[:INPUT_DEPTH], kernel[INPUT_DEPTH:], reorder(bias)]


def _keras_gru_weights(values: dict, prefix: str) -> list:
    """TF1 gates r, u (u is Keras's z) -> Keras z, r, h; bias rows: [input, recurrent]."""
    reset, update = np.split(values[f"{prefix}/gates/kernel"], 2, axis=1)
    reset_bias, update_bias = np.split(values[f"{prefix}/gates/bias"], 2)
    kernel = np.concatenate([update[:INPUT_DEPTH], reset[:INPUT_DEPTH], values[f"{prefix}/candidate/input_projection/kernel"]], 1)
    recurrent = np.concatenate([update[INPUT_DEPTH:], reset[INPUT_DEPTH:], values[f"{prefix}/candidate/hidden_projection/kernel"]], 1)
    zeros = np.zeros(UNITS, np.float32)
    bias = np.stack([
        np.concatenate([update_bias, reset_bias, values[f"{prefix}/candidate/input_projection/bias"]]),
        np.concatenate([zeros, zeros, values[f"{prefix}/candidate/hidden_projection/bias"]]),
    ])
    return [kernel, recurrent, bias]


def _keras_run(layer, inputs, lengths, initial_state):
    mask = tf.sequence_mask(lengths, maxlen=inputs.shape[1])
    outputs, *states = layer(inputs, mask=mask, initial_state=initial_state)
    return outputs * tf.cast(mask, outputs.dtype)[:, :, None], states


def test_lstm_agrees_with_keras3_lstm_given_the_same_weights(record_property):
    tf1, rnn = _ported("cudnn_compatible_lstm", runtime.CudnnCompatibleLSTMCell(UNITS))
    keras_lstm = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True)
    keras_lstm.build((None, None, INPUT_DEPTH))
    keras_lstm.set_weights(_keras_lstm_weights(tf1.values, "rnn/cudnn_compatible_lstm_cell"))
    inputs = random_inputs(seed=31)
    initial = random_state(rnn.cell.zero_state(BATCH), seed=32)

    outputs, (h, c) = _keras_run(keras_lstm, inputs, LENGTHS, [initial.h, initial.c])
    ours, state = rnn(inputs, sequence_length=LENGTHS, initial_state=initial)

    assert_matches((ours, state.c, state.h), (outputs, c, h), record_property)


def test_gru_agrees_with_keras3_gru_reset_after_given_the_same_weights(record_property):
    tf1, rnn = _ported("cudnn_compatible_gru", runtime.CudnnCompatibleGRUCell(UNITS), time_major=True)
    keras_gru = keras.layers.GRU(UNITS, return_sequences=True, return_state=True, reset_after=True)
    keras_gru.build((None, None, INPUT_DEPTH))
    keras_gru.set_weights(_keras_gru_weights(tf1.values, "rnn/cudnn_compatible_gru_cell"))
    inputs = random_inputs(seed=33)
    initial = random_state(np.zeros((BATCH, UNITS), np.float32), seed=34)

    outputs, (h,) = _keras_run(keras_gru, inputs, LENGTHS, [initial])
    ours, state = rnn(np.swapaxes(inputs, 0, 1), sequence_length=LENGTHS, initial_state=initial)

    assert_matches((np.swapaxes(ours, 0, 1), state), (outputs, h), record_property)


def _stack_program(make_cells):
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        outputs, state = make_cells(inputs, lengths)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
    return graph, session, (inputs, lengths), (outputs, state)


def test_the_programs_own_saver_restores_the_tf1_checkpoint_in_a_tf1_graph(tmp_path, record_property):
    tf1 = reference("dynamic", "multi_cudnn_compatible")
    prefix = tf1.save_checkpoint(str(tmp_path / "model.ckpt"))

    def runtime_stack(inputs, lengths):
        cell = runtime.MultiRNNCell([runtime.CudnnCompatibleLSTMCell(4), runtime.CudnnCompatibleGRUCell(3)])
        return runtime.DynamicRNN(cell)(inputs, sequence_length=lengths)

    graph, session, (inputs, lengths), fetches = _stack_program(runtime_stack)
    with graph.as_default():
        names = sorted(v.op.name for v in v1.global_variables())
        v1.train.Saver().restore(session, prefix)
    data = random_inputs(seed=35)

    assert names == sorted(tf1.values)
    assert "rnn/multi_rnn_cell/cell_1/cudnn_compatible_gru_cell/candidate/hidden_projection/bias" in names
    expected = tf1.run(inputs=data, sequence_length=LENGTHS)
    assert_matches(session.run(fetches, {inputs: data, lengths: LENGTHS}), (expected["outputs"], expected["state"]),
                   record_property)


def test_keras_file_round_trip(tmp_path):
    tokens = keras.Input((TIME_STEPS, INPUT_DEPTH))
    lengths = keras.Input((), dtype="int32")
    outputs, state = runtime.DynamicRNN(runtime.CudnnCompatibleGRUCell(UNITS, kernel_initializer="orthogonal"))(
        tokens, sequence_length=lengths
    )
    stacked, _ = runtime.DynamicRNN(runtime.CudnnCompatibleLSTMCell(3), scope="second")(outputs, sequence_length=lengths)
    model = keras.Model([tokens, lengths], [stacked, state])
    data = [random_inputs(seed=36), LENGTHS]
    expected = model(data)
    model.save(tmp_path / "cudnn.keras")

    restored = keras.saving.load_model(tmp_path / "cudnn.keras")

    assert_matches(restored(data), expected)
    assert sorted(w.path for w in restored.weights) == sorted(w.path for w in model.weights)


def test_a_forget_bias_of_one_is_caught():
    """LSTMCell's default forget_bias=1 is the usual porting slip; CudnnLSTM's cell has none."""
    tf1, rnn = _ported("cudnn_compatible_lstm", runtime.CudnnCompatibleLSTMCell(UNITS))
    bias = rnn.cell.tf1_variables()["rnn/cudnn_compatible_lstm_cell/bias"]
    bias.assign(bias.numpy() + np.repeat([0.0, 0.0, 1.0, 0.0], UNITS).astype(np.float32))
    inputs = random_inputs(seed=37)
    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    with pytest.raises(AssertionError):
        assert_matches(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))


@pytest.mark.parametrize("mistake", ["reset_and_update_swapped", "hidden_bias_dropped"])
def test_gru_mistakes_are_caught(mistake):
    tf1, rnn = _ported("cudnn_compatible_gru", runtime.CudnnCompatibleGRUCell(UNITS))
    variables = rnn.cell.tf1_variables()
    if mistake == "reset_and_update_swapped":
        for name in ("gates/kernel", "gates/bias"):
            variable = variables[f"rnn/cudnn_compatible_gru_cell/{name}"]
            reset, update = np.split(variable.numpy(), 2, axis=-1)
            variable.assign(np.concatenate([update, reset], axis=-1))
    else:
        variables["rnn/cudnn_compatible_gru_cell/candidate/hidden_projection/bias"].assign(np.zeros(UNITS, np.float32))
    inputs = random_inputs(seed=38)
    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    with pytest.raises(AssertionError):
        assert_matches(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))
