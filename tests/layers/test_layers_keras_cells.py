"""Keras 2 cells handed to TF1's RNN functions: tf-keras itself (the oracle) vs ``rnnmigrate.layers.Keras*Cell``.

The oracle is tf-keras's own cell in ``tf.compat.v1.nn.dynamic_rnn`` (or
``bidirectional_dynamic_rnn``) in a TF1 graph and session, every variable
random, biases included.  The runtime restores the oracle's checkpoint with the
program's own ``Saver`` in a TF1 graph, and eagerly loads it in ``tf1_weights``.
"""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    BATCH,
    INPUT_DEPTH,
    LENGTHS,
    TOLERANCE,
    TF1Reference,
    assert_matches,
    bidirectional_graph,
    dynamic_rnn_graph,
    max_abs_diff,
    random_inputs,
    random_state,
    rnn_cell,
    v1,
)

# tests/conftest.py sets TF_USE_LEGACY_KERAS=1 before TensorFlow loads: this is tf-keras.
keras2 = tf.keras.layers
UNITS = 4
BW_UNITS = 3

CASES = {
    "lstm": (lambda: keras2.LSTMCell(UNITS), lambda: runtime.KerasLSTMCell(UNITS)),
    "gru_reset_after": (lambda: keras2.GRUCell(UNITS), lambda: runtime.KerasGRUCell(UNITS)),
    "gru_reset_before": (
        lambda: keras2.GRUCell(UNITS, reset_after=False),
        lambda: runtime.KerasGRUCell(UNITS, reset_after=False),
    ),
    "lstm_hard_sigmoid_no_bias": (  # Keras 3's hard_sigmoid has another slope
        lambda: keras2.LSTMCell(UNITS, recurrent_activation="hard_sigmoid", use_bias=False),
        lambda: runtime.KerasLSTMCell(UNITS, recurrent_activation="hard_sigmoid", use_bias=False),
    ),
    "simple_rnn_tanh": (lambda: keras2.SimpleRNNCell(UNITS), lambda: runtime.KerasSimpleRNNCell(UNITS)),
    "simple_rnn_relu": (
        lambda: keras2.SimpleRNNCell(UNITS, activation="relu"),
        lambda: runtime.KerasSimpleRNNCell(UNITS, activation="relu"),
    ),
}
# time_major once, initial_state once (the LSTM's: a list [h, c]).
OPTIONS = {"lstm": {"with_initial_state": True}, "gru_reset_after": {"time_major": True}}


@functools.lru_cache(maxsize=None)
def _oracle(case: str) -> TF1Reference:
    return TF1Reference(dynamic_rnn_graph(CASES[case][0], outer_scope="enc", **OPTIONS.get(case, {})))


@functools.lru_cache(maxsize=None)
def _feeds(case: str) -> dict:
    options = OPTIONS.get(case, {})
    feeds = {"inputs": random_inputs(time_major=options.get("time_major", False)), "sequence_length": LENGTHS}
    if options.get("with_initial_state"):
        feeds["initial_state"] = random_state([np.zeros((BATCH, UNITS), np.float32)] * 2)
    return feeds


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keras_cells")
    saved = {}

    def checkpoint(case: str) -> str:
        if case not in saved:
            saved[case] = _oracle(case).save_checkpoint(str(directory / case / "model"))
        return saved[case]

    return checkpoint


def _names(graph) -> dict:
    with graph.as_default():
        return {variable.op.name: variable.shape.as_list() for variable in v1.global_variables()}


def _runtime_in_graph(case: str, cell, prefix: str):
    """The migrated program: the runtime under ``enc/``, restored by its own Saver."""
    options, feeds = OPTIONS.get(case, {}), _feeds(case)
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        initial = None
        if "initial_state" in feeds:
            initial = [v1.placeholder(tf.float32, [None, UNITS]) for _ in range(2)]
        with v1.variable_scope("enc"):
            rnn = runtime.DynamicRNN(cell, time_major=options.get("time_major", False), dtype=tf.float32)
            outputs, state = rnn(inputs, sequence_length=lengths, initial_state=initial)
        session = v1.Session(graph=graph)
        v1.train.Saver().restore(session, prefix)
    feed = {inputs: feeds["inputs"], lengths: feeds["sequence_length"]}
    if initial is not None:
        feed.update(zip(initial, feeds["initial_state"]))
    return session.run({"outputs": outputs, "state": state}, feed), _names(graph)


