"""CudnnLSTM / CudnnGRU / CudnnRNNTanh against TF1 stacks of the cuDNN-compatible cells (no GPU here).

TF 1.15's canonical saveable writes a CudnnLSTM's weights under the names of the stack that
``cudnn_rnn.py``'s docstring tells CPU programs to build: ``dynamic_rnn(MultiRNNCell([
CudnnCompatibleLSTMCell] * n), time_major=True)``, or ``stack_bidirectional_dynamic_rnn`` for
``bidirectional``, under the layer's scope.  That TF1 stack, with the cells rebuilt from the 1.15
source, is the oracle; states are compared stacked as cuDNN returns them.
"""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
import tf1_cudnn_cells
from tf1_reference import BATCH, INPUT_DEPTH, LENGTHS, TIME_STEPS, TF1Reference, assert_matches, max_abs_diff, v1

UNITS, LAYERS = 4, 2
_RUNTIME = {"lstm": runtime.CudnnLSTM, "gru": runtime.CudnnGRU, "rnn_tanh": runtime.CudnnRNNTanh}


def _stack_graph(mode: str, direction: str, scope: str | None):
    """The TF1 CPU stack for a CudnnRNN (``tf1_cudnn_cells.CudnnRNNOnCPU``); states fed stacked, zeros by default."""
    directions = 1 if direction == "unidirectional" else 2

    def build():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder_with_default(tf.fill([tf.shape(inputs)[1]], tf.shape(inputs)[0]), [None])
        h = v1.placeholder_with_default(tf.zeros([LAYERS * directions, tf.shape(inputs)[1], UNITS]), [None, None, UNITS])
        c = v1.placeholder_with_default(tf.zeros_like(h), [None, None, UNITS])
        layer = tf1_cudnn_cells.CudnnRNNOnCPU(mode, LAYERS, UNITS, direction)
        outputs, states = layer(inputs, (h, c) if mode == "lstm" else (h,), lengths, scope=scope)
        fetches = {"outputs": outputs, "h": states[0], **({"c": states[1]} if mode == "lstm" else {})}
        return {"inputs": inputs, "sequence_length": lengths, "h": h, "c": c if mode == "lstm" else None}, fetches

    return build


@functools.lru_cache(maxsize=None)
def oracle(mode: str, direction: str, layer_scope: bool = True) -> TF1Reference:
    return TF1Reference(_stack_graph(mode, direction, "" if layer_scope else None), seed=41)


def _data(batch=BATCH, seed=42, time_major=True):
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(TIME_STEPS, batch, INPUT_DEPTH)).astype(np.float32)
    states = rng.normal(size=(2, LAYERS * 2, batch, UNITS)).astype(np.float32)
    return inputs, states


def _expected(tf1, mode, inputs, lengths, state):
    result = tf1.run(inputs=inputs, sequence_length=lengths, h=None if state is None else state[0],
                     c=None if state is None or mode != "lstm" else state[1])
    return result["outputs"], tuple(result[k] for k in ("h", "c") if k in result)


def _ported(mode, direction, tf1, inputs, *args, **call_options):
    """The runtime layer built by its first call (``inputs, *args, **call_options``) from the oracle's values."""
    layer_options = {key: call_options.pop(key) for key in ("dropout", "seed") if key in call_options}
    layer = _RUNTIME[mode](LAYERS, UNITS, direction=direction, **layer_options)
    with runtime.tf1_weights(tf1.values) as loaded:
        result = layer(inputs, *args, **call_options)
    assert sorted(loaded.loaded_variables) == sorted(tf1.values), "every canonical variable, by its saveable name"
    return layer, result


def _stacked_state(mode, direction, states):
    pseudo_layers = LAYERS * (2 if direction == "bidirectional" else 1)
    return tuple(states[: 2 if mode == "lstm" else 1, :pseudo_layers])


@pytest.mark.parametrize(("mode", "direction"), [
    ("lstm", "unidirectional"), ("lstm", "bidirectional"), ("gru", "unidirectional"), ("gru", "bidirectional"),
    ("rnn_tanh", "unidirectional"),
])
def test_lengths_0_1_t_and_initial_state(mode, direction, record_property):
    tf1 = oracle(mode, direction)
    inputs, states = _data()
    initial = _stacked_state(mode, direction, states)

    _, (outputs, final) = _ported(mode, direction, tf1, inputs, initial_state=initial, sequence_lengths=LENGTHS)

    assert_matches((outputs, final), _expected(tf1, mode, inputs, LENGTHS, initial), record_property)
    assert np.all(np.asarray(outputs)[:, 1] == 0) and np.array_equal(np.asarray(final[0])[:, 1], initial[0][:, 1])


@pytest.mark.parametrize(("mode", "direction"), [("lstm", "unidirectional"), ("gru", "bidirectional")])
def test_batch_of_one_without_lengths_in_tf_function(mode, direction, record_property):
    tf1 = oracle(mode, direction)
    inputs, _ = _data(batch=1, seed=43)
    layer = _RUNTIME[mode](LAYERS, UNITS, direction=direction)

    with runtime.tf1_weights(tf1.values):
        outputs, final = tf.function(lambda x: layer(x, training=False))(inputs)

    assert_matches((outputs, final), _expected(tf1, mode, inputs, None, None), record_property)


def test_batch_major_inputs_and_states(record_property):
    tf1 = oracle("lstm", "bidirectional")
    inputs, states = _data(seed=44)
    initial = _stacked_state("lstm", "bidirectional", states)

    _, (outputs, final) = _ported("lstm", "bidirectional", tf1, np.swapaxes(inputs, 0, 1),
                                  initial_state=tuple(np.swapaxes(s, 0, 1) for s in initial),
                                  sequence_lengths=LENGTHS, time_major=False)

    expected_outputs, expected_states = _expected(tf1, "lstm", inputs, LENGTHS, initial)
    assert_matches((np.swapaxes(outputs, 0, 1), tuple(np.swapaxes(s, 0, 1) for s in final)),
                   (expected_outputs, expected_states), record_property)


