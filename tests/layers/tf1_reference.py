"""Real TF1 RNN graphs (legacy cells, graph + session) as references for the runtime.

Each ``TF1Reference`` builds one TF1 graph in its own ``tf.Graph`` and session
(eager stays on for Keras 3), sets every variable, biases included, to random
values, and runs it on numpy inputs.  ``CELL_SPECS`` pairs each TF1 cell with the
runtime cell that should reproduce it.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import tensorflow as tf

import rnnmigrate.layers as runtime

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the cuDNN oracle, shared with verify's tests
import tf1_cudnn_cells  # noqa: E402
from tf1_contrib_cells import contrib_cell_specs
from block_oracles import OracleGRUBlockCell, OracleLSTMBlockCell
from wrapper_oracles import OracleInputProjectionWrapper, OracleOutputProjectionWrapper

rnn_cell = tf.compat.v1.nn.rnn_cell
v1 = tf.compat.v1

TOLERANCE = 1e-5
INPUT_DEPTH = 3
TIME_STEPS = 5
BATCH = 4
# Rows of length T, 0, 1 and in between: the cases dynamic_rnn treats specially.
LENGTHS = np.array([TIME_STEPS, 0, 1, 3], dtype=np.int32)
VARIABLE_SCALE = 0.8


@dataclass(frozen=True)
class CellSpec:
    """A TF1 cell and the runtime cell that ports it (both built fresh per call)."""

    name: str
    make_tf1: Callable[[], Any]
    make_runtime: Callable[[], Any]


def _tf1_keep_prob() -> tf.Tensor:
    """A keep probability TF1 cannot fold away: the wrapper really runs, at 1.0 (inference)."""
    return v1.placeholder_with_default(1.0, [])


CELL_SPECS = [
    CellSpec("basic_rnn_tanh", lambda: rnn_cell.BasicRNNCell(5), lambda: runtime.BasicRNNCell(5)),
    CellSpec(
        "basic_rnn_relu",
        lambda: rnn_cell.BasicRNNCell(5, activation=tf.nn.relu),
        lambda: runtime.BasicRNNCell(5, activation=tf.nn.relu),
    ),
    CellSpec(
        "basic_lstm_forget_bias_0",
        lambda: rnn_cell.BasicLSTMCell(5, forget_bias=0.0),
        lambda: runtime.BasicLSTMCell(5, forget_bias=0.0),
    ),
    CellSpec("basic_lstm_forget_bias_1", lambda: rnn_cell.BasicLSTMCell(5), lambda: runtime.BasicLSTMCell(5)),
    CellSpec(
        "basic_lstm_forget_bias_2.5",
        lambda: rnn_cell.BasicLSTMCell(5, forget_bias=2.5),
        lambda: runtime.BasicLSTMCell(5, forget_bias=2.5),
    ),
    CellSpec("lstm", lambda: rnn_cell.LSTMCell(5), lambda: runtime.LSTMCell(5)),
    CellSpec(
        "lstm_peepholes",
        lambda: rnn_cell.LSTMCell(5, use_peepholes=True),
        lambda: runtime.LSTMCell(5, use_peepholes=True),
    ),
    CellSpec("lstm_num_proj", lambda: rnn_cell.LSTMCell(5, num_proj=3), lambda: runtime.LSTMCell(5, num_proj=3)),
    CellSpec("lstm_cell_clip", lambda: rnn_cell.LSTMCell(5, cell_clip=0.4), lambda: runtime.LSTMCell(5, cell_clip=0.4)),
    CellSpec(
        "lstm_all_options",
        lambda: rnn_cell.LSTMCell(5, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.3, forget_bias=0.7),
        lambda: runtime.LSTMCell(5, use_peepholes=True, cell_clip=0.5, num_proj=3, proj_clip=0.3, forget_bias=0.7),
    ),
    CellSpec("gru", lambda: rnn_cell.GRUCell(5), lambda: runtime.GRUCell(5)),
    CellSpec(
        "multi_mixed",
        lambda: rnn_cell.MultiRNNCell(
            [rnn_cell.LSTMCell(5, use_peepholes=True), rnn_cell.GRUCell(4), rnn_cell.BasicRNNCell(3)]
        ),
        lambda: runtime.MultiRNNCell(
            [runtime.LSTMCell(5, use_peepholes=True), runtime.GRUCell(4), runtime.BasicRNNCell(3)]
        ),
    ),
    CellSpec(  # one cell object in every layer: TF 1.15 shares its variables (input depth 3 = num_proj)
        "multi_shared",
        lambda: rnn_cell.MultiRNNCell([rnn_cell.LSTMCell(5, num_proj=3)] * 3),
        lambda: runtime.MultiRNNCell([runtime.LSTMCell(5, num_proj=3)] * 3),
    ),
    CellSpec(
        "dropout_inference",
        lambda: rnn_cell.DropoutWrapper(
            rnn_cell.LSTMCell(5), _tf1_keep_prob(), _tf1_keep_prob(), _tf1_keep_prob()
        ),
        lambda: runtime.DropoutWrapper(runtime.LSTMCell(5), 0.7, 0.6, 0.8),
    ),
    CellSpec(
        "multi_dropout_inference",
        lambda: rnn_cell.MultiRNNCell(
            [
                rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4, forget_bias=0.5), output_keep_prob=_tf1_keep_prob()),
                rnn_cell.DropoutWrapper(rnn_cell.LSTMCell(3, num_proj=2), input_keep_prob=_tf1_keep_prob()),
            ]
        ),
        lambda: runtime.MultiRNNCell(
            [
                runtime.DropoutWrapper(runtime.BasicLSTMCell(4, forget_bias=0.5), output_keep_prob=0.5),
                runtime.DropoutWrapper(
                    runtime.LSTMCell(3, num_proj=2), input_keep_prob=0.5, variational_recurrent=True
                ),
            ]
        ),
    ),
]
# TF 1.15's cuDNN-compatible cells, rebuilt from their source (tests/tf1_cudnn_cells.py).
CELL_SPECS += [
    CellSpec(
        "cudnn_compatible_lstm",
        lambda: tf1_cudnn_cells.CudnnCompatibleLSTMCell(5),
        lambda: runtime.CudnnCompatibleLSTMCell(5),
    ),
    CellSpec(
        "cudnn_compatible_gru",
        lambda: tf1_cudnn_cells.CudnnCompatibleGRUCell(5),
        lambda: runtime.CudnnCompatibleGRUCell(5),
    ),
    CellSpec(
        "multi_cudnn_compatible",
        lambda: rnn_cell.MultiRNNCell([tf1_cudnn_cells.CudnnCompatibleLSTMCell(4), tf1_cudnn_cells.CudnnCompatibleGRUCell(3)]),
        lambda: runtime.MultiRNNCell([runtime.CudnnCompatibleLSTMCell(4), runtime.CudnnCompatibleGRUCell(3)]),
    ),
]
CELL_SPECS += contrib_cell_specs(CellSpec, _tf1_keep_prob)
BLOCK_CELL_SPECS = [  # tf.contrib.rnn's block cells; the oracle runs TensorFlow's own kernel (block_oracles)
    CellSpec("lstm_block", lambda: OracleLSTMBlockCell(5), lambda: runtime.LSTMBlockCell(5)),
    CellSpec(
        "lstm_block_all_options",
        lambda: OracleLSTMBlockCell(5, forget_bias=0.3, cell_clip=0.5, use_peephole=True),
        lambda: runtime.LSTMBlockCell(5, forget_bias=0.3, cell_clip=0.5, use_peephole=True),
    ),
    CellSpec("gru_block", lambda: OracleGRUBlockCell(5), lambda: runtime.GRUBlockCell(5)),
    CellSpec("gru_block_v2", lambda: OracleGRUBlockCell(5, "v2"), lambda: runtime.GRUBlockCellV2(5)),
]
CELL_SPECS += BLOCK_CELL_SPECS


def _sum_and_double(inputs: tf.Tensor, outputs: tf.Tensor) -> tf.Tensor:
    """A residual_fn of a user's own (TF1 and the runtime both call it as residual_fn(inputs, outputs))."""
    return 2.0 * outputs + tf.reduce_sum(inputs, axis=1, keepdims=True)


