"""Migrated code inside Keras: model classes called repeatedly, fit, save/load, checkpoints, dtypes.

Rewritten code builds its layers inline (``DynamicRNN(LSTMCell(4))(x)``); in a
``call()`` that runs on every call.  The variables must be built once, kept by
the enclosing model under their TF1 names, and give TF1's numbers.
"""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import LENGTHS, TF1Reference, assert_matches, random_inputs, rnn_cell, v1

UNITS = 4


def _tf1_encoder():
    def build():
        inputs = v1.placeholder(tf.float32, [None, None, 3])
        lengths = v1.placeholder(tf.int32, [None])
        with v1.variable_scope("encoder"):
            outputs, state = v1.nn.bidirectional_dynamic_rnn(
                rnn_cell.LSTMCell(UNITS), rnn_cell.GRUCell(UNITS), inputs, sequence_length=lengths, dtype=tf.float32
            )
        return {"inputs": inputs, "sequence_length": lengths}, {"outputs": outputs, "state": state}

    return TF1Reference(build)


@keras.saving.register_keras_serializable("tests")
class Encoder(keras.layers.Layer):
    """A user's layer whose call() is rewritten TF1 code: layers built inline, every call."""

    def call(self, inputs, lengths):
        with v1.variable_scope("encoder"):
            outputs, state = runtime.BidirectionalDynamicRNN(runtime.LSTMCell(UNITS), runtime.GRUCell(UNITS))(
                inputs, sequence_length=lengths
            )
        return outputs, state


@keras.saving.register_keras_serializable("tests")
class Tagger(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Encoder()
        self.head = keras.layers.Dense(1)

    def call(self, inputs):
        sequence, lengths = inputs
        (forward, backward), _ = self.encoder(sequence, lengths)
        return self.head(tf.concat([forward, backward], axis=-1))


def _inputs(seed=81):
    return [random_inputs(seed=seed), LENGTHS]


def test_layer_in_a_model_builds_once_and_gives_tf1_numbers():
    tf1 = _tf1_encoder()
    model = Tagger()
    with runtime.tf1_weights(tf1.values):
        model(_inputs())
    names = [weight.path for weight in model.weights]
    assert names[:6] == [
        "encoder/bidirectional_rnn/fw/lstm_cell/kernel",
        "encoder/bidirectional_rnn/fw/lstm_cell/bias",
        "encoder/bidirectional_rnn/bw/gru_cell/gates/kernel",
        "encoder/bidirectional_rnn/bw/gru_cell/gates/bias",
        "encoder/bidirectional_rnn/bw/gru_cell/candidate/kernel",
        "encoder/bidirectional_rnn/bw/gru_cell/candidate/bias",
    ]
    parameters = model.count_params()
    for seed in (82, 83):  # later calls reuse the first call's variables
        inputs = _inputs(seed)
        expected = tf1.run(inputs=inputs[0], sequence_length=LENGTHS)
        assert_matches(model.encoder(*inputs), (expected["outputs"], expected["state"]))
        model(inputs)
    assert model.count_params() == parameters == sum(int(np.prod(v.shape)) for v in tf1.values.values()) + 2 * UNITS + 1


def test_fit_trains_every_weight_and_tf_function_calls_reuse_them():
    model = Tagger()
    model.compile(keras.optimizers.Adam(0.05), "mse")
    inputs, targets = _inputs(), np.ones((4, 5, 1), np.float32)
    model(inputs)
    before = [weight.numpy().copy() for weight in model.weights]
    history = model.fit(inputs, targets, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(not np.allclose(old, new.numpy()) for old, new in zip(before, model.weights))
    run = tf.function(model)
    np.testing.assert_allclose(run(inputs).numpy(), model(inputs).numpy(), atol=1e-6)
    assert len(model.weights) == len(before)


def test_two_models_in_one_process_do_not_share():
    first, second = Tagger(), Tagger()
    first(_inputs())
    second(_inputs())
    assert not {id(weight) for weight in first.weights} & {id(weight) for weight in second.weights}


def test_tf_train_checkpoint_round_trip(tmp_path):
    model = Tagger()
    expected = model(_inputs()).numpy()
    path = tf.train.Checkpoint(model=model).save(str(tmp_path / "ckpt"))
    restored = Tagger()
    restored(_inputs())
    tf.train.Checkpoint(model=restored).restore(path).assert_existing_objects_matched()
    np.testing.assert_array_equal(restored(_inputs()).numpy(), expected)


def test_keras_file_loads_in_a_fresh_process(tmp_path):
    model = Tagger()
    model.compile("adam", "mse")
    model.fit(_inputs(), np.ones((4, 5, 1), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "tagger.keras")
    np.save(tmp_path / "expected.npy", model(_inputs()).numpy())
    np.save(tmp_path / "inputs.npy", _inputs()[0])
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).parent)!r})
        import numpy as np, keras
        import rnnmigrate.layers
        from test_layers_keras_contexts import Tagger
        model = keras.saving.load_model({str(tmp_path / "tagger.keras")!r})
        outputs = model([np.load({str(tmp_path / "inputs.npy")!r}), np.array({LENGTHS.tolist()}, np.int32)])
        print(float(np.max(np.abs(outputs.numpy() - np.load({str(tmp_path / "expected.npy")!r})))))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert float(result.stdout.strip().splitlines()[-1]) == 0.0


