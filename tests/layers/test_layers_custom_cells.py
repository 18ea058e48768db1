"""A user's RNNCell subclass on the runtime's base gives TF1's numbers and keeps TF1's variable names.

Oracle: the same class bodies (``custom_cell_sources``) on TF1's legacy base in a TF1 graph
(tf-keras), every variable random, a Saver checkpoint. The runtime copies run eagerly, in
``tf.function``, inside a Keras model, and in a TF1 graph restored by their own Saver.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tests.layers.custom_cell_sources import ARGUMENTS, define, runtime_base, tf1_base
from tests.layers.tf1_reference import INPUT_DEPTH, LENGTHS, VARIABLE_SCALE, assert_matches, max_abs_diff, random_inputs

v1 = tf.compat.v1
CLASSES = sorted(ARGUMENTS)


@functools.lru_cache(maxsize=None)
def _classes(which: str) -> dict[str, type]:
    return define(tf1_base() if which == "tf1" else runtime_base())


def _make(which: str, name: str):
    return _classes(which)[name](*ARGUMENTS[name])


def _random_state(cell, batch: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    zero = cell.zero_state(batch, tf.float32)
    return tf.nest.map_structure(lambda t: rng.normal(size=t.shape).astype(np.float32), zero)


# Each class runs plain (lengths T, 0, 1 and 3; batch 4 and 1) and one or two variants, every variant by some class.
RUNS = {
    "GetVariableCell": ("plain", "bi"),
    "BuildLSTMCell": ("plain", "initial"),
    "ProjectedLSTMWrapper": ("plain", "time_major"),
    "OldStyleCell": ("plain", "initial", "bi"),
    "LearnedStartCell": ("plain", "time_major"),
}
_KINDS = {"plain": "dynamic", "time_major": "time_major", "initial": "dynamic", "bi": "bidirectional"}


def _build_all(make, inputs, lengths, initial_state, runs):
    """The runs a test compares, each under its own scope (as TF1 code and rewritten code write them)."""
    results = {}
    for key in runs:
        with v1.variable_scope(key):
            run = make(key, _KINDS[key])
            if key == "time_major":
                results[key] = run(tf.transpose(inputs, [1, 0, 2]), lengths, None)
            else:
                results[key] = run(inputs, lengths, initial_state if key == "initial" else None)
    return results


def _tf1_runner(name):
    def make(key, kind):
        if kind == "bidirectional":
            return lambda x, n, s: v1.nn.bidirectional_dynamic_rnn(
                _make("tf1", name), _make("tf1", name), x, sequence_length=n, dtype=tf.float32
            )
        return lambda x, n, s: v1.nn.dynamic_rnn(
            _make("tf1", name), x, sequence_length=n, initial_state=s, dtype=tf.float32, time_major=kind == "time_major"
        )

    return make


def _runtime_runner(name, cells=None):
    def make(key, kind):
        if kind == "bidirectional":
            layer = runtime.BidirectionalDynamicRNN(_make("runtime", name), _make("runtime", name))
            if cells is not None:
                cells.append(layer)
            return lambda x, n, s: layer(x, sequence_length=n)
        layer = runtime.DynamicRNN(_make("runtime", name), time_major=kind == "time_major")
        if cells is not None:
            cells.append(layer)
        return lambda x, n, s: layer(x, sequence_length=n, initial_state=s)

    return make


def _feeds(batch: int):
    inputs = random_inputs(batch=batch)
    lengths = LENGTHS[:batch] if batch > 1 else np.array([3], np.int32)
    return inputs, lengths


def _normalise(results):
    """Time-major outputs back to batch-major, so every run compares against the same layout."""
    if "time_major" not in results:
        return results
    outputs, state = results["time_major"]
    return {**results, "time_major": (np.transpose(np.asarray(outputs), [1, 0, 2]), state)}


class _Oracle:
    """One TF1 graph per class: the four runs, random variables, a checkpoint."""

    def __init__(self, name: str, directory):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
            self.lengths = v1.placeholder(tf.int32, [None])
            zero = _make("tf1", name).zero_state(1, tf.float32)
            self.state = tf.nest.map_structure(lambda t: v1.placeholder(tf.float32, [None, t.shape[-1]]), zero)
            self.fetches = _build_all(_tf1_runner(name), self.inputs, self.lengths, self.state, RUNS[name])
            self.session = v1.Session(graph=self.graph)
            rng = np.random.default_rng(0)
            self.values = {}
            for variable in v1.global_variables():
                value = rng.normal(0.0, VARIABLE_SCALE, variable.shape.as_list()).astype(np.float32)
                variable.load(value, self.session)
                self.values[variable.name[:-2]] = value
            self.checkpoint = v1.train.Saver().save(self.session, str(directory / "model"))

    def run(self, inputs, lengths, state):
        feed = {self.inputs: inputs, self.lengths: lengths}
        feed.update(zip(tf.nest.flatten(self.state), tf.nest.flatten(state)))
        return _normalise(self.session.run(self.fetches, feed))


@pytest.fixture(scope="module")
def oracles(tmp_path_factory):
    return {name: _Oracle(name, tmp_path_factory.mktemp(name)) for name in CLASSES}


def _assert_all(ours, theirs, record=None):
    worst = 0.0
    for key in theirs:
        worst = max(worst, assert_matches(ours[key], theirs[key]))
    if record is not None:
        record("max_abs_diff", worst)


@pytest.mark.parametrize("name", CLASSES)
def test_eager_and_tf_function_match_tf1_with_tf1_variable_names(name, oracles, record_property):
    oracle = oracles[name]
    state = _random_state(_make("tf1", name), 1)
    layers = []
    runner = _runtime_runner(name, layers)
    for batch in (4, 1):
        inputs, lengths = _feeds(batch)
        batch_state = tf.nest.map_structure(lambda a: np.repeat(a, batch, axis=0), state)
        if batch == 4:
            with runtime.tf1_weights(oracle.values) as loaded:
                runs = {}
                built = _build_all(lambda key, kind: runs.setdefault(key, runner(key, kind)), inputs, lengths,
                                   batch_state, RUNS[name])
            assert sorted(loaded.loaded_variables) == sorted(oracle.values)
            variables = {}
            for layer in layers:
                variables.update(layer.tf1_variables())
            assert sorted(variables) == sorted(oracle.values)
            compiled = tf.function(lambda x, n: runs["plain"](x, n, None))
        else:
            built = _build_all(lambda key, kind: runs[key], inputs, lengths, batch_state, ("plain",))
        expected = oracle.run(inputs, lengths, batch_state)
        _assert_all(_normalise(built), {key: expected[key] for key in built}, record_property)
        assert_matches(compiled(inputs, lengths), expected["plain"])


@pytest.mark.parametrize("name", CLASSES)
def test_a_tf1_graph_restores_the_oracle_checkpoint_with_its_own_saver(name, oracles, record_property):
    oracle = oracles[name]
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        zero = _make("runtime", name).zero_state(1, tf.float32)
        state = tf.nest.map_structure(lambda t: v1.placeholder(tf.float32, [None, t.shape[-1]]), zero)
        fetches = _build_all(_runtime_runner(name), inputs, lengths, state, RUNS[name])
        assert sorted(v.name[:-2] for v in v1.global_variables()) == sorted(oracle.values)
        with v1.Session(graph=graph) as session:
            v1.train.Saver().restore(session, oracle.checkpoint)
            values = _random_state(_make("tf1", name), 4)
            batch_inputs, batch_lengths = _feeds(4)
            feed = {inputs: batch_inputs, lengths: batch_lengths}
            feed.update(zip(tf.nest.flatten(state), tf.nest.flatten(values)))
            ours = _normalise(session.run(fetches, feed))
    _assert_all(ours, oracle.run(batch_inputs, batch_lengths, values), record_property)


class _Encoder(keras.Model):
    """Rewritten code builds its layers inline in ``call``: the model keeps the variables by TF1 name."""

    def __init__(self, name_of_class: str):
        super().__init__()
        self.name_of_class = name_of_class

    def call(self, inputs, lengths):
        with v1.variable_scope("plain"):
            return runtime.DynamicRNN(_make("runtime", self.name_of_class))(inputs, sequence_length=lengths)


@pytest.mark.parametrize("name", ["BuildLSTMCell", "ProjectedLSTMWrapper", "OldStyleCell"])
def test_inside_a_keras_model_the_model_owns_the_variables(name, oracles):
    oracle = oracles[name]
    model = _Encoder(name)
    inputs, lengths = _feeds(4)
    plain = {key: value for key, value in oracle.values.items() if key.startswith("plain/")}
    with runtime.tf1_weights(plain):
        first = model(inputs, lengths)
    second = model(inputs, lengths)
    expected = oracle.run(inputs, lengths, _random_state(_make("tf1", name), 4))["plain"]
    assert_matches(first, expected)
    assert_matches(second, expected)
    assert sorted(variable.path for variable in model.weights) == sorted(plain)


def test_a_dropped_bias_is_caught(oracles):
    """Negative control: the same cell with its gate bias dropped (zeros) does not match TF1."""
    name = "GetVariableCell"
    reference = oracles[name]
    plain = {key: value for key, value in reference.values.items() if key.startswith("plain/")}
    plain["plain/rnn/get_variable_cell/gate/bias"] = np.zeros_like(plain["plain/rnn/get_variable_cell/gate/bias"])
    inputs, lengths = _feeds(4)
    with v1.variable_scope("plain"), runtime.tf1_weights(plain):
        outputs, _ = runtime.DynamicRNN(_make("runtime", name))(inputs, sequence_length=lengths)
    expected = reference.run(inputs, lengths, _random_state(_make("tf1", name), 4))["plain"][0]
    assert max_abs_diff(outputs, expected) > 1e-2


def test_a_subclass_still_on_tf1s_base_is_refused_with_the_base_to_change():
    with pytest.raises(TypeError, match=r"cannot run the object of class .*GetVariableCell: migrate it to a subclass "
                       r"of rnnmigrate\.layers\.RNNCell \(change its base class\)"):
        runtime.DynamicRNN(_make("tf1", "GetVariableCell"))


def test_variable_names_follow_tf1_snake_case_and_the_cells_name():
    from tf_keras.src.utils.generic_utils import to_snake_case as tf1_snake_case  # what TF1's layers named scopes by

    names = ("GetVariableCell", "MyGRUCell", "_Private", "HTTPCell", "Cell2D")
    assert [runtime.custom.to_snake_case(name) for name in names] == [tf1_snake_case(name) for name in names]
    cell = _classes("runtime")["GetVariableCell"](2, name="named")
    with v1.variable_scope("outer"):
        runtime.DynamicRNN(cell)(random_inputs(batch=1))
    assert sorted(cell.tf1_variables()) == ["outer/rnn/named/gate/bias", "outer/rnn/named/gate/kernel", "outer/rnn/named/kernel"]


@pytest.mark.parametrize("name", ["GetVariableCell", "ProjectedLSTMWrapper"])
def test_a_keras_file_round_trip_keeps_numbers_and_tf1_names(name, oracles, tmp_path):
    oracle = oracles[name]
    plain = {key: value for key, value in oracle.values.items() if key.startswith("plain/")}
    features = keras.Input((None, INPUT_DEPTH))
    lengths_input = keras.Input((), dtype="int32")
    with v1.variable_scope("plain"), runtime.tf1_weights(plain):
        outputs, _ = runtime.DynamicRNN(_make("runtime", name))(features, sequence_length=lengths_input)
    model = keras.Model([features, lengths_input], outputs)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    inputs, lengths = _feeds(4)
    expected = oracle.run(inputs, lengths, _random_state(_make("tf1", name), 4))["plain"][0]
    assert_matches(loaded([inputs, lengths]), expected)
    assert sorted(variable.path for variable in loaded.weights) == sorted(plain)


def _static_batch_cell(base):
    class GroupNormCell(base.RNNCell):
        """Reads the static batch size, as sketch-rnn's layer norm does: `tf.reshape(h, [batch, 2, n])`."""

        def __init__(self, num_units):
            super().__init__()
            self._num_units = num_units

        @property
        def state_size(self):
            return self._num_units

        @property
        def output_size(self):
            return self._num_units

        def call(self, inputs, state):
            batch = inputs.get_shape().as_list()[0]
            kernel = v1.get_variable("kernel", [inputs.shape[-1] + self._num_units, 2 * self._num_units])
            grouped = tf.reshape(tf.matmul(tf.concat([inputs, state], 1), kernel), [batch, 2, self._num_units])
            normed = grouped - tf.reduce_mean(grouped, axis=2, keepdims=True)
            new_h = tf.tanh(tf.reduce_sum(normed, axis=1))
            return new_h, new_h

    return GroupNormCell