WRAPPER_SPECS = [  # legacy ResidualWrapper / DeviceWrapper (tf-keras); projections from TF 1.15 (wrapper_oracles)
    CellSpec(
        "residual_lstm_peepholes",
        lambda: rnn_cell.ResidualWrapper(rnn_cell.LSTMCell(INPUT_DEPTH, use_peepholes=True)),
        lambda: runtime.ResidualWrapper(runtime.LSTMCell(INPUT_DEPTH, use_peepholes=True)),
    ),
    CellSpec(
        "residual_fn_gru",
        lambda: rnn_cell.ResidualWrapper(rnn_cell.GRUCell(5), _sum_and_double),
        lambda: runtime.ResidualWrapper(runtime.GRUCell(5), _sum_and_double),
    ),
    CellSpec(
        "device_lstm_block",
        lambda: rnn_cell.DeviceWrapper(OracleLSTMBlockCell(5, use_peephole=True), "/cpu:0"),
        lambda: runtime.DeviceWrapper(runtime.LSTMBlockCell(5, use_peephole=True), "/cpu:0"),
    ),
    CellSpec(
        "output_projection_lstm",
        lambda: OracleOutputProjectionWrapper(rnn_cell.LSTMCell(5, num_proj=4), 3, tf.tanh),
        lambda: runtime.OutputProjectionWrapper(runtime.LSTMCell(5, num_proj=4), 3, tf.tanh),
    ),
    CellSpec(
        "input_projection_gru",
        lambda: OracleInputProjectionWrapper(rnn_cell.GRUCell(5), 4, tf.nn.relu),
        lambda: runtime.InputProjectionWrapper(runtime.GRUCell(5), 4, tf.nn.relu),
    ),
    CellSpec(
        "multi_wrappers",
        lambda: rnn_cell.MultiRNNCell([
            OracleInputProjectionWrapper(rnn_cell.LSTMCell(4), 2),
            rnn_cell.ResidualWrapper(rnn_cell.DropoutWrapper(OracleGRUBlockCell(4), _tf1_keep_prob())),
            OracleOutputProjectionWrapper(rnn_cell.DeviceWrapper(rnn_cell.BasicLSTMCell(3), "/cpu:0"), 2),
        ]),
        lambda: runtime.MultiRNNCell([
            runtime.InputProjectionWrapper(runtime.LSTMCell(4), 2),
            runtime.ResidualWrapper(runtime.DropoutWrapper(runtime.GRUBlockCell(4), 0.7)),
            runtime.OutputProjectionWrapper(runtime.DeviceWrapper(runtime.BasicLSTMCell(3), "/cpu:0"), 2),
        ]),
    ),
]
CELL_SPECS += WRAPPER_SPECS
SPECS_BY_NAME = {spec.name: spec for spec in CELL_SPECS}


