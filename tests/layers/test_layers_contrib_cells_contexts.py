"""LayerNormBasicLSTMCell and NASCell in every context: bidirectional, a TF1 program with its own
Saver and Adam, a ``.keras`` round trip, and recurrent dropout's rules (``DropoutWrapper``'s table).

The TF1 side runs the oracle cells of ``tf1_contrib_cells``, which ``test_layers_contrib_cells``
holds to TF 1.x's own test values and to NumPy float64; ``test_layers_dynamic_rnn`` runs the
``CELL_SPECS`` matrix (lengths 0/1/T, batch 1, time_major, initial_state, tf.function, checkpoint).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
import tf1_contrib_cells as tf1_cells
from tf1_reference import (
    BATCH,
    INPUT_DEPTH,
    LENGTHS,
    SPECS_BY_NAME,
    TOLERANCE,
    TF1Reference,
    assert_matches,
    random_inputs,
    reference,
    v1,
)



# ----------------------------------------------------------------- a TF1 program and its own Saver


def _program(kind: str):
    """An encoder (bidirectional LN-LSTM / NAS) and a decoder (NAS), as TF1 or migrated (forward only:
    a training graph through the layer norms costs a minute to build here)."""
    cells = tf1_cells if kind == "tf1" else runtime
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        with v1.variable_scope("encoder"):
            fw, bw = cells.LayerNormBasicLSTMCell(4, forget_bias=0.5), cells.NASCell(4, num_proj=3, use_biases=True)
            if kind == "tf1":
                outputs, states = v1.nn.bidirectional_dynamic_rnn(fw, bw, inputs, lengths, dtype=tf.float32)
            else:
                outputs, states = runtime.BidirectionalDynamicRNN(fw, bw)(inputs, sequence_length=lengths)
        with v1.variable_scope("decoder"):
            cell, encoded = cells.NASCell(3), tf.concat(outputs, axis=2)
            if kind == "tf1":
                decoded, final = v1.nn.dynamic_rnn(cell, encoded, lengths, dtype=tf.float32)
            else:
                decoded, final = runtime.DynamicRNN(cell)(encoded, sequence_length=lengths)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
    feed = {inputs: random_inputs(seed=31), lengths: LENGTHS}
    return graph, session, {"outputs": outputs, "states": states, "decoded": decoded, "final": final}, feed


def _values(graph, session) -> dict:
    with graph.as_default():
        return {variable.op.name: session.run(variable) for variable in v1.global_variables()}


def test_tf1_program_restores_with_its_own_saver_and_saves_for_tf1(tmp_path, record_property):
    graph, session, fetches, feed = _program("tf1")
    rng = np.random.default_rng(5)
    with graph.as_default():
        for variable in v1.trainable_variables():
            variable.load(rng.normal(0, 0.7, variable.shape.as_list()).astype(np.float32), session)
        prefix = v1.train.Saver().save(session, str(tmp_path / "tf1"))
        expected = session.run(fetches, feed)
        names = {v.op.name: v.shape.as_list() for v in v1.global_variables()}

    ours_graph, ours_session, ours_fetches, ours_feed = _program("runtime")
    with ours_graph.as_default():
        assert {v.op.name: v.shape.as_list() for v in v1.global_variables()} == names
        assert "encoder/bidirectional_rnn/fw/layer_norm_basic_lstm_cell/state/gamma" in names
        assert "encoder/bidirectional_rnn/bw/nas_cell/projection_weights" in names
        saver = v1.train.Saver()
        saver.restore(ours_session, prefix)
        assert_matches(ours_session.run(ours_fetches, ours_feed), expected, record_property)
        for variable in v1.trainable_variables():
            variable.load(rng.normal(0, 0.7, variable.shape.as_list()).astype(np.float32), ours_session)
        changed = ours_session.run(ours_fetches, ours_feed)
        saved = saver.save(ours_session, str(tmp_path / "migrated"))
    with graph.as_default():
        v1.train.Saver().restore(session, saved)  # the migrated program's checkpoint loads in TF1 again
        assert_matches(session.run(fetches, feed), changed)


# ----------------------------------------------------------------- .keras round trip


def test_keras_file_round_trip_from_a_tf1_checkpoint(tmp_path, record_property):
    tf1_ln, tf1_nas = reference("dynamic", "layer_norm_lstm"), reference("dynamic", "nas_proj_bias")
    inputs, lengths = keras.Input((None, INPUT_DEPTH)), keras.Input((), dtype="int32")
    ln_outputs, ln_state = runtime.DynamicRNN(SPECS_BY_NAME["layer_norm_lstm"].make_runtime(), name="ln")(
        inputs, sequence_length=lengths
    )
    nas_outputs, nas_state = runtime.DynamicRNN(SPECS_BY_NAME["nas_proj_bias"].make_runtime(), name="nas")(
        inputs, sequence_length=lengths
    )
    model = keras.Model([inputs, lengths], [ln_outputs, ln_state.c, ln_state.h, nas_outputs, nas_state.c, nas_state.h])
    for layer, tf1 in (("ln", tf1_ln), ("nas", tf1_nas)):  # the layers' scopes are their names
        runtime.load_tf1_weights(model.get_layer(layer), {layer + n[3:]: v for n, v in tf1.values.items()})
    x = random_inputs(seed=41)
    expected = [tf1.run(inputs=x, sequence_length=LENGTHS) for tf1 in (tf1_ln, tf1_nas)]
    expected = [(e["outputs"], e["state"].c, e["state"].h) for e in expected]

    model.save(tmp_path / "contrib.keras")
    restored = keras.saving.load_model(tmp_path / "contrib.keras")

    assert_matches(restored([x, LENGTHS]), [*expected[0], *expected[1]], record_property)
    cell = restored.get_layer("ln").cell
    assert (cell.forget_bias, cell.norm_gain, cell.norm_shift) == (0.3, 0.8, 0.1)
    assert restored.get_layer("nas").cell.num_proj == 3 and restored.get_layer("nas").cell.use_biases


# ----------------------------------------------------------------- recurrent dropout: when it runs


def _ln_rnn(keep_prob, weights=None):
    rnn = runtime.DynamicRNN(runtime.LayerNormBasicLSTMCell(5, dropout_keep_prob=keep_prob, dropout_prob_seed=3))
    if weights is not None:
        runtime.load_tf1_weights(rnn, weights)
    return rnn


def test_dropout_number_follows_training_in_keras_and_a_tensor_always_applies():
    weights = reference("dynamic", "layer_norm_lstm").values
    x = random_inputs(seed=51)
    plain = _ln_rnn(1.0, weights)(x, sequence_length=LENGTHS)
    dropped = _ln_rnn(0.5, weights)
    np.testing.assert_array_equal(dropped(x, sequence_length=LENGTHS)[0], plain[0])  # inference: exact
    trained = dropped(x, sequence_length=LENGTHS, training=True)[0]
    assert np.max(np.abs(trained - plain[0])) > 1e-2
    np.testing.assert_array_equal(np.asarray(trained)[1], 0.0)  # a length-0 row stays zero
    tensor_one = _ln_rnn(tf.constant(1.0), weights)(x, sequence_length=LENGTHS)
    np.testing.assert_array_equal(tensor_one[0], plain[0])
    assert np.max(np.abs(_ln_rnn(tf.constant(0.5), weights)(x, sequence_length=LENGTHS)[0] - plain[0])) > 1e-2
    with pytest.raises(ValueError, match="tensor cannot be saved"):
        runtime.LayerNormBasicLSTMCell(5, dropout_keep_prob=tf.constant(0.5)).get_config()


def test_dropout_number_below_one_always_applies_in_a_tf1_graph_as_in_tf1():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(random_inputs(seed=52))
        with v1.variable_scope("keep"):
            kept, _ = runtime.DynamicRNN(runtime.LayerNormBasicLSTMCell(5))(x)
        with v1.variable_scope("drop"):
            dropped, _ = runtime.DynamicRNN(runtime.LayerNormBasicLSTMCell(5, dropout_keep_prob=0.5))(x)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            variables = {variable.op.name: variable for variable in v1.global_variables()}
            for name, variable in variables.items():  # the same weights in both
                if name.startswith("drop/"):
                    variable.load(session.run(variables["keep/" + name[5:]]), session)
            first, second, reference_run = session.run(dropped), session.run(dropped), session.run(kept)
    assert np.max(np.abs(first - second)) > 1e-2 and np.max(np.abs(first - reference_run)) > 1e-2


# ----------------------------------------------------------------- negative controls in the TF1 matrix


@pytest.mark.parametrize(
    ("spec_name", "wrong_tf1_cell"),
    [
        ("layer_norm_lstm", lambda: tf1_cells.LayerNormBasicLSTMCell(5, forget_bias=0.3, skip_norm=("state",))),
        ("layer_norm_lstm", lambda: tf1_cells.LayerNormBasicLSTMCell(5, forget_bias=0.3, gate_order="ifjo")),
        ("nas_proj_bias", lambda: tf1_cells.NASCell(5, num_proj=3, use_biases=True, swap_gates=(1, 3))),
    ],
    ids=["dropped_state_norm", "gates_i_f_j_o", "nas_gates_1_3_swapped"],
)
def test_the_matrix_catches_a_dropped_norm_and_a_wrong_gate_order(spec_name, wrong_tf1_cell):
    """The same check as ``test_layers_dynamic_rnn``, against a TF1 cell that is wrong in one place."""
    from tf1_reference import dynamic_rnn_graph, max_abs_diff

    wrong = TF1Reference(dynamic_rnn_graph(wrong_tf1_cell))
    rnn = runtime.DynamicRNN(SPECS_BY_NAME[spec_name].make_runtime())
    runtime.load_tf1_weights(rnn, wrong.values)
    inputs = random_inputs(seed=61)
    expected = wrong.run(inputs=inputs, sequence_length=LENGTHS)
    assert max_abs_diff(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"])) > 100 * TOLERANCE


# ----------------------------------------------------------------- gradients


@pytest.mark.parametrize("spec_name", ["layer_norm_lstm", "nas_proj_bias"])
def test_gradients_match_tf1s(spec_name, record_property):
    """Training reaches every TF1 variable with TF1's gradients: two steps of the cell, eager (a
    gradient through the whole time loop costs a minute to build here; the loop is the engine's,
    proven with the core cells)."""
    rng = np.random.default_rng(71)
    x1, x2 = (rng.normal(size=(BATCH, INPUT_DEPTH)).astype(np.float32) for _ in range(2))

    def loss_of(cell, state):
        output, state = cell(tf.constant(x1), state)
        output, state = cell(tf.constant(x2), state)
        weighted = output * np.arange(output.shape[-1], dtype=np.float32)
        return tf.reduce_sum(weighted) + tf.reduce_sum(state.c)

    def build():
        cell = SPECS_BY_NAME[spec_name].make_tf1()
        with v1.variable_scope("rnn"):
            loss = loss_of(cell, cell.zero_state(BATCH, tf.float32))
        variables = v1.trainable_variables()
        return {}, {v.op.name: g for v, g in zip(variables, tf.gradients(loss, variables))}

    tf1 = TF1Reference(build)
    expected = tf1.run()
    cell = SPECS_BY_NAME[spec_name].make_runtime()
    runtime.load_tf1_weights(cell, tf1.values, scope="rnn")
    with tf.GradientTape() as tape:
        loss = loss_of(cell, cell.zero_state(BATCH))
    gradients = dict(zip((w.path for w in cell.trainable_weights), tape.gradient(loss, cell.trainable_weights)))
    assert sorted(gradients) == sorted(expected)
    names = sorted(expected)
    assert all(np.max(np.abs(expected[name])) > 1e-4 for name in names), "every variable gets a gradient"
    assert_matches([gradients[name] for name in names], [expected[name] for name in names], record_property)