@pytest.mark.parametrize("time_major", [False, True])
def test_a_cell_reading_the_static_batch_size_runs_eagerly_as_in_a_tf1_graph(time_major, tmp_path):
    """TF1 gives the step a static batch when the placeholder has one; eager calls (compiled once per
    batch size, whatever the sequence length) keep it too, else ``tf.reshape`` gets a None."""
    inputs, lengths = _feeds(4)
    fed = np.transpose(inputs, [1, 0, 2]) if time_major else inputs
    graph = tf.Graph()
    with graph.as_default():
        placeholder = v1.placeholder(tf.float32, fed.shape)
        expected_run = v1.nn.dynamic_rnn(_static_batch_cell(tf1_base())(5), placeholder, sequence_length=lengths,
                                         dtype=tf.float32, time_major=time_major)
        with v1.Session() as session:
            rng = np.random.default_rng(3)
            values = {}
            for variable in v1.global_variables():
                values[variable.name[:-2]] = rng.normal(0.0, VARIABLE_SCALE, variable.shape.as_list()).astype(np.float32)
                variable.load(values[variable.name[:-2]], session)
            expected = session.run(expected_run, {placeholder: fed})

    layer = runtime.DynamicRNN(_static_batch_cell(runtime_base())(5), dtype=tf.float32, time_major=time_major)
    with runtime.tf1_weights(values):
        outputs, state = layer(fed, sequence_length=lengths)
    shorter, _ = layer(fed[:, :4] if not time_major else fed[:4], sequence_length=np.minimum(lengths, 4))

    assert_matches(outputs, expected[0])
    assert_matches(state, expected[1])
    assert shorter.shape[0 if not time_major else 1] == 4