def _state_placeholders(state_size: Any) -> Any:
    return tf.nest.map_structure(lambda size: v1.placeholder(tf.float32, [None, size]), state_size)


class TF1Reference:
    """One TF1 graph + session whose variables all hold random (or given) values."""

    def __init__(self, build: Callable[[], tuple[dict, dict]], values: dict[str, np.ndarray] | None = None, seed: int = 0):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.feeds, self.fetches = build()
            self.session = v1.Session(graph=self.graph)
            self.values = self._set_variables(values, np.random.default_rng(seed))
            self._saver = v1.train.Saver()

    def _set_variables(self, values, rng) -> dict[str, np.ndarray]:
        assigned = {}
        for variable in v1.global_variables():
            name = variable.name[:-2]
            shape = variable.shape.as_list()
            value = values[name] if values is not None else rng.normal(0.0, VARIABLE_SCALE, shape).astype(np.float32)
            variable.load(value, self.session)
            assigned[name] = value
        return assigned

    def run(self, **feed_values: Any) -> dict[str, Any]:
        feed_dict = {}
        for key, value in feed_values.items():
            placeholders = self.feeds[key]
            if value is None or placeholders is None:
                continue
            for placeholder, array in zip(tf.nest.flatten(placeholders), tf.nest.flatten(value)):
                feed_dict[placeholder] = np.asarray(array)
        return self.session.run(self.fetches, feed_dict)

    def save_checkpoint(self, prefix: str) -> str:
        with self.graph.as_default():
            return self._saver.save(self.session, prefix)


