"""Model files for the verify tests, built once per test session.

The TF1 references use the legacy cells (tests/conftest.py sets TF_USE_LEGACY_KERAS
before TensorFlow loads). Their migrations are plain Keras 3 with the weights mapped
by hand as in shared/notes/tf1-vs-keras3.md: once correctly, and four times with a
classic mistake each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from rnnmigrate.verify.command import verify_command

VOCAB, EMBED, UNITS = 30, 5, 7
FORGET_BIAS = 1.0


@dataclass
class TF1Model:
    """A TF1 SavedModel (and checkpoint) with the variable values the migrations copy."""

    savedmodel: Path
    checkpoint: Path
    weights: dict[str, np.ndarray]


def _randomize(session, tf) -> dict[str, np.ndarray]:
    """Random values everywhere: TF1's zero bias would hide a missing forget_bias."""
    rng = np.random.default_rng(7)
    weights = {}
    for variable in tf.compat.v1.global_variables():
        value = (0.5 * rng.standard_normal(variable.shape.as_list())).astype(np.float32)
        variable.load(value, session)
        weights[variable.op.name] = value
    return weights


def build_tf1(directory: Path, cell_kind: str, assert_short: bool = False) -> TF1Model:
    """embedding -> tf.compat.v1.nn.dynamic_rnn(cell, sequence_length=lengths), serving tokens+lengths."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        tokens = tf.compat.v1.placeholder(tf.int32, [None, None], name="tokens")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        checked_lengths = lengths
        if assert_short:
            with tf.control_dependencies([tf.debugging.assert_less(lengths, 5, message="length too long")]):
                checked_lengths = tf.identity(lengths)
        table = tf.compat.v1.get_variable("embedding", [VOCAB, EMBED])
        embedded = tf.nn.embedding_lookup(table, tokens)
        if cell_kind == "lstm":
            cell = tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS, forget_bias=FORGET_BIAS)
        else:
            cell = tf.compat.v1.nn.rnn_cell.GRUCell(UNITS)
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, embedded, sequence_length=checked_lengths, dtype=tf.float32
        )
        outputs = tf.identity(outputs, name="outputs")
        if cell_kind == "lstm":
            signature_outputs = {
                "outputs": outputs,
                "final_c": tf.identity(state.c, name="final_c"),
                "final_h": tf.identity(state.h, name="final_h"),
            }
        else:
            signature_outputs = {"outputs": outputs, "final_state": tf.identity(state, name="final_state")}
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
        weights = _randomize(session, tf)
        savedmodel = directory / f"tf1_{cell_kind}_savedmodel"
        tf.compat.v1.saved_model.simple_save(
            session, str(savedmodel), {"tokens": tokens, "lengths": lengths}, signature_outputs
        )
        checkpoint = directory / f"tf1_{cell_kind}_ckpt" / "model"
        tf.compat.v1.train.Saver().save(session, str(checkpoint))
        session.close()
    return TF1Model(savedmodel=savedmodel, checkpoint=checkpoint, weights=weights)


# --- Keras 3 migrations, weights mapped by hand ------------------------------------------


def lstm_keras_weights(weights: dict[str, np.ndarray], fold_forget_bias: bool = True) -> list[np.ndarray]:
    kernel, bias = weights["rnn/lstm_cell/kernel"], weights["rnn/lstm_cell/bias"]
    i, j, f, o = np.split(kernel, 4, axis=1)
    bi, bj, bf, bo = np.split(bias, 4)
    reordered = np.concatenate([i, f, j, o], axis=1)
    forget = bf + FORGET_BIAS if fold_forget_bias else bf
    return [reordered[:EMBED], reordered[EMBED:], np.concatenate([bi, forget, bj, bo])]


def gru_keras_weights(weights: dict[str, np.ndarray], reset_after: bool = False) -> list[np.ndarray]:
    gates, gates_bias = weights["rnn/gru_cell/gates/kernel"], weights["rnn/gru_cell/gates/bias"]
    candidate, candidate_bias = weights["rnn/gru_cell/candidate/kernel"], weights["rnn/gru_cell/candidate/bias"]
    reset, update = np.split(gates, 2, axis=1)
    reset_bias, update_bias = np.split(gates_bias, 2)
    kernel = np.concatenate([update, reset, candidate], axis=1)
    bias = np.concatenate([update_bias, reset_bias, candidate_bias])
    if reset_after:
        bias = np.stack([bias, np.zeros_like(bias)])
    return [kernel[:EMBED], kernel[EMBED:], bias]


def build_keras(
    weights: dict[str, np.ndarray],
    cell_kind: str,
    *,
    mask: bool = True,
    zero_padding: bool = True,
    fold_forget_bias: bool = True,
    reset_after: bool = False,
    state_name: str = "final_state",
    identity_lambda: bool = False,
):
    """Embedding + LSTM/GRU masked by ``lengths``; each flag off is one known migration mistake."""
    import keras

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(VOCAB, EMBED, name="embedding")
    embedded = embedding(tokens)
    steps = keras.ops.cumsum(keras.ops.ones_like(tokens), axis=1)
    valid = keras.ops.less_equal(steps, keras.ops.expand_dims(lengths, 1))
    if cell_kind == "lstm":
        rnn = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True, name="lstm")
    else:
        rnn = keras.layers.GRU(UNITS, return_sequences=True, return_state=True, reset_after=reset_after, name="gru")
    results = rnn(embedded, mask=valid if mask else None)
    outputs = results[0]
    if zero_padding:
        outputs = outputs * keras.ops.expand_dims(keras.ops.cast(valid, outputs.dtype), -1)
    if identity_lambda:
        outputs = keras.layers.Lambda(lambda values: values)(outputs)
    if cell_kind == "lstm":
        named = {"outputs": outputs, "final_h": results[1], "final_c": results[2]}
    else:
        named = {"outputs": outputs, state_name: results[1]}
    model = keras.Model({"tokens": tokens, "lengths": lengths}, named)
    embedding.set_weights([weights["embedding"]])
    if cell_kind == "lstm":
        rnn.set_weights(lstm_keras_weights(weights, fold_forget_bias))
    else:
        rnn.set_weights(gru_keras_weights(weights, reset_after))
    return model


# --- session fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def tf1_lstm(tmp_path_factory) -> TF1Model:
    return build_tf1(tmp_path_factory.mktemp("tf1_lstm"), "lstm")


@pytest.fixture(scope="session")
def tf1_gru(tmp_path_factory) -> TF1Model:
    return build_tf1(tmp_path_factory.mktemp("tf1_gru"), "gru")


@pytest.fixture(scope="session")
def tf1_asserting(tmp_path_factory) -> TF1Model:
    """Raises on any row longer than 4 steps: a model that fails on the sample."""
    return build_tf1(tmp_path_factory.mktemp("tf1_assert"), "lstm", assert_short=True)


@pytest.fixture(scope="session")
def tf1_with_keep_prob(tmp_path_factory) -> TF1Model:
    """A TF1 GRU whose serving signature also takes `keep_prob` and also returns `embedded`."""
    import tensorflow as tf

    v1 = tf.compat.v1
    directory = tmp_path_factory.mktemp("tf1_keep_prob")
    graph = tf.Graph()
    with graph.as_default():
        tokens = v1.placeholder(tf.int32, [None, None], name="tokens")
        lengths = v1.placeholder(tf.int32, [None], name="lengths")
        keep_prob = v1.placeholder(tf.float32, [], name="keep_prob")
        embedded = tf.nn.embedding_lookup(v1.get_variable("embedding", [VOCAB, EMBED]), tokens)
        cell = v1.nn.rnn_cell.DropoutWrapper(v1.nn.rnn_cell.GRUCell(UNITS), output_keep_prob=keep_prob)
        outputs, state = v1.nn.dynamic_rnn(cell, embedded, sequence_length=lengths, dtype=tf.float32)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
        weights = _randomize(session, tf)
        savedmodel = directory / "savedmodel"
        v1.saved_model.simple_save(
            session,
            str(savedmodel),
            {"tokens": tokens, "lengths": lengths, "keep_prob": keep_prob},
            {"outputs": outputs, "final_state": state, "embedded": embedded},
        )
        session.close()
    return TF1Model(savedmodel=savedmodel, checkpoint=Path(), weights=weights)


@pytest.fixture(scope="session")
def keep_prob_migration(tf1_with_keep_prob, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keras_keep_prob") / "gru.keras"
    build_keras(tf1_with_keep_prob.weights, "gru").save(path)
    return path


@pytest.fixture(scope="session")
def keras_files(tmp_path_factory, tf1_lstm, tf1_gru) -> dict[str, Path]:
    """Correct and broken migrations as .keras files, keyed by what they get right or wrong."""
    directory = tmp_path_factory.mktemp("keras")
    variants = {
        "lstm_correct": (tf1_lstm, "lstm", {}),
        "lstm_mask_not_zeroed": (tf1_lstm, "lstm", {"zero_padding": False}),
        "lstm_forget_bias_missing": (tf1_lstm, "lstm", {"fold_forget_bias": False}),
        "lstm_no_mask": (tf1_lstm, "lstm", {"mask": False, "zero_padding": False}),
        "gru_correct": (tf1_gru, "gru", {}),
        "gru_reset_after": (tf1_gru, "gru", {"reset_after": True}),
        "gru_state_renamed": (tf1_gru, "gru", {"state_name": "state"}),
        "lstm_with_lambda": (tf1_lstm, "lstm", {"identity_lambda": True}),
    }
    paths = {}
    for name, (reference, cell_kind, flags) in variants.items():
        paths[name] = directory / f"{name}.keras"
        build_keras(reference.weights, cell_kind, **flags).save(paths[name])
    return paths


@pytest.fixture(scope="session")
def run_verify():
    """Invoke the command through typer, as the main CLI will: returns the click Result."""
    app = typer.Typer(add_completion=False)
    app.command()(verify_command)
    runner = CliRunner()

    def invoke(*args: object):
        return runner.invoke(app, [str(arg) for arg in args])

    return invoke


@dataclass
class KerasExport:
    """A Keras 3 ``model.export`` SavedModel and its signature names, in the model's order."""

    path: Path
    inputs: list[str]
    outputs: list[str]