def _assert_same_structure(ours, expected) -> None:
    assert isinstance(ours, list) == isinstance(expected, list), (type(ours), type(expected))
    tf.nest.assert_same_structure(list(tf.nest.flatten(ours)), list(tf.nest.flatten(expected)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_tf1_graph_restored_by_its_own_saver_and_eager_tf1_weights_match_tf_keras(case, checkpoints, record_property):
    oracle = _oracle(case)
    expected = oracle.run(**_feeds(case))
    ours, names = _runtime_in_graph(case, CASES[case][1](), checkpoints(case))
    assert names == _names(oracle.graph)
    _assert_same_structure(ours["state"], expected["state"])
    diff_graph = assert_matches(ours, expected)

    options, feeds = OPTIONS.get(case, {}), _feeds(case)
    with runtime.tf1_weights(checkpoints(case)) as loaded:
        outputs, state = runtime.DynamicRNN(CASES[case][1](), time_major=options.get("time_major", False))(
            feeds["inputs"], sequence_length=LENGTHS, initial_state=feeds.get("initial_state")
        )
    assert sorted(loaded.loaded_variables) == sorted(names)
    _assert_same_structure(state, expected["state"])
    diff_eager = assert_matches({"outputs": outputs, "state": state}, expected)
    record_property("max_abs_diff", {"graph": diff_graph, "eager": diff_eager})


def _bidirectional_cells(kind: str):
    if kind == "tf1":
        return lambda: keras2.LSTMCell(UNITS), lambda: keras2.LSTMCell(BW_UNITS)
    return lambda: runtime.KerasLSTMCell(UNITS), lambda: runtime.KerasLSTMCell(BW_UNITS)


@functools.lru_cache(maxsize=None)
def _bidirectional_oracle() -> TF1Reference:
    return TF1Reference(bidirectional_graph(*_bidirectional_cells("tf1")))


def test_bidirectional_numbers_its_cells_like_tf_keras(tmp_path, record_property):
    oracle = _bidirectional_oracle()
    inputs = random_inputs(seed=5)
    expected = oracle.run(inputs=inputs, sequence_length=LENGTHS)
    assert sorted(_names(oracle.graph)) == sorted(
        f"{cell}/{name}" for cell in ("lstm_cell", "lstm_cell_1") for name in ("kernel", "recurrent_kernel", "bias")
    )
    prefix = oracle.save_checkpoint(str(tmp_path / "model"))
    make_fw, make_bw = _bidirectional_cells("runtime")
    graph = tf.Graph()
    with graph.as_default():
        placeholder = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        fetches = runtime.BidirectionalDynamicRNN(make_fw(), make_bw())(placeholder, sequence_length=lengths)
        session = v1.Session(graph=graph)
        v1.train.Saver().restore(session, prefix)
    assert _names(graph) == _names(oracle.graph)
    ours = session.run(fetches, {placeholder: inputs, lengths: LENGTHS})
    diff_graph = assert_matches(ours, (expected["outputs"], expected["states"]))
    with runtime.tf1_weights(prefix):
        eager = runtime.BidirectionalDynamicRNN(make_fw(), make_bw())(inputs, sequence_length=LENGTHS)
    assert all(isinstance(state, list) for state in eager[1])
    diff_eager = assert_matches(eager, (expected["outputs"], expected["states"]))
    record_property("max_abs_diff", {"graph": diff_graph, "eager": diff_eager})


def _naming_program(kind: str) -> dict:
    """TF1's own LSTMCell, Keras cells built out of construction order, two named alike, one used twice."""
    lstm, keras_lstm, keras_gru, keras_rnn = (
        (rnn_cell.LSTMCell, keras2.LSTMCell, keras2.GRUCell, keras2.SimpleRNNCell)
        if kind == "tf1"
        else (runtime.LSTMCell, runtime.KerasLSTMCell, runtime.KerasGRUCell, runtime.KerasSimpleRNNCell)
    )

    def rnn(cell, inputs, scope):
        if kind == "tf1":
            return v1.nn.dynamic_rnn(cell, inputs, dtype=tf.float32, scope=scope)
        return runtime.DynamicRNN(cell, scope=scope)(inputs)

    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        tf1_cell, first, second = lstm(UNITS), keras_lstm(UNITS), keras_gru(BW_UNITS, reset_after=False)
        named = [keras_rnn(UNITS, name="enc"), keras_rnn(BW_UNITS, name="enc")]
        with v1.variable_scope("outer", reuse=v1.AUTO_REUSE):
            rnn(tf1_cell, inputs, "tf1")
            rnn(second, inputs, "a")
            rnn(first, inputs, "b")
            for index, cell in enumerate(named):
                rnn(cell, inputs, f"named_{index}")
            rnn(first, inputs, "again")
    return _names(graph)


def test_variable_names_follow_tf_keras_in_a_graph():
    expected = _naming_program("tf1")
    assert expected["lstm_cell_1/kernel"] == [INPUT_DEPTH, 4 * UNITS]  # TF1's LSTMCell took number 0
    assert expected["enc/kernel_1"] == [INPUT_DEPTH, BW_UNITS]
    assert _naming_program("runtime") == expected


@keras.saving.register_keras_serializable("tests")
class _Encoder(keras.layers.Layer):
    """Rewritten TF1 code in a user's call(): Keras cells built inline on every call."""

    def call(self, inputs, lengths):
        fw, bw = _bidirectional_cells("runtime")
        return runtime.BidirectionalDynamicRNN(fw(), bw())(inputs, sequence_length=lengths)


def test_inline_cells_in_a_model_are_numbered_per_call_and_reused():
    oracle = _bidirectional_oracle()
    encoder = _Encoder()
    with runtime.tf1_weights(oracle.values):
        encoder(random_inputs(), LENGTHS)
    paths = [weight.path for weight in encoder.weights]
    assert sorted(paths) == sorted(_names(oracle.graph))
    for seed in (6, 7):
        inputs = random_inputs(seed=seed)
        expected = oracle.run(inputs=inputs, sequence_length=LENGTHS)
        assert_matches(encoder(inputs, LENGTHS), (expected["outputs"], expected["states"]))
    assert [weight.path for weight in encoder.weights] == paths


def test_fresh_variables_start_as_keras_does():
    cell = runtime.KerasLSTMCell(UNITS)
    runtime.DynamicRNN(cell)(random_inputs())
    kernel, recurrent, bias = (variable.numpy() for variable in cell.weights)
    limit = np.sqrt(6.0 / (INPUT_DEPTH + 4 * UNITS))
    assert np.all(np.abs(kernel) <= limit) and kernel.std() > limit / 4
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(UNITS), atol=1e-5)
    np.testing.assert_array_equal(bias, np.repeat([0.0, 1.0, 0.0, 0.0], UNITS))
    names = [f"lstm_cell/{name}" for name in ("kernel", "recurrent_kernel", "bias")]
    assert [variable.path for variable in cell.weights] == names
    gru = runtime.KerasGRUCell.from_config(runtime.KerasGRUCell(UNITS, reset_after=False).get_config())
    assert gru.reset_after is False and gru.zero_state(2, tf.float32).shape == (2, UNITS)
    assert isinstance(cell.get_initial_state(batch_size=2, dtype=tf.float32), list)


@pytest.mark.parametrize(
    "arguments, message",
    [({"dropout": 0.2}, "dropout=0.2"), ({"recurrent_dropout": 0.1}, "recurrent_dropout=0.1"),
     ({"kernel_regularizer": "l2"}, "kernel_regularizer")],
)
def test_unsupported_arguments_raise(arguments, message):
    with pytest.raises(NotImplementedError, match=message):
        runtime.KerasGRUCell(UNITS, **arguments)


def _eager_diff(case: str, cell, values: dict) -> float:
    feeds = _feeds(case)
    with runtime.tf1_weights(values):
        outputs, state = runtime.DynamicRNN(cell, time_major=OPTIONS.get(case, {}).get("time_major", False))(
            feeds["inputs"], sequence_length=LENGTHS, initial_state=feeds.get("initial_state")
        )
    return max_abs_diff({"outputs": outputs, "state": state}, _oracle(case).run(**feeds))


def test_negative_controls_reset_after_mismatch_and_keras3_hard_sigmoid_fail(checkpoints, record_property):
    """Other math on the same weights is far off; the other GRU bias shape does not restore."""
    gru, lstm = "gru_reset_after", "lstm_hard_sigmoid_no_bias"
    values = _oracle(gru).values
    folded = {name: (value.sum(axis=0) if name.endswith("bias") else value) for name, value in values.items()}
    reset_before = _eager_diff(gru, runtime.KerasGRUCell(UNITS, reset_after=False), folded)
    keras3_hard_sigmoid = _eager_diff(
        lstm,
        runtime.KerasLSTMCell(UNITS, recurrent_activation=keras.activations.hard_sigmoid, use_bias=False),
        _oracle(lstm).values,
    )
    record_property("max_abs_diff", {"reset_before": reset_before, "keras3_hard_sigmoid": keras3_hard_sigmoid})
    assert min(reset_before, keras3_hard_sigmoid) > 100 * TOLERANCE
    with pytest.raises(tf.errors.InvalidArgumentError):  # bias [12] vs the checkpoint's [2, 12]
        _runtime_in_graph(gru, runtime.KerasGRUCell(UNITS, reset_after=False), checkpoints(gru))