def dynamic_rnn_graph(
    make_cell: Callable[[], Any],
    *,
    time_major: bool = False,
    with_lengths: bool = True,
    with_initial_state: bool = False,
    scope: str | None = None,
    outer_scope: str | None = None,
) -> Callable[[], tuple[dict, dict]]:
    def build():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None]) if with_lengths else None
        cell = make_cell()
        initial_state = _state_placeholders(cell.state_size) if with_initial_state else None
        with (v1.variable_scope(outer_scope) if outer_scope else contextlib.nullcontext()):
            outputs, state = v1.nn.dynamic_rnn(
                cell,
                inputs,
                sequence_length=lengths,
                initial_state=initial_state,
                dtype=tf.float32,
                time_major=time_major,
                scope=scope,
            )
        feeds = {"inputs": inputs, "sequence_length": lengths, "initial_state": initial_state}
        return feeds, {"outputs": outputs, "state": state}

    return build


def bidirectional_graph(
    make_cell_fw: Callable[[], Any],
    make_cell_bw: Callable[[], Any],
    *,
    time_major: bool = False,
    with_lengths: bool = True,
    with_initial_state: bool = False,
) -> Callable[[], tuple[dict, dict]]:
    def build():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None]) if with_lengths else None
        cell_fw, cell_bw = make_cell_fw(), make_cell_bw()
        state_fw = _state_placeholders(cell_fw.state_size) if with_initial_state else None
        state_bw = _state_placeholders(cell_bw.state_size) if with_initial_state else None
        outputs, states = v1.nn.bidirectional_dynamic_rnn(
            cell_fw,
            cell_bw,
            inputs,
            sequence_length=lengths,
            initial_state_fw=state_fw,
            initial_state_bw=state_bw,
            dtype=tf.float32,
            time_major=time_major,
        )
        feeds = {
            "inputs": inputs,
            "sequence_length": lengths,
            "initial_state_fw": state_fw,
            "initial_state_bw": state_bw,
        }
        return feeds, {"outputs": outputs, "states": states}

    return build


def static_rnn_graph(make_cell: Callable[[], Any], *, with_lengths: bool = True, bidirectional_with: Callable | None = None):
    """``static_rnn`` (or ``static_bidirectional_rnn`` when ``bidirectional_with`` gives the bw cell)."""

    def build():
        inputs = [v1.placeholder(tf.float32, [None, INPUT_DEPTH]) for _ in range(TIME_STEPS)]
        lengths = v1.placeholder(tf.int32, [None]) if with_lengths else None
        if bidirectional_with is None:
            outputs, state = v1.nn.static_rnn(make_cell(), inputs, sequence_length=lengths, dtype=tf.float32)
            fetches = {"outputs": outputs, "state": state}
        else:
            outputs, state_fw, state_bw = v1.nn.static_bidirectional_rnn(
                make_cell(), bidirectional_with(), inputs, sequence_length=lengths, dtype=tf.float32
            )
            fetches = {"outputs": outputs, "state_fw": state_fw, "state_bw": state_bw}
        return {"inputs": inputs, "sequence_length": lengths}, fetches

    return build