@pytest.fixture(scope="session")
def keras_exports(tmp_path_factory, tf1_lstm) -> dict[str, KerasExport]:
    """The correct LSTM migration exported twice: with named inputs, and positionally (keras_tensor_N)."""
    import tensorflow as tf

    directory = tmp_path_factory.mktemp("exports")
    named = build_keras(tf1_lstm.weights, "lstm")
    positional = _positional_copy(named)
    exports = {}
    for name, model in (("named", named), ("positional", positional)):
        path = directory / name
        model.export(str(path), verbose=False)
        function = tf.saved_model.load(str(path)).signatures["serving_default"]
        exports[name] = KerasExport(
            path=path,
            inputs=[tensor.name for tensor in model.inputs],
            outputs=sorted(function.structured_outputs),
        )
    return exports


def _positional_copy(named):
    """Same layers, unnamed list inputs and list outputs [outputs, final_h, final_c]."""
    import keras

    tokens, lengths = keras.Input((None,), dtype="int32"), keras.Input((), dtype="int32")
    results = named({"tokens": tokens, "lengths": lengths})
    return keras.Model([tokens, lengths], [results["outputs"], results["final_h"], results["final_c"]])


def build_with_rnnmigrate_layers(weights: dict[str, np.ndarray], cell_kind: str):
    """The migration rnnmigrate itself produces: DynamicRNN + a TF1-compatible cell + load_tf1_weights."""
    import keras

    from rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell, load_tf1_weights

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(VOCAB, EMBED, name="embedding")
    cell = LSTMCell(UNITS, forget_bias=FORGET_BIAS) if cell_kind == "lstm" else GRUCell(UNITS)
    rnn = DynamicRNN(cell)
    outputs, state = rnn(embedding(tokens), sequence_length=lengths)
    if cell_kind == "lstm":
        named = {"outputs": outputs, "final_c": state.c, "final_h": state.h}
    else:
        named = {"outputs": outputs, "final_state": state}
    model = keras.Model({"tokens": tokens, "lengths": lengths}, named)
    embedding.set_weights([weights["embedding"]])
    load_tf1_weights(rnn, weights)
    return model


