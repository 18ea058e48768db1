"""tf.contrib.rnn's block cells against TensorFlow's own kernels (tf.raw_ops), driven as TF 1.15 drove them.

The step cells (LSTMBlockCell, GRUBlockCell, GRUBlockCellV2) also run through the shared
``CELL_SPECS`` matrix of test_layers_dynamic_rnn.py; here: bidirectional, the fused cell's own
call, a TF1 program restored by its own Saver, a .keras round trip (of the wrappers too), and
negative controls.
"""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from block_oracles import OracleGRUBlockCell, OracleLSTMBlockCell, OracleLSTMBlockFusedCell, swap_gates
from tf1_reference import (
    BATCH,
    INPUT_DEPTH,
    LENGTHS,
    TF1Reference,
    assert_matches,
    assert_wrong_port_caught,
    dynamic_rnn_graph,
    max_abs_diff,
    random_inputs,
    random_state,
    rnn_cell,
    v1,
)

UNITS = 5
FUSED_OPTIONS = {
    "fused": {},
    "fused_all_options": {"forget_bias": 0.3, "cell_clip": 0.5, "use_peephole": True},
}


def test_lstm_block_cell_clip_zero_means_no_clipping_like_the_kernel():
    tf1 = TF1Reference(dynamic_rnn_graph(lambda: OracleLSTMBlockCell(UNITS, cell_clip=0.0)))
    rnn = runtime.DynamicRNN(runtime.LSTMBlockCell(UNITS, cell_clip=0.0))
    runtime.load_tf1_weights(rnn, tf1.values)
    inputs = random_inputs(seed=35) * 3.0

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    assert np.max(np.abs(expected["state"].c)) > 1.0, "the data must reach cells beyond any small clip"
    assert_matches(rnn(inputs, sequence_length=LENGTHS), (expected["outputs"], expected["state"]))


# -- LSTMBlockFusedCell: its own time-major call ------------------------------------------------
def _fused_graph(options: dict, *, with_lengths=True, with_initial_state=False, scope=None, **oracle_options):
    def build():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None]) if with_lengths else None
        state = (v1.placeholder(tf.float32, [None, UNITS]), v1.placeholder(tf.float32, [None, UNITS]))
        state = state if with_initial_state else None
        cell = OracleLSTMBlockFusedCell(UNITS, **options, **oracle_options)
        outputs, final = cell(inputs, initial_state=state, dtype=tf.float32, sequence_length=lengths, scope=scope)
        return {"inputs": inputs, "sequence_length": lengths, "initial_state": state}, {"outputs": outputs, "state": final}

    return build


@functools.lru_cache(maxsize=None)
def fused_reference(name: str, **graph_options) -> TF1Reference:
    return TF1Reference(_fused_graph(FUSED_OPTIONS[name], **graph_options))


def ported_fused(name: str, values: dict, inputs) -> runtime.LSTMBlockFusedCell:
    cell = runtime.LSTMBlockFusedCell(UNITS, **FUSED_OPTIONS[name])
    cell(inputs[:1], dtype=tf.float32)
    runtime.load_tf1_weights(cell, values)
    return cell


@pytest.mark.parametrize("name", list(FUSED_OPTIONS))
def test_fused_cell_lengths_0_1_t_from_a_checkpoint(name, tmp_path, record_property):
    tf1 = fused_reference(name)
    inputs = random_inputs(time_major=True, seed=41)
    cell = runtime.LSTMBlockFusedCell(UNITS, **FUSED_OPTIONS[name])
    cell(inputs, dtype=tf.float32)
    runtime.load_tf1_weights(cell, tf1.save_checkpoint(str(tmp_path / "fused.ckpt")))

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, state = cell(inputs, dtype=tf.float32, sequence_length=LENGTHS)

    assert sorted(cell.tf1_variables()) == sorted(tf1.values)
    assert isinstance(state, runtime.LSTMStateTuple)
    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)


@pytest.mark.parametrize("name", list(FUSED_OPTIONS))
def test_fused_cell_initial_state_without_lengths_batch_one_in_tf_function(name, record_property):
    tf1 = fused_reference(name, with_lengths=False, with_initial_state=True)
    inputs = random_inputs(batch=1, time_major=True, seed=42)
    cell = ported_fused(name, tf1.values, inputs)
    state = random_state((np.zeros((1, UNITS)), np.zeros((1, UNITS))), seed=43)

    expected = tf1.run(inputs=inputs, initial_state=state)
    outputs, final = tf.function(lambda x, s: cell(x, initial_state=s))(inputs, state)

    assert_matches((outputs, final), (expected["outputs"], expected["state"]), record_property)


