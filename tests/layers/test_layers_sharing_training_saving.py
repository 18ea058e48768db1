"""Weight sharing like TF1, training, and .keras / SavedModel round trips."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    INPUT_DEPTH,
    LENGTHS,
    TIME_STEPS,
    TF1Reference,
    assert_matches,
    random_inputs,
    rnn_cell,
    v1,
)


def _two_calls_one_cell_graph():
    """TF1: one cell object in two dynamic_rnn calls under different scopes."""

    def build():
        first = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        second = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        cell = rnn_cell.LSTMCell(4, use_peepholes=True)
        outputs_1, state_1 = v1.nn.dynamic_rnn(cell, first, sequence_length=lengths, dtype=tf.float32, scope="first")
        outputs_2, state_2 = v1.nn.dynamic_rnn(cell, second, sequence_length=lengths, dtype=tf.float32, scope="second")
        feeds = {"first": first, "second": second, "sequence_length": lengths}
        return feeds, {"first": (outputs_1, state_1), "second": (outputs_2, state_2)}

    return TF1Reference(build)


def test_one_cell_in_two_rnns_is_one_set_of_weights_like_tf1():
    tf1 = _two_calls_one_cell_graph()
    assert sorted(tf1.values) == [f"first/lstm_cell/{n}" for n in ("bias", "kernel", "w_f_diag", "w_i_diag", "w_o_diag")]

    cell = runtime.LSTMCell(4, use_peepholes=True)
    first, second = runtime.DynamicRNN(cell, name="first"), runtime.DynamicRNN(cell, name="second")
    runtime.load_tf1_weights(first, tf1.values)
    inputs_1, inputs_2 = random_inputs(seed=51), random_inputs(seed=52)

    expected = tf1.run(first=inputs_1, second=inputs_2, sequence_length=LENGTHS)
    ours = {"first": first(inputs_1, sequence_length=LENGTHS), "second": second(inputs_2, sequence_length=LENGTHS)}
    assert_matches(ours, expected)


def _shared_cell_model(cell):
    inputs = keras.Input((TIME_STEPS, INPUT_DEPTH))
    lengths = keras.Input((), dtype="int32")
    outputs_1, _ = runtime.DynamicRNN(cell, name="first")(inputs, sequence_length=lengths)
    outputs_2, _ = runtime.DynamicRNN(cell, name="second")(inputs, sequence_length=lengths)
    return keras.Model([inputs, lengths], [outputs_1, outputs_2])


def test_shared_cell_in_a_model_trains_one_set_of_weights():
    cell = runtime.GRUCell(4)
    model = _shared_cell_model(cell)
    assert [w.path for w in model.trainable_weights] == [
        f"first/gru_cell/{name}" for name in ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")
    ]

    inputs = random_inputs(seed=53)
    before = model([inputs, LENGTHS])[1].numpy()
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model([inputs, LENGTHS])[0]))  # only the first use
    keras.optimizers.SGD(0.1).apply(tape.gradient(loss, model.trainable_weights), model.trainable_weights)

    outputs_1, outputs_2 = model([inputs, LENGTHS])
    np.testing.assert_array_equal(outputs_1.numpy(), outputs_2.numpy())
    assert not np.allclose(before, outputs_2.numpy()), "training the first use moved the shared weights"


def test_static_rnn_calls_share_the_cell():
    cell = runtime.LSTMCell(3, num_proj=2)
    steps = list(np.moveaxis(random_inputs(seed=54), 1, 0))
    outputs_1, _ = runtime.static_rnn(cell, steps, dtype=tf.float32)
    outputs_2, _ = runtime.static_rnn(cell, steps, dtype=tf.float32)
    assert [w.path for w in cell.weights] == ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias", "rnn/lstm_cell/projection/kernel"]
    np.testing.assert_array_equal(np.stack(outputs_1), np.stack(outputs_2))


def _varied_model():
    inputs = keras.Input((None, INPUT_DEPTH), name="inputs")
    lengths = keras.Input((), dtype="int32", name="lengths")
    outputs, state = runtime.DynamicRNN(
        runtime.LSTMCell(5, use_peepholes=True, num_proj=4, cell_clip=2.0), name="encoder"
    )(inputs, sequence_length=lengths)
    stack = runtime.MultiRNNCell(
        [runtime.DropoutWrapper(runtime.BasicLSTMCell(3), output_keep_prob=0.5), runtime.BasicRNNCell(2, activation=tf.nn.relu)]
    )
    (forward, backward), (_, state_bw) = runtime.BidirectionalDynamicRNN(runtime.GRUCell(3), stack, name="bi")(
        outputs, sequence_length=lengths
    )
    merged = keras.layers.Concatenate()([forward, backward])
    return keras.Model([inputs, lengths], [merged, state.h, state.c, state_bw[0].h, state_bw[1]])


def test_keras_file_round_trip_gives_the_same_outputs(tmp_path):
    model = _varied_model()
    inputs = [random_inputs(seed=55), LENGTHS]
    expected = model(inputs)
    model.save(tmp_path / "model.keras")

    restored = keras.saving.load_model(tmp_path / "model.keras")

    assert_matches(restored(inputs), expected)
    encoder = restored.get_layer("encoder")
    assert encoder.cell.use_peepholes and encoder.scope == "encoder"
    assert sorted(w.path for w in restored.weights) == sorted(w.path for w in model.weights)
    assert restored.get_layer("bi").cell_bw.cells[0].output_keep_prob == 0.5


def test_keras_file_keeps_a_shared_cell_shared(tmp_path):
    model = _shared_cell_model(runtime.BasicLSTMCell(3, forget_bias=0.25))
    model.save(tmp_path / "shared.keras")
    restored = keras.saving.load_model(tmp_path / "shared.keras")
    assert restored.get_layer("first").cell is restored.get_layer("second").cell
    assert restored.get_layer("first").cell.forget_bias == 0.25


def test_export_to_saved_model_gives_the_same_outputs(tmp_path):
    model = _varied_model()
    inputs = [random_inputs(seed=56), LENGTHS]
    expected = model(inputs)
    model.export(str(tmp_path / "exported"), verbose=False)

    exported = tf.saved_model.load(str(tmp_path / "exported"))  # keep a reference: it owns the variables

    assert_matches(exported.serve(inputs), expected)


def test_fit_reduces_the_loss_and_every_weight_gets_a_gradient():
    keras.utils.set_random_seed(0)
    model = _varied_model()
    inputs = [np.random.default_rng(0).normal(size=(4, TIME_STEPS, INPUT_DEPTH)).astype(np.float32), LENGTHS]
    targets = [np.zeros(tuple(output.shape)) for output in model(inputs)]
    with tf.GradientTape() as tape:
        loss = sum(tf.reduce_sum(tf.square(output)) for output in model(inputs, training=True))
    gradients = tape.gradient(loss, model.trainable_weights)
    assert all(gradient is not None for gradient in gradients)

    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    history = model.fit(inputs, targets, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]


def test_eager_training_steps_reduce_the_loss():
    rnn = runtime.DynamicRNN(runtime.MultiRNNCell([runtime.GRUCell(4), runtime.LSTMCell(3, use_peepholes=True)]))
    inputs = random_inputs(seed=57)
    target = np.full((inputs.shape[0], 3), 0.5, np.float32)
    optimizer = keras.optimizers.Adam(0.05)

    def loss_value():
        _, state = rnn(inputs, sequence_length=LENGTHS, training=True)
        return tf.reduce_mean(tf.square(state[-1].h - target))

    first = float(loss_value())
    for _ in range(10):
        with tf.GradientTape() as tape:
            loss = loss_value()
        optimizer.apply(tape.gradient(loss, rnn.trainable_weights), rnn.trainable_weights)
    assert float(loss_value()) < 0.5 * first


@pytest.mark.parametrize("time_major", [False, True])
def test_layer_config_round_trip(time_major):
    layer = runtime.DynamicRNN(runtime.GRUCell(3, activation=tf.nn.relu), time_major=time_major, name="dec/rnn")
    clone = runtime.DynamicRNN.from_config(layer.get_config())
    assert (clone.time_major, clone.scope, clone.name) == (time_major, "dec/rnn", "dec_rnn")
    assert clone.cell.activation is keras.activations.relu and clone.cell.tf1_base_name == "gru_cell"
    assert clone.cell is not layer.cell


def test_clone_model_gets_its_own_cell_weights():
    model = _varied_model()
    clone = keras.models.clone_model(model)
    original_ids = {id(weight) for weight in model.weights}
    assert len(clone.weights) == len(model.weights)
    assert not original_ids & {id(weight) for weight in clone.weights}
