"""Migrated code in a TF1 graph + session: the program's own Saver, scopes, reuse, Adam, dtypes, dropout.

Each test builds the same program twice, once with TF1's legacy cells and once
with the runtime (what ``rewrite --apply`` leaves: the rest is still TF1), and
runs both as TF1 programs run.
"""

import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import LENGTHS, TOLERANCE, assert_matches, max_abs_diff, random_inputs, rnn_cell, v1

DEPTH, UNITS = 3, 4


def _cells(kind: str):
    """(TF1 cell factory module, runtime module): the same code runs on either."""
    return {"tf1": (rnn_cell, v1.nn), "runtime": (runtime, None)}[kind]


def _encoder_decoder(kind: str, inputs, lengths):
    """Two RNNs under ``encoder/`` and ``decoder/``, a projection and a loss; TF1 scopes and names."""
    cells, nn = _cells(kind)
    with v1.variable_scope("model"):
        with v1.variable_scope("encoder"):
            cell = cells.MultiRNNCell([cells.LSTMCell(UNITS, use_peepholes=True), cells.GRUCell(UNITS)])
            if nn is not None:
                outputs, state = nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=inputs.dtype)
            else:
                outputs, state = runtime.DynamicRNN(cell, dtype=inputs.dtype)(inputs, sequence_length=lengths)
        with v1.variable_scope("decoder"):
            cell = cells.BasicLSTMCell(UNITS, forget_bias=2.0)
            if nn is not None:
                decoded, final = nn.dynamic_rnn(cell, outputs, sequence_length=lengths, initial_state=None, dtype=inputs.dtype)
            else:
                decoded, final = runtime.DynamicRNN(cell, dtype=inputs.dtype)(outputs, sequence_length=lengths)
        weights = v1.get_variable("projection", [UNITS, 1], dtype=inputs.dtype)
    prediction = tf.tensordot(decoded, weights, 1)
    loss = tf.reduce_mean(tf.square(prediction - 1.0))
    return {"outputs": outputs, "decoded": decoded, "state": state, "final": final}, loss