def test_keras_file_from_an_older_layout_is_refused_in_one_line():
    config = keras.saving.serialize_keras_object(runtime.DynamicRNN(runtime.GRUCell(3)))
    config["config"].pop("rnnmigrate_layout")
    with pytest.raises(Exception, match="older rnnmigrate"):
        keras.saving.deserialize_keras_object(config)


def test_eager_code_outside_a_model_shares_only_through_a_store():
    inputs = random_inputs()
    separate = [runtime.DynamicRNN(runtime.GRUCell(UNITS))(inputs)[1] for _ in range(2)]
    assert not np.allclose(separate[0].numpy(), separate[1].numpy()), "no hidden process-wide registry"

    store = runtime.VariableStore()
    shared = []
    for _ in range(2):
        with store:
            shared.append(runtime.DynamicRNN(runtime.GRUCell(UNITS))(inputs)[1])
    np.testing.assert_array_equal(shared[0].numpy(), shared[1].numpy())
    assert sorted(store.by_name) == [f"rnn/gru_cell/{n}" for n in ("candidate/bias", "candidate/kernel", "gates/bias", "gates/kernel")]


def test_float64_inputs_run_in_float64_eagerly():
    inputs = random_inputs().astype(np.float64)
    outputs, state = runtime.DynamicRNN(runtime.LSTMCell(UNITS))(tf.constant(inputs), sequence_length=LENGTHS)
    assert outputs.dtype == tf.float64 and state.c.dtype == tf.float64


def test_mixed_float16_policy_computes_in_float16_with_float32_variables():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        cell = runtime.GRUCell(UNITS)
        outputs, state = runtime.DynamicRNN(cell)(random_inputs(), sequence_length=LENGTHS)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert outputs.dtype == tf.float16 and state.dtype == tf.float16
    assert {variable.dtype for variable in cell.weights} == {"float32"}


def test_zero_state_with_a_python_batch_size_in_a_functional_model():
    cell = runtime.LSTMCell(UNITS)
    inputs = keras.Input((5, 3), batch_size=4)
    outputs, _ = runtime.DynamicRNN(cell)(inputs, initial_state=cell.zero_state(4, tf.float32))
    model = keras.Model(inputs, outputs)
    assert model(random_inputs()).shape == (4, 5, UNITS)