def _graph_program(build_first: bool):
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        layer = runtime.CudnnGRU(LAYERS, UNITS, direction="bidirectional")
        if build_first:
            layer.build([None, None, INPUT_DEPTH])
        outputs, states = layer(inputs, sequence_lengths=lengths)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
        names = sorted(v.op.name for v in v1.global_variables())
    return graph, session, (inputs, lengths), (outputs, states), names


@pytest.mark.parametrize("build_first", [False, True])
def test_the_programs_own_saver_restores_the_canonical_checkpoint_in_a_tf1_graph(build_first, tmp_path, record_property):
    """Built by its first call, the names carry the layer's scope; built by ``layer.build``, the enclosing one."""
    tf1 = oracle("gru", "bidirectional", layer_scope=not build_first)
    prefix = tf1.save_checkpoint(str(tmp_path / "model.ckpt"))
    graph, session, (inputs, lengths), fetches, names = _graph_program(build_first)
    with graph.as_default():
        v1.train.Saver().restore(session, prefix)
    data, _ = _data(seed=45)

    assert names == sorted(tf1.values)
    layer_scope = "" if build_first else "cudnn_gru/"
    assert f"{layer_scope}stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/cudnn_compatible_gru_cell/gates/kernel" in names
    outputs, (h,) = session.run(fetches, {inputs: data, lengths: LENGTHS})
    assert_matches((outputs, (h,)), _expected(tf1, "gru", data, LENGTHS, None), record_property)


def test_dropout_runs_between_layers_only_in_training():
    tf1 = oracle("lstm", "unidirectional")
    inputs, _ = _data(seed=46)
    layer, inference = _ported("lstm", "unidirectional", tf1, inputs, dropout=0.5, seed=3, training=False)
    expected = _expected(tf1, "lstm", inputs, None, None)

    assert_matches(inference, expected)
    trained_outputs, trained_states = layer(inputs)  # TF1's default: training=True
    assert max_abs_diff(trained_outputs, expected[0]) > 1e-2
    first_layer_h = np.asarray(trained_states[0])[0]
    assert np.allclose(first_layer_h, expected[1][0][0], atol=1e-5), "no dropout inside a layer or before the first"

    single = runtime.CudnnLSTM(1, UNITS, dropout=0.5)
    assert single(inputs)[0].shape == (TIME_STEPS, BATCH, UNITS)


def test_keras_file_round_trip(tmp_path):
    tokens = keras.Input((TIME_STEPS, INPUT_DEPTH), batch_size=BATCH)
    outputs, (h, c) = runtime.CudnnLSTM(LAYERS, UNITS, direction="bidirectional", name="encoder")(tokens, time_major=False)
    model = keras.Model(tokens, [outputs, h, c])
    data = np.swapaxes(_data(seed=47)[0], 0, 1)
    expected = model(data)
    model.save(tmp_path / "cudnn.keras")

    restored = keras.saving.load_model(tmp_path / "cudnn.keras")

    assert_matches(restored(data), expected)
    layer = restored.get_layer("encoder")
    assert sorted(layer.tf1_variables()) == sorted(model.get_layer("encoder").tf1_variables())


def test_swapped_directions_are_caught():
    tf1 = oracle("lstm", "bidirectional")
    inputs, _ = _data(seed=48)
    layer, _ = _ported("lstm", "bidirectional", tf1, inputs)
    fw, bw = layer.cells_fw[0].tf1_variables(), layer.cells_bw[0].tf1_variables()
    for (_, forward), (_, backward) in zip(sorted(fw.items()), sorted(bw.items())):
        value = forward.numpy()
        forward.assign(backward.numpy())
        backward.assign(value)
    with pytest.raises(AssertionError):
        assert_matches(layer(inputs), _expected(tf1, "lstm", inputs, None, None))


def test_skip_input_is_refused():
    with pytest.raises(NotImplementedError, match="skip_input"):
        runtime.CudnnLSTM(1, UNITS, input_mode="skip_input")


def test_two_layers_in_one_model_get_tf1s_numbered_scopes_and_their_own_weights():
    class Encoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.first, self.second = runtime.CudnnLSTM(1, UNITS), runtime.CudnnLSTM(1, UNITS)

        def call(self, x):
            return self.second(self.first(x)[0])[0]

    model = Encoder()
    model(np.zeros((2, 1, INPUT_DEPTH), np.float32))
    assert sorted(model.first.tf1_variables()) == [f"cudnn_lstm/rnn/multi_rnn_cell/cell_0/cudnn_compatible_lstm_cell/{n}"
                                                   for n in ("bias", "kernel")]
    assert all(name.startswith("cudnn_lstm_1/") for name in model.second.tf1_variables())
    assert len(model.weights) == 4


def test_an_is_training_tensor_switches_dropout_in_a_tf1_graph():
    tf1 = oracle("lstm", "unidirectional")
    data, _ = _data(seed=49)
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        is_training = v1.placeholder_with_default(False, [])
        with runtime.tf1_weights(tf1.values):
            outputs, _ = runtime.CudnnLSTM(LAYERS, UNITS, dropout=0.5)(inputs, training=is_training)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
    expected = _expected(tf1, "lstm", data, None, None)[0]

    assert_matches(session.run(outputs, {inputs: data}), expected)
    assert max_abs_diff(session.run(outputs, {inputs: data, is_training: True}), expected) > 1e-2