def test_fused_cell_initial_state_and_lengths_keeps_the_state_for_length_0(record_property):
    tf1 = fused_reference("fused_all_options", with_initial_state=True)
    inputs = random_inputs(time_major=True, seed=44)
    cell = ported_fused("fused_all_options", tf1.values, inputs)
    state = random_state((np.zeros((BATCH, UNITS)), np.zeros((BATCH, UNITS))), seed=45)

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS, initial_state=state)
    outputs, final = cell(inputs, initial_state=state, sequence_length=LENGTHS)

    assert_matches((outputs, final), (expected["outputs"], expected["state"]), record_property)
    assert np.array_equal(final.c[1], state[0][1]) and np.array_equal(final.h[1], state[1][1])


def test_fused_cell_list_inputs_give_list_outputs():
    tf1 = fused_reference("fused")
    inputs = random_inputs(time_major=True, seed=46)
    cell = ported_fused("fused", tf1.values, inputs)

    outputs, state = cell(list(inputs), dtype=tf.float32, sequence_length=LENGTHS)
    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)

    assert isinstance(outputs, list) and len(outputs) == inputs.shape[0]
    assert_matches((tf.stack(outputs), state), (expected["outputs"], expected["state"]))


def test_fused_cell_needs_a_dtype_or_an_initial_state_like_tf1():
    with pytest.raises(ValueError, match="Either initial_state or dtype"):
        runtime.LSTMBlockFusedCell(UNITS)(random_inputs(time_major=True))


# -- a TF1 program restored by its own Saver -----------------------------------------------------
def _block_program(kind: str):
    """A fused encoder, a stack of the step cells over it, then a bidirectional layer; TF1 scopes."""
    tf1 = kind == "tf1"
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        with v1.variable_scope("encoder"):
            fused = (OracleLSTMBlockFusedCell if tf1 else runtime.LSTMBlockFusedCell)(4, use_peephole=True, cell_clip=0.6)
            encoded, fused_state = fused(tf.transpose(inputs, [1, 0, 2]), dtype=tf.float32, sequence_length=lengths,
                                           scope="fused")
            encoded = tf.transpose(encoded, [1, 0, 2])
        with v1.variable_scope("stack"):
            if tf1:
                cell = rnn_cell.MultiRNNCell([OracleLSTMBlockCell(4, forget_bias=0.5), OracleGRUBlockCell(3)])
                stacked, stack_state = v1.nn.dynamic_rnn(cell, encoded, sequence_length=lengths, dtype=tf.float32)
            else:
                cell = runtime.MultiRNNCell([runtime.LSTMBlockCell(4, forget_bias=0.5), runtime.GRUBlockCell(3)])
                stacked, stack_state = runtime.DynamicRNN(cell, dtype=tf.float32)(encoded, sequence_length=lengths)
        fw, bw = (OracleGRUBlockCell(2, "v2"), OracleLSTMBlockCell(2)) if tf1 else (
            runtime.GRUBlockCellV2(2), runtime.LSTMBlockCell(2))
        if tf1:
            both, both_states = v1.nn.bidirectional_dynamic_rnn(fw, bw, stacked, sequence_length=lengths, dtype=tf.float32)
        else:
            both, both_states = runtime.BidirectionalDynamicRNN(fw, bw, dtype=tf.float32)(stacked, sequence_length=lengths)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
    fetches = {"fused": (encoded, fused_state), "stack": (stacked, stack_state), "both": (both, both_states)}
    return graph, session, fetches, {inputs: random_inputs(seed=51), lengths: LENGTHS}


def test_tf1_program_restores_from_its_own_saver_with_tf1_names(tmp_path, record_property):
    graph, session, fetches, feed = _block_program("tf1")
    rng = np.random.default_rng(52)
    with graph.as_default():
        for variable in v1.global_variables():
            variable.load(rng.normal(0, 0.8, variable.shape.as_list()).astype(np.float32), session)
        expected_names = {v.op.name: v.shape.as_list() for v in v1.global_variables()}
        prefix = v1.train.Saver().save(session, str(tmp_path / "model"))
        expected = session.run(fetches, feed)

    graph, session, fetches, feed = _block_program("runtime")
    with graph.as_default():
        assert {v.op.name: v.shape.as_list() for v in v1.global_variables()} == expected_names
        v1.train.Saver().restore(session, prefix)
        ours = session.run(fetches, feed)
    assert "encoder/fused/w_i_diag" in expected_names and "stack/rnn/multi_rnn_cell/cell_1/gru_cell/w_ru" in expected_names
    for part in fetches:
        record_property(f"max_abs_diff_{part}", max_abs_diff(ours[part], expected[part]))
    assert_matches(ours, expected)