@functools.lru_cache(maxsize=None)
def reference(kind: str, spec_name: str, **options: Any) -> TF1Reference:
    """A cached reference graph, so each parametrization builds its TF1 graph once."""
    spec = SPECS_BY_NAME[spec_name]
    if kind == "dynamic":
        return TF1Reference(dynamic_rnn_graph(spec.make_tf1, **options))
    if kind == "static":
        return TF1Reference(static_rnn_graph(spec.make_tf1, **options))
    raise ValueError(kind)


def random_inputs(batch: int = BATCH, time_steps: int = TIME_STEPS, seed: int = 1, time_major: bool = False) -> np.ndarray:
    shape = (time_steps, batch, INPUT_DEPTH) if time_major else (batch, time_steps, INPUT_DEPTH)
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def random_state(zero_state: Any, seed: int = 2) -> Any:
    """Random numpy arrays in the structure (and shapes) of a TF1 state."""
    rng = np.random.default_rng(seed)
    return tf.nest.map_structure(lambda t: rng.normal(size=np.shape(t)).astype(np.float32), zero_state)


def max_abs_diff(ours: Any, theirs: Any) -> float:
    """Largest |ours - theirs| over every tensor of two same-shaped nested structures."""
    ours_flat, theirs_flat = tf.nest.flatten(ours), tf.nest.flatten(theirs)
    assert len(ours_flat) == len(theirs_flat), f"{len(ours_flat)} tensors vs TF1's {len(theirs_flat)}"
    worst = 0.0
    for mine, reference_value in zip(ours_flat, theirs_flat):
        mine, reference_value = np.asarray(mine), np.asarray(reference_value)
        assert mine.shape == reference_value.shape, f"shape {mine.shape} vs TF1's {reference_value.shape}"
        worst = max(worst, float(np.max(np.abs(mine - reference_value), initial=0.0)))
    return worst


def assert_matches(ours: Any, theirs: Any, record: Callable | None = None) -> float:
    diff = max_abs_diff(ours, theirs)
    if record is not None:
        record("max_abs_diff", diff)
    assert diff <= TOLERANCE, f"max abs difference {diff:.3g} > {TOLERANCE}"
    return diff


def keras_gru_weights(tf1_values: dict, units: int) -> tuple[np.ndarray, np.ndarray]:
    """A TF1 GRUCell's variables as Keras ``GRUCell(reset_after=False)``'s kernel (z, r, h) and bias."""
    values = {name.split("gru_cell/")[1]: value for name, value in tf1_values.items()}
    gates_kernel, gates_bias = values["gates/kernel"], values["gates/bias"]
    kernel = np.concatenate([gates_kernel[:, units:], gates_kernel[:, :units], values["candidate/kernel"]], axis=1)
    bias = np.concatenate([gates_bias[units:], gates_bias[:units], values["candidate/bias"]])
    return kernel, bias


def assert_wrong_port_caught(spec_name: str, make_wrong_tf1: Callable[[], Any], seed: int) -> None:
    """A negative control: the runtime matches its TF1 spec, and the same weights through ``make_wrong_tf1``
    (a permuted gate layout, a dropped bias...) fail the same check."""
    right = reference("dynamic", spec_name)
    wrong = TF1Reference(dynamic_rnn_graph(make_wrong_tf1), values=right.values)
    rnn = runtime.DynamicRNN(SPECS_BY_NAME[spec_name].make_runtime())
    runtime.load_tf1_weights(rnn, right.values)
    inputs = random_inputs(seed=seed)

    ours = rnn(inputs, sequence_length=LENGTHS)
    assert_matches(ours, tuple(right.run(inputs=inputs, sequence_length=LENGTHS).values()))
    try:
        assert_matches(ours, tuple(wrong.run(inputs=inputs, sequence_length=LENGTHS).values()))
    except AssertionError:
        return
    raise AssertionError(f"the wrong port of {spec_name} was not caught")