def _wrapper(base):
    class Wrapper(base.RNNCell):
        def __init__(self, cell):
            super().__init__()
            self._cell = cell

        @property
        def state_size(self):
            return self._cell.state_size

        @property
        def output_size(self):
            return self._cell.output_size

        def call(self, inputs, state):
            return self._cell(inputs, state)

    return Wrapper


def test_a_migrated_wrapper_given_a_cell_that_stayed_tf1_is_refused_before_it_runs():
    """An unsafe rewrite assumes the cells a class is given were migrated with it: checked at run time."""
    wrapper = _wrapper(runtime_base())(tf1_base().LSTMCell(4))

    with pytest.raises(TypeError) as raised:
        runtime.DynamicRNN(wrapper, dtype=tf.float32)(random_inputs(batch=2))

    assert str(raised.value) == (
        "Wrapper holds the TF1 cell tf_keras.src.layers.rnn.legacy_cells.LSTMCell in `self._cell`: migrate it to "
        "rnnmigrate.layers.LSTMCell, or run `rnnmigrate rewrite` on the file that builds it"
    )
    outputs, _ = runtime.DynamicRNN(_wrapper(runtime_base())(runtime.LSTMCell(4)), dtype=tf.float32)(random_inputs(batch=2))
    assert outputs.shape[-1] == 4