# -- .keras round trip ---------------------------------------------------------------------------
def _block_and_wrapper_model() -> keras.Model:
    """Every block cell and wrapper in one functional model (one save and load for them all)."""
    inputs = keras.Input((None, INPUT_DEPTH), name="inputs")
    lengths = keras.Input((), dtype="int32", name="lengths")
    stack = runtime.MultiRNNCell([
        runtime.InputProjectionWrapper(runtime.LSTMBlockCell(4, cell_clip=0.5, use_peephole=True), 2, activation="relu"),
        runtime.ResidualWrapper(runtime.DeviceWrapper(runtime.GRUBlockCell(4), "/cpu:0")),
        runtime.OutputProjectionWrapper(runtime.GRUBlockCellV2(3), 2),
    ])
    outputs, state = runtime.DynamicRNN(stack, name="stack")(inputs, sequence_length=lengths)
    fused = runtime.LSTMBlockFusedCell(3, forget_bias=0.2, name="fused")
    fused_out, fused_state = fused(keras.ops.transpose(outputs, [1, 0, 2]), dtype=tf.float32, sequence_length=lengths)
    return keras.Model([inputs, lengths], [outputs, state[0].c, state[1], fused_out, fused_state.c, fused_state.h])


def test_keras_file_round_trip_keeps_the_outputs_and_the_options(tmp_path):
    model = _block_and_wrapper_model()
    inputs = [random_inputs(seed=53), LENGTHS]
    expected = model(inputs)
    model.save(tmp_path / "blocks.keras")

    restored = keras.saving.load_model(tmp_path / "blocks.keras")

    assert_matches(restored(inputs), expected)
    input_projection, residual, output_projection = restored.get_layer("stack").cell.cells
    block = input_projection.cell
    assert (type(block).__name__, block.cell_clip, block.use_peepholes) == ("LSTMBlockCell", 0.5, True)
    assert (input_projection.num_proj, input_projection.activation) == (2, keras.activations.relu)
    assert isinstance(residual.cell, runtime.DeviceWrapper) and residual.cell.device == "/cpu:0"
    assert (output_projection.output_size, output_projection.activation) == (2, None)
    assert restored.get_layer("fused").forget_bias == 0.2
    names = set(restored.get_layer("stack").cell.tf1_variables())
    assert {"stack/multi_rnn_cell/cell_1/gru_cell/w_ru", "stack/multi_rnn_cell/cell_2/output_projection_wrapper/kernel",
            "stack/multi_rnn_cell/cell_0/input_projection_wrapper/lstm_cell/w_i_diag"} <= names


# -- negative controls ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make_wrong_tf1", "spec_name"),
    [
        (lambda: OracleLSTMBlockCell(5, gate_order=swap_gates("lstm_j_f_swapped")), "lstm_block"),
        (lambda: OracleGRUBlockCell(5, gate_order=swap_gates("gru_r_u_swapped")), "gru_block"),
        (lambda: OracleLSTMBlockCell(5, forget_bias=0.0), "lstm_block"),
    ],
    ids=["lstm_gate_order", "gru_gate_order", "lstm_forget_bias_dropped"],
)
def test_a_wrong_port_is_caught(make_wrong_tf1, spec_name):
    """The same weights through a kernel fed a permuted layout (or no forget_bias) must fail the check."""
    assert_wrong_port_caught(spec_name, make_wrong_tf1, seed=61)


def test_fused_cell_without_forget_bias_is_caught():
    right = fused_reference("fused")
    wrong = TF1Reference(_fused_graph({}, drop_forget_bias=True), values=right.values)
    inputs = random_inputs(time_major=True, seed=62)
    cell = ported_fused("fused", right.values, inputs)

    ours = cell(inputs, dtype=tf.float32, sequence_length=LENGTHS)
    assert_matches(ours, tuple(right.run(inputs=inputs, sequence_length=LENGTHS).values()))
    with pytest.raises(AssertionError):
        assert_matches(ours, tuple(wrong.run(inputs=inputs, sequence_length=LENGTHS).values()))
