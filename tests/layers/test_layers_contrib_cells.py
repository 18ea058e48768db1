"""LayerNormBasicLSTMCell and NASCell against TF 1.x's own expected values and a float64 NumPy port.

No TF kernel of these cells survives.  The oracles are (a) the numbers TF 1.x's unit tests
assert, computed by TF1 itself (``tensorflow/contrib/rnn/python/kernel_tests/rnn_cell_test.py``:
``testNASCell``, ``testNASCellProj``, ``LayerNormBasicLSTMCellTest.testBasicLSTMCell``,
``testBasicLSTMCellWithoutNorm``, ``testBasicLSTMCellWithDropout``; the hard-coded values below
are copied from there, the one place a test here hard-codes results), and (b) ``numpy_contrib_cells``,
float64, on random weights.  The TF1 oracle cells of ``tf1_contrib_cells`` (used for the
``dynamic_rnn`` matrix) are held to both first.
"""

import numpy as np
import pytest
import tensorflow as tf

import numpy_contrib_cells as reference
import rnnmigrate.layers as runtime
import tf1_contrib_cells as tf1_cells
from tf1_reference import rnn_cell, v1

IMPLEMENTATIONS = ("runtime", "tf1_oracle")
# (cell module, MultiRNNCell, LSTMStateTuple) per implementation
_MODULES = {
    "runtime": (runtime, runtime.MultiRNNCell, runtime.LSTMStateTuple),
    "tf1_oracle": (tf1_cells, rnn_cell.MultiRNNCell, rnn_cell.LSTMStateTuple),
}


def _one_step(implementation: str, make_cell, x, states, initializer: float):
    """One call ``cell(x, state)`` under ``variable_scope("root", initializer=constant(initializer))``."""
    cells, multi, state_tuple = _MODULES[implementation]
    state = tuple(state_tuple(c, h) for c, h in states) if len(states) > 1 else state_tuple(*states[0])

    def run():
        with v1.variable_scope("root", initializer=v1.constant_initializer(initializer)):
            cell = make_cell(cells) if len(states) == 1 else multi([make_cell(cells) for _ in states])
            return cell(tf.constant(x, tf.float32), tf.nest.map_structure(lambda v: tf.constant(v, tf.float32), state))

    if implementation == "runtime":
        return tf.nest.map_structure(np.asarray, run())
    graph = tf.Graph()
    with graph.as_default():
        fetches = run()
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            return session.run(fetches)


def _flat(structure) -> np.ndarray:
    return np.concatenate([np.ravel(value) for value in tf.nest.flatten(structure)])