def _program(kind: str, dtype=tf.float32):
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(dtype, [None, None, DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        fetches, loss = _encoder_decoder(kind, inputs, lengths)
        train = v1.train.AdamOptimizer(0.05).minimize(loss)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
    feed = {inputs: random_inputs(seed=71).astype(dtype.as_numpy_dtype), lengths: LENGTHS}
    return graph, session, fetches, train, feed


def _randomize(graph, session, seed=7):
    rng = np.random.default_rng(seed)
    with graph.as_default():
        for variable in v1.trainable_variables():
            variable.load(rng.normal(0, 0.8, variable.shape.as_list()).astype(variable.dtype.as_numpy_dtype), session)


def _values(graph, session) -> dict:
    with graph.as_default():
        return {variable.op.name: session.run(variable) for variable in v1.global_variables()}


@pytest.fixture(scope="module")
def tf1_checkpoint(tmp_path_factory):
    graph, session, fetches, train, feed = _program("tf1")
    _randomize(graph, session)
    with graph.as_default():
        prefix = v1.train.Saver().save(session, str(tmp_path_factory.mktemp("tf1") / "model"))
        expected = session.run(fetches, feed)
        for _ in range(3):
            session.run(train, feed)
        trained = _values(graph, session), session.run(fetches, feed)
    return prefix, expected, trained


def test_variables_have_tf1_names_shapes_and_dtypes():
    tf1_graph, *_ = _program("tf1")
    ours_graph, *_ = _program("runtime")
    with tf1_graph.as_default():
        expected = {v.op.name: (v.shape.as_list(), v.dtype) for v in v1.global_variables()}
    with ours_graph.as_default():
        ours = {v.op.name: (v.shape.as_list(), v.dtype) for v in v1.global_variables()}
    assert ours == expected
    assert "model/encoder/rnn/multi_rnn_cell/cell_0/lstm_cell/w_f_diag" in ours


def test_own_saver_restores_trains_with_adam_and_saves_like_tf1(tf1_checkpoint, tmp_path):
    prefix, expected, (trained_values, trained_outputs) = tf1_checkpoint
    graph, session, fetches, train, feed = _program("runtime")
    with graph.as_default():
        saver = v1.train.Saver()
        saver.restore(session, prefix)
        assert_matches(session.run(fetches, feed), expected)
        for _ in range(3):
            session.run(train, feed)
        ours = _values(graph, session)
        assert sorted(ours) == sorted(trained_values)  # Adam slots: .../kernel/Adam, .../kernel/Adam_1
        assert max(float(np.max(np.abs(ours[name] - value))) for name, value in trained_values.items()) < TOLERANCE
        assert_matches(session.run(fetches, feed), trained_outputs)
        saved = saver.save(session, str(tmp_path / "after"))

    tf1_graph, tf1_session, tf1_fetches, _, tf1_feed = _program("tf1")
    with tf1_graph.as_default():
        v1.train.Saver().restore(tf1_session, saved)  # a migrated program's checkpoint loads in TF1 again
        assert_matches(tf1_session.run(tf1_fetches, tf1_feed), trained_outputs)


def test_saver_with_a_var_list_dict(tf1_checkpoint):
    prefix, expected, _ = tf1_checkpoint
    graph, session, fetches, _, feed = _program("runtime")
    with graph.as_default():
        trainable = {v.op.name: v for v in v1.trainable_variables()}
        v1.train.Saver(var_list=trainable).restore(session, prefix)
        assert_matches(session.run(fetches, feed), expected)


def test_tf1_weights_values_survive_global_variables_initializer(tf1_checkpoint):
    prefix, expected, _ = tf1_checkpoint
    with runtime.tf1_weights(prefix) as loaded:
        graph, session, fetches, _, feed = _program("runtime")
    assert_matches(session.run(fetches, feed), expected)  # _program ran global_variables_initializer()
    with graph.as_default():
        rnn_variables = {v.op.name for v in v1.trainable_variables()} - {"model/projection"}
    assert sorted(loaded.loaded_variables) == sorted(rnn_variables)


def test_load_tf1_weights_refuses_a_graph():
    graph = tf.Graph()
    with graph.as_default():
        rnn = runtime.DynamicRNN(runtime.GRUCell(UNITS))
        rnn(v1.placeholder(tf.float32, [None, None, DEPTH]))
        with pytest.raises(RuntimeError, match="Saver"):
            runtime.load_tf1_weights(rnn, {})


def test_control_flow_v1_graphs(tf1_checkpoint):
    """Real TF1 graphs used Enter/Exit control flow."""
    prefix, expected, _ = tf1_checkpoint
    v1.disable_control_flow_v2()
    try:
        graph, session, fetches, _, feed = _program("runtime")
        with graph.as_default():
            assert any(op.type == "Enter" for op in graph.get_operations())
            v1.train.Saver().restore(session, prefix)
            assert_matches(session.run(fetches, feed), expected)
    finally:
        v1.enable_control_flow_v2()


def _shared_encoder_program(kind: str, reuse):
    cells, nn = _cells(kind)
    graph = tf.Graph()
    with graph.as_default():
        inputs = [v1.placeholder(tf.float32, [None, None, DEPTH]) for _ in range(2)]

        def encode(tensor):
            with v1.variable_scope("siamese", reuse=reuse):
                cell = cells.LSTMCell(UNITS)
                if nn is not None:
                    return nn.dynamic_rnn(cell, tensor, dtype=tf.float32)[1].h
                return runtime.DynamicRNN(cell)(tensor)[1].h

        first = encode(inputs[0])
        if reuse is None:
            v1.get_variable_scope().reuse_variables()
        second = encode(inputs[1])
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
        _randomize(graph, session)
        parameters = sum(int(np.prod(v.shape.as_list())) for v in v1.trainable_variables())
    feed = {inputs[0]: random_inputs(seed=72), inputs[1]: random_inputs(seed=73)}
    return session.run([first, second], feed), parameters


@pytest.mark.parametrize("reuse", [v1.AUTO_REUSE, None])
def test_reuse_shares_weights_as_tf1(reuse):
    (tf1_first, tf1_second), tf1_parameters = _shared_encoder_program("tf1", reuse)
    (first, second), parameters = _shared_encoder_program("runtime", reuse)
    assert parameters == tf1_parameters == (DEPTH + UNITS) * 4 * UNITS + 4 * UNITS
    assert_matches((first, second), (tf1_first, tf1_second))


@pytest.mark.parametrize("kind", ["tf1", "runtime"])
def test_second_creation_without_reuse_raises_like_tf1(kind):
    cells, nn = _cells(kind)
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, None, DEPTH])
        for attempt in range(2):
            with v1.variable_scope("tower"):
                if attempt == 1:
                    context = pytest.raises(ValueError, match="tower/rnn/gru_cell/gates/kernel already exists")
                else:
                    context = _nothing()
                with context:
                    if nn is not None:
                        nn.dynamic_rnn(cells.GRUCell(UNITS), inputs, dtype=tf.float32)
                    else:
                        runtime.DynamicRNN(cells.GRUCell(UNITS))(inputs)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def test_variable_scope_object_as_scope():
    with tf.Graph().as_default():
        with v1.variable_scope("outer") as outer_scope:
            pass
        inputs = v1.placeholder(tf.float32, [None, None, DEPTH])
        runtime.DynamicRNN(runtime.GRUCell(UNITS), scope=outer_scope)(inputs)
        names = [v.op.name for v in v1.global_variables()]
    assert names[0] == "outer/gru_cell/gates/kernel"