@pytest.fixture(scope="session")
def rnnmigrate_migrations(tmp_path_factory, tf1_lstm, tf1_gru) -> dict[str, Path]:
    """LSTM and GRU migrations built with rnnmigrate.layers, as .keras files and one export."""
    pytest.importorskip("rnnmigrate.layers", reason="rnnmigrate.layers is not in this checkout yet")
    directory = tmp_path_factory.mktemp("rnnmigrate_layers")
    paths = {}
    for cell_kind, reference in (("lstm", tf1_lstm), ("gru", tf1_gru)):
        model = build_with_rnnmigrate_layers(reference.weights, cell_kind)
        paths[f"{cell_kind}_keras"] = directory / f"{cell_kind}.keras"
        model.save(paths[f"{cell_kind}_keras"])
        if cell_kind == "lstm":
            paths["lstm_export"] = directory / "lstm_export"
            model.export(str(paths["lstm_export"]), verbose=False)
    return paths


# --- TF1 graphs built in a subprocess per control flow ------------------------------------


@dataclass
class TF1Graphs:
    """The SavedModels of tf1_graphs.py for one control flow, and their variables by TF1 name."""

    control_flow: str
    directory: Path

    def savedmodel(self, name: str) -> Path:
        return self.directory / name

    def weights(self, name: str) -> dict[str, np.ndarray]:
        with np.load(self.directory / f"{name}.npz") as arrays:
            return {key: arrays[key] for key in arrays.files}


