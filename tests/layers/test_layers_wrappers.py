"""ResidualWrapper, DeviceWrapper, OutputProjectionWrapper, InputProjectionWrapper against TF1's.

The wrapper specs also run through the shared ``CELL_SPECS`` matrix of test_layers_dynamic_rnn.py;
here: bidirectional, static_rnn, the device placement, a TF1 program restored by its own Saver, and
negative controls (the .keras round trip is in test_layers_block_cells.py).
"""

import numpy as np
import pytest
import tensorflow as tf

import rnnmigrate.layers as runtime
from tf1_reference import (
    INPUT_DEPTH,
    LENGTHS,
    SPECS_BY_NAME,
    assert_matches,
    assert_wrong_port_caught,
    max_abs_diff,
    random_inputs,
    reference,
    rnn_cell,
    v1,
)
from wrapper_oracles import OracleInputProjectionWrapper, OracleOutputProjectionWrapper



# -- DeviceWrapper: the device is honoured -------------------------------------------------------
def _placements(make_cell, kind: str) -> tuple[dict, set]:
    """(variable devices, devices of the step's MatMul/Sigmoid/Tanh ops, loop bodies included)."""
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        if kind == "tf1":
            v1.nn.dynamic_rnn(make_cell(), inputs, dtype=tf.float32)
        else:
            runtime.DynamicRNN(make_cell())(inputs)
        variables = {variable.op.name: variable.device for variable in v1.global_variables()}
    graph_def = graph.as_graph_def()
    nodes = [*graph_def.node, *(node for function in graph_def.library.function for node in function.node_def)]
    return variables, {node.device for node in nodes if node.op in ("MatMul", "Sigmoid", "Tanh")}


def test_device_wrapper_places_the_cell_ops_and_variables_like_tf1():
    tf1 = _placements(lambda: rnn_cell.DeviceWrapper(rnn_cell.LSTMCell(4), "/cpu:0"), "tf1")
    ours = _placements(lambda: runtime.DeviceWrapper(runtime.LSTMCell(4), "/cpu:0"), "runtime")
    unwrapped = _placements(lambda: runtime.LSTMCell(4), "runtime")

    assert ours == tf1
    assert ours[1] == {"/device:CPU:0"} and set(ours[0].values()) == {"/device:CPU:0"}
    assert unwrapped[1] == {""}, "without the wrapper nothing is placed: the check is not vacuous"


# -- a TF1 program restored by its own Saver -----------------------------------------------------
def _wrapper_program(kind: str):
    tf1 = kind == "tf1"
    cells = rnn_cell if tf1 else runtime
    output_projection = OracleOutputProjectionWrapper if tf1 else runtime.OutputProjectionWrapper
    input_projection = OracleInputProjectionWrapper if tf1 else runtime.InputProjectionWrapper
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        with v1.variable_scope("encoder"):
            cell = cells.MultiRNNCell([
                input_projection(cells.LSTMCell(4, use_peepholes=True), 2, tf.tanh),
                cells.ResidualWrapper(cells.GRUCell(4)),
            ])
            if tf1:
                encoded, state = v1.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32)
            else:
                encoded, state = runtime.DynamicRNN(cell, dtype=tf.float32)(inputs, sequence_length=lengths)
        fw = output_projection(cells.DeviceWrapper(cells.LSTMCell(3), "/cpu:0"), 2)
        bw = output_projection(cells.GRUCell(3), 2, tf.nn.relu)
        if tf1:
            both, states = v1.nn.bidirectional_dynamic_rnn(fw, bw, encoded, sequence_length=lengths, dtype=tf.float32)
        else:
            both, states = runtime.BidirectionalDynamicRNN(fw, bw, dtype=tf.float32)(encoded, sequence_length=lengths)
        session = v1.Session(graph=graph)
        session.run(v1.global_variables_initializer())
    fetches = {"encoder": (encoded, state), "bidirectional": (both, states)}
    return graph, session, fetches, {inputs: random_inputs(seed=75), lengths: LENGTHS}


def test_tf1_program_restores_from_its_own_saver_with_tf1_names(tmp_path, record_property):
    graph, session, fetches, feed = _wrapper_program("tf1")
    rng = np.random.default_rng(76)
    with graph.as_default():
        for variable in v1.global_variables():
            variable.load(rng.normal(0, 0.8, variable.shape.as_list()).astype(np.float32), session)
        expected_names = {v.op.name: (v.shape.as_list(), v.device) for v in v1.global_variables()}
        prefix = v1.train.Saver().save(session, str(tmp_path / "model"))
        expected = session.run(fetches, feed)

    graph, session, fetches, feed = _wrapper_program("runtime")
    with graph.as_default():
        assert {v.op.name: (v.shape.as_list(), v.device) for v in v1.global_variables()} == expected_names
        v1.train.Saver().restore(session, prefix)
        ours = session.run(fetches, feed)
    assert "encoder/rnn/multi_rnn_cell/cell_0/input_projection_wrapper/lstm_cell/w_f_diag" in expected_names
    assert "bidirectional_rnn/fw/output_projection_wrapper/lstm_cell/kernel" in expected_names
    for part in fetches:
        record_property(f"max_abs_diff_{part}", max_abs_diff(ours[part], expected[part]))
    assert_matches(ours, expected)


# -- negative controls ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make_wrong_tf1", "spec_name"),
    [
        (lambda: OracleOutputProjectionWrapper(rnn_cell.LSTMCell(5, num_proj=4), 3, tf.tanh, skip_bias=True),
         "output_projection_lstm"),
        (lambda: rnn_cell.LSTMCell(INPUT_DEPTH, use_peepholes=True), "residual_lstm_peepholes"),
    ],
    ids=["projection_bias_dropped", "residual_dropped"],
)
def test_a_wrong_port_is_caught(make_wrong_tf1, spec_name):
    assert_wrong_port_caught(spec_name, make_wrong_tf1, seed=78)


@pytest.mark.parametrize("spec_name", ["multi_wrappers", "lstm_block_all_options"])
def test_static_rnn_with_lengths(spec_name, record_property):
    tf1 = reference("static", spec_name)
    cell = SPECS_BY_NAME[spec_name].make_runtime()
    runtime.load_tf1_weights(cell, tf1.values, scope="rnn")
    inputs = list(np.moveaxis(random_inputs(seed=79), 1, 0))

    expected = tf1.run(inputs=inputs, sequence_length=LENGTHS)
    outputs, state = runtime.static_rnn(cell, inputs, sequence_length=LENGTHS, dtype=tf.float32)

    assert_matches((outputs, state), (expected["outputs"], expected["state"]), record_property)