# TF 1.x rnn_cell_test.py, LayerNormBasicLSTMCellTest: constant 0.5 weights, x = [[1, 1]] (or [[1, 1, 1]]).
_LN_STATES_TWO_LAYERS = (
    (0.1 * np.array([[0, 1]]), 0.1 * np.array([[2, 3]])),
    (0.1 * np.array([[4, 5]]), 0.1 * np.array([[6, 7]])),
)
_NAS_INPUTS = np.array([[1.0] * 4, [2.0] * 4, [3.0] * 4])
TF1_CASES = {
    "LayerNormBasicLSTMCell testBasicLSTMCell (2 layers)": (
        lambda m: m.LayerNormBasicLSTMCell(2), np.ones((1, 2)), _LN_STATES_TWO_LAYERS, 0.5, 1e-5,
        # output h, then per layer (c, h)
        [[-0.38079708, 0.38079708], [-1.0, 1.0], [-0.38079708, 0.38079708], [-1.0, 1.0], [-0.38079708, 0.38079708]],
    ),
    "LayerNormBasicLSTMCell testBasicLSTMCell (input 3)": (
        lambda m: m.LayerNormBasicLSTMCell(2), np.ones((1, 3)), _LN_STATES_TWO_LAYERS[:1], 0.5, 1e-5,
        [[-0.38079708, 0.38079708], [-1.0, 1.0], [-0.38079708, 0.38079708]],
    ),
    "LayerNormBasicLSTMCell testBasicLSTMCellWithoutNorm (2 layers)": (
        lambda m: m.LayerNormBasicLSTMCell(2, layer_norm=False), np.ones((1, 2)), _LN_STATES_TWO_LAYERS, 0.5, 1e-5,
        [[0.70230919, 0.72581059], [0.8020075, 0.89599884], [0.56668288, 0.60858738],
         [1.17500675, 1.26892781], [0.70230919, 0.72581059]],
    ),
    "LayerNormBasicLSTMCell testBasicLSTMCellWithoutNorm (input 3)": (
        lambda m: m.LayerNormBasicLSTMCell(2, layer_norm=False), np.ones((1, 3)), _LN_STATES_TWO_LAYERS[:1], 0.5, 1e-5,
        [[0.64121795, 0.68166804], [0.88477188, 0.98103917], [0.64121795, 0.68166804]],
    ),
    "NASCell testNASCell": (
        lambda m: m.NASCell(6), _NAS_INPUTS, ((0.1 * np.ones((3, 6)), 0.1 * np.ones((3, 6))),), 0.5, 1e-6,
        [np.repeat([[0.576751], [0.618936], [0.627393]], 6, axis=1),
         [[0.71579772] * 6, [0.78041625] * 6, [0.79457647] * 4 + [0.79457653] * 2],
         np.repeat([[0.57675087], [0.6189357], [0.62739348]], 6, axis=1)],
    ),
    "NASCell testNASCellProj": (
        lambda m: m.NASCell(6, num_proj=5), _NAS_INPUTS, ((0.1 * np.ones((3, 6)), 0.1 * np.ones((3, 5))),), 0.5, 1e-6,
        [np.repeat([[1.697418], [1.840037], [1.873985]], 5, axis=1),
         np.repeat([[0.69855207], [0.77073824], [0.78973997]], 6, axis=1),
         np.repeat([[1.69741797], [1.84003687], [1.87398517]], 5, axis=1)],
    ),
}


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("case", list(TF1_CASES))
def test_tf1_unit_test_values(case, implementation, record_property):
    make_cell, x, states, initializer, tolerance, expected = TF1_CASES[case]
    output, state = _one_step(implementation, make_cell, x, states, initializer)
    diff = float(np.max(np.abs(_flat((output, state)) - _flat(expected))))
    record_property("max_abs_diff", diff)
    assert diff <= tolerance, f"{case}: {diff:.3g} from TF 1.x's expected values"


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_tf1_unit_test_dropout_values(implementation):
    """testBasicLSTMCellWithDropout: each unit is either kept (c_high, h_high) or dropped (c_low, h_low).

    TF1's test checks 1 to 3 of 5 units dropped; 200 rows here make the dropped share's bound tight.
    """
    c_high, c_low, h_low, h_high = 2.9998924946, 0.999983298578, 0.761552567265, 0.995008519604
    ones = np.ones((200, 5))
    make = lambda m: m.LayerNormBasicLSTMCell(5, layer_norm=False, dropout_keep_prob=0.5)  # noqa: E731
    if implementation == "runtime":
        with v1.variable_scope("dropout", initializer=v1.constant_initializer(1.0)):
            cell = make(runtime)
            output, state = cell(tf.constant(ones, tf.float32), runtime.LSTMStateTuple(ones, ones), training=True)
        output, state = np.asarray(output), tf.nest.map_structure(np.asarray, state)
    else:
        output, state = _one_step(implementation, make, ones, ((ones, ones),), 1.0)
    dropped = np.abs(state.c - c_low) < 1e-4
    kept = np.abs(state.c - c_high) < 1e-4
    assert np.all(dropped | kept)
    assert np.all(np.abs(state.h[dropped] - h_low) < 1e-4) and np.all(np.abs(state.h[kept] - h_high) < 1e-4)
    assert np.array_equal(output, state.h)
    assert 0.4 < dropped.mean() < 0.6


# ----------------------------------------------------------------- float64 NumPy, random weights

UNITS, DEPTH, BATCH, TIME = 4, 3, 4, 5
LENGTHS = np.array([TIME, 0, 1, 3], np.int32)
F64_CELLS = {
    "layer_norm": (lambda m: m.LayerNormBasicLSTMCell(UNITS, forget_bias=0.4), "layer_norm_basic_lstm_cell"),
    "layer_norm_off": (lambda m: m.LayerNormBasicLSTMCell(UNITS, layer_norm=False, activation=tf.nn.relu),
                       "layer_norm_basic_lstm_cell"),
    "nas": (lambda m: m.NASCell(UNITS), "nas_cell"),
    "nas_proj_bias": (lambda m: m.NASCell(UNITS, num_proj=2, use_biases=True), "nas_cell"),
}