CONTROL_FLOWS = ("v2", "v1")


def _tf1_graphs_built(control_flow: str, tmp_path_factory) -> TF1Graphs:
    """Both control flows are built at the first request, side by side, once per test run: the
    xdist workers of a run share their basetemps' parent, and the first to take the lock builds."""
    import fcntl
    import os
    import subprocess
    import sys

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directories = {flow: root / f"tf1_graphs_{flow}" for flow in CONTROL_FLOWS}
    with open(root / "tf1_graphs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        builder = Path(__file__).with_name("tf1_graphs.py")
        running = {}
        for flow, directory in directories.items():
            if not (directory / "built").exists():
                directory.mkdir(exist_ok=True)
                command = [sys.executable, str(builder), str(directory), flow]
                running[flow] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for flow, process in running.items():
            _, stderr = process.communicate()
            if process.returncode:
                raise RuntimeError(f"tf1_graphs.py {flow} failed:\n{stderr.decode()[-3000:]}")
            (directories[flow] / "built").touch()
    return TF1Graphs(control_flow=control_flow, directory=directories[control_flow])


@pytest.fixture(scope="session", params=["v2", "v1"], ids=["tf2_control_flow", "tf1_control_flow"])
def tf1_graphs(request, tmp_path_factory) -> TF1Graphs:
    """TF2 control flow (While) and, with disable_control_flow_v2() in its own process, TF1's (Enter/Exit):
    for the tests whose subject reads the TF1 graph (where it diverges, time-major outputs, shared weights)."""
    return _tf1_graphs_built(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def tf2_control_flow_graphs(tmp_path_factory) -> TF1Graphs:
    """The same graphs with TF2 control flow only: for tests of what does not depend on it
    (options, pairing, NEW's side), which need not run twice."""
    return _tf1_graphs_built("v2", tmp_path_factory)