def test_zero_state_eagerly_and_under_tf_function():
    cell = runtime.MultiRNNCell([runtime.LSTMCell(UNITS), runtime.GRUCell(2)])

    @tf.function
    def run(inputs):
        state = cell.zero_state(tf.shape(inputs)[0], tf.float32)
        return runtime.DynamicRNN(cell)(inputs, initial_state=state)[1]

    eager_zero = cell.zero_state(4, tf.float32)
    assert isinstance(eager_zero[0], runtime.LSTMStateTuple) and eager_zero[1].shape == (4, 2)
    traced = run(random_inputs())
    assert isinstance(traced[0], runtime.LSTMStateTuple) and traced[0].h.shape == (4, UNITS)


def test_bfloat16_inputs_run_in_bfloat16():
    inputs = tf.cast(random_inputs(), tf.bfloat16)
    cell = runtime.GRUCell(UNITS)
    outputs, state = runtime.DynamicRNN(cell)(inputs, sequence_length=LENGTHS)
    values = {name: tf.cast(variable, tf.float32).numpy() for name, variable in cell.tf1_variables().items()}
    reference_rnn = runtime.DynamicRNN(runtime.GRUCell(UNITS))
    runtime.load_tf1_weights(reference_rnn, values)
    reference, _ = reference_rnn(tf.cast(inputs, tf.float32), sequence_length=LENGTHS)
    assert outputs.dtype == tf.bfloat16 and state.dtype == tf.bfloat16
    assert {variable.dtype for variable in cell.weights} == {"bfloat16"}
    np.testing.assert_allclose(tf.cast(outputs, tf.float32).numpy(), reference.numpy(), atol=0.1)


def test_later_calls_inside_tf1_weights_do_not_read_the_checkpoint_again():
    tf1 = _tf1_encoder()
    model = Tagger()
    with runtime.tf1_weights(tf1.values) as loaded:
        model(_inputs())
        model(_inputs(seed=84))
    assert sorted(loaded.loaded_variables) == sorted(tf1.values)


def test_eager_calls_under_tf1_dimension_shapes():
    """Code that runs with ``disable_v2_tensorshape()`` (tf-rnn-attention does) has shapes of
    TF 1.x ``Dimension`` objects; the compiled-call cache must read them as numbers."""
    inputs = tf.constant(random_inputs())
    layer = runtime.DynamicRNN(runtime.GRUCell(UNITS))
    expected_outputs, expected_state = layer(inputs, sequence_length=LENGTHS)
    tf.compat.v1.disable_v2_tensorshape()
    try:
        outputs, state = layer(inputs, sequence_length=LENGTHS)
        fresh_outputs, _ = runtime.DynamicRNN(runtime.GRUCell(UNITS))(tf.constant(random_inputs(seed=5)))
    finally:
        tf.compat.v1.enable_v2_tensorshape()
    np.testing.assert_array_equal(outputs, expected_outputs)
    np.testing.assert_array_equal(state, expected_state)
    assert fresh_outputs.shape == expected_outputs.shape


def test_a_model_that_builds_its_dropout_wrappers_on_every_call_runs_in_tf_function():
    """TF1-style code builds its cells inside the model's call; at inference (keep 1.0) a
    DropoutWrapper holds no seed variable, so a second call under tf.function creates none."""

    class Rebuilt(keras.Model):
        def call(self, inputs):
            cell = runtime.MultiRNNCell([runtime.DropoutWrapper(runtime.BasicLSTMCell(UNITS), output_keep_prob=1.0)])
            return runtime.DynamicRNN(cell, dtype=tf.float32)(inputs)[0]

    model, inputs = Rebuilt(), tf.constant(random_inputs())
    store = runtime.VariableStore()

    @tf.function
    def twice(x):
        with store:
            return model(x), model(x)

    first, second = twice(inputs)
    np.testing.assert_array_equal(first, second)
    assert runtime.DropoutWrapper(runtime.BasicLSTMCell(UNITS), output_keep_prob=0.5).seed_generator is not None