def random_weights(kind: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Every variable random, biases, gains and shifts included, by name below the cell's scope."""
    rng = np.random.default_rng(seed)
    normal = lambda *shape: rng.normal(0.0, 0.7, shape)  # noqa: E731
    if kind.startswith("layer_norm"):
        weights = {"kernel": normal(DEPTH + UNITS, 4 * UNITS)}
        if kind == "layer_norm_off":
            return {**weights, "bias": normal(4 * UNITS)}
        for scope in ("input", "transform", "forget", "output", "state"):
            weights[f"{scope}/gamma"], weights[f"{scope}/beta"] = 1.0 + normal(UNITS), normal(UNITS)
        return weights
    proj = 2 if kind == "nas_proj_bias" else UNITS
    weights = {"kernel": normal(DEPTH, 8 * UNITS), "recurrent_kernel": normal(proj, 8 * UNITS)}
    if kind == "nas_proj_bias":
        weights.update(bias=normal(8 * UNITS), projection_weights=normal(UNITS, proj))
    return weights


def numpy_run(kind: str, weights: dict, inputs, lengths, c0, h0, **options):
    if kind.startswith("layer_norm"):
        step_options = {"forget_bias": 0.4} if kind == "layer_norm" else {"layer_norm_on": False,
                                                                          "activation": lambda v: np.maximum(v, 0.0)}
        step = lambda x, c, h: reference.layer_norm_lstm_step(weights, x, c, h, **step_options, **options)  # noqa: E731
    else:
        step = lambda x, c, h: reference.nas_step(weights, x, c, h)  # noqa: E731
    return reference.dynamic_rnn(step, inputs, lengths, c0, h0)


def f64_case(kind: str, seed: int = 0):
    rng = np.random.default_rng(seed + 10)
    weights = random_weights(kind, seed)
    proj = 2 if kind == "nas_proj_bias" else UNITS
    inputs = rng.normal(size=(BATCH, TIME, DEPTH))
    c0, h0 = rng.normal(size=(BATCH, UNITS)), rng.normal(size=(BATCH, proj))
    return weights, inputs, c0, h0


def runtime_f64(kind: str, weights: dict, inputs, lengths, c0, h0):
    make, scope = F64_CELLS[kind]
    named = {f"rnn/{scope}/{name}": value for name, value in weights.items()}
    with runtime.tf1_weights(named):
        rnn = runtime.DynamicRNN(make(runtime))
        outputs, state = rnn(tf.constant(inputs), sequence_length=lengths, initial_state=runtime.LSTMStateTuple(c0, h0))
    assert outputs.dtype == tf.float64 and rnn.cell.weights[0].dtype == "float64"
    return np.asarray(outputs), (np.asarray(state.c), np.asarray(state.h))


def tf1_oracle_f64(kind: str, weights: dict, inputs, lengths, c0, h0):
    make, scope = F64_CELLS[kind]
    graph = tf.Graph()
    with graph.as_default():
        state = rnn_cell.LSTMStateTuple(tf.constant(c0), tf.constant(h0))
        fetches = v1.nn.dynamic_rnn(make(tf1_cells), tf.constant(inputs), sequence_length=lengths, initial_state=state)
        with v1.Session(graph=graph) as session:
            for variable in v1.global_variables():
                variable.load(weights[variable.op.name.split(f"rnn/{scope}/")[1]], session)
            outputs, final = session.run(fetches)
    return outputs, (final.c, final.h)


def _max_diff(ours, theirs) -> float:
    return float(np.max(np.abs(_flat(ours) - _flat(theirs))))


@pytest.mark.parametrize("kind", list(F64_CELLS))
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_float64_against_numpy(kind, implementation, record_property):
    weights, inputs, c0, h0 = f64_case(kind)
    expected = numpy_run(kind, weights, inputs, LENGTHS, c0, h0)
    run = runtime_f64 if implementation == "runtime" else tf1_oracle_f64
    diff = _max_diff(run(kind, weights, inputs, LENGTHS, c0, h0), expected)
    record_property("max_abs_diff", diff)
    assert diff <= 1e-12, f"{kind} ({implementation}): {diff:.3g} from NumPy float64"


def test_negative_controls_a_dropped_norm_and_a_wrong_gate_order_are_caught():
    """The float64 comparison fails when one normalisation is left out or two gates trade places."""
    weights, inputs, c0, h0 = f64_case("layer_norm")
    ours = runtime_f64("layer_norm", weights, inputs, LENGTHS, c0, h0)
    for skipped in ("state", "forget"):
        assert _max_diff(ours, numpy_run("layer_norm", weights, inputs, LENGTHS, c0, h0, skip_norm=(skipped,))) > 1e-3
    swapped = dict(weights)
    kernel = weights["kernel"]
    swapped["kernel"] = np.concatenate([kernel[:, UNITS:2 * UNITS], kernel[:, :UNITS], kernel[:, 2 * UNITS:]], axis=1)
    assert _max_diff(ours, numpy_run("layer_norm", swapped, inputs, LENGTHS, c0, h0)) > 1e-3

    weights, inputs, c0, h0 = f64_case("nas_proj_bias")
    ours = runtime_f64("nas_proj_bias", weights, inputs, LENGTHS, c0, h0)
    for first, second in ((0, 1), (3, 4)):
        swapped = dict(weights)
        for name in ("kernel", "recurrent_kernel", "bias"):
            parts = np.split(weights[name], 8, axis=-1)
            parts[first], parts[second] = parts[second], parts[first]
            swapped[name] = np.concatenate(parts, axis=-1)
        assert _max_diff(ours, numpy_run("nas_proj_bias", swapped, inputs, LENGTHS, c0, h0)) > 1e-3