def _dropout_program(kind: str, keep_prob_feed: float | None, number_keep_prob: float | None = None):
    cells, nn = _cells(kind)
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, DEPTH])
        keep_prob = number_keep_prob if number_keep_prob is not None else v1.placeholder(tf.float32, [])
        cell = cells.DropoutWrapper(cells.GRUCell(16), output_keep_prob=keep_prob)
        if nn is not None:
            outputs = nn.dynamic_rnn(cell, inputs, dtype=tf.float32)[0]
        else:
            outputs = runtime.DynamicRNN(cell)(inputs)[0]
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
        _randomize(graph, session)
    feed = {inputs: random_inputs(seed=74)}
    if number_keep_prob is None:
        feed[keep_prob] = keep_prob_feed
    return session.run(outputs, feed)


def test_placeholder_keep_probability_fed_one_is_exact_and_half_drops():
    assert max_abs_diff(_dropout_program("runtime", 1.0), _dropout_program("tf1", 1.0)) < TOLERANCE
    for kind in ("tf1", "runtime"):
        dropped = _dropout_program(kind, 0.5)
        assert 0.3 < np.mean(dropped == 0) < 0.7, kind


def test_number_keep_probability_drops_in_a_training_graph_as_tf1():
    for kind in ("tf1", "runtime"):
        assert 0.3 < np.mean(_dropout_program(kind, None, number_keep_prob=0.5) == 0) < 0.7, kind


@pytest.mark.parametrize("dtype", [tf.float64, tf.float16])
def test_dtype_reaches_the_cells_and_the_state(dtype):
    tf1_graph, tf1_session, tf1_fetches, _, tf1_feed = _program("tf1", dtype)
    _randomize(tf1_graph, tf1_session)
    expected = tf1_session.run(tf1_fetches, tf1_feed)
    graph, session, fetches, _, feed = _program("runtime", dtype)
    with graph.as_default():
        tf1_values = _values(tf1_graph, tf1_session)
        for variable in v1.trainable_variables():
            variable.load(tf1_values[variable.op.name], session)
        assert {v.dtype.base_dtype for v in v1.trainable_variables()} == {dtype}
    ours = session.run(fetches, feed)
    assert all(array.dtype == dtype.as_numpy_dtype for array in tf.nest.flatten(ours))
    tolerance = 1e-12 if dtype == tf.float64 else 2e-2
    assert max_abs_diff(ours, expected) < tolerance


def test_zero_state_in_a_graph():
    with tf.Graph().as_default():
        inputs = v1.placeholder(tf.float32, [None, None, DEPTH])
        cell = runtime.MultiRNNCell([runtime.LSTMCell(UNITS), runtime.GRUCell(2)])
        state = cell.zero_state(tf.shape(inputs)[0], tf.float32)
        outputs, final = runtime.DynamicRNN(cell)(inputs, initial_state=state)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            zero = session.run(state, {inputs: random_inputs()})
    assert isinstance(zero[0], runtime.LSTMStateTuple) and zero[0].c.shape == (4, UNITS) and not zero[1].any()


def _fixed_batch_zero_state_program(kind: str):
    """TF1 scripts built ``cell.zero_state(1, tf.float32)`` beside ``[None, T, D]`` placeholders."""
    cells, nn = _cells(kind)
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, DEPTH])
        cell = cells.BasicLSTMCell(UNITS)
        state = cell.zero_state(1, tf.float32)
        if nn is not None:
            outputs, final = nn.dynamic_rnn(cell, inputs, initial_state=state, dtype=tf.float32)
        else:
            outputs, final = runtime.DynamicRNN(cell, dtype=tf.float32)(inputs, initial_state=state)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
        _randomize(graph, session)
    return session.run((outputs, final), {inputs: random_inputs(batch=1, seed=75)})


def test_initial_state_with_a_fixed_batch_beside_unknown_batch_inputs():
    assert_matches(_fixed_batch_zero_state_program("runtime"), _fixed_batch_zero_state_program("tf1"))
