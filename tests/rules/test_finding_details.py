"""What each finding carries: location, API, code, the arguments that matter, the traced cell, verdict and reason."""

from __future__ import annotations

import textwrap

import pytest

from rnnmigrate.findings import Finding
from rnnmigrate.scan import CodeFilter, scan_source


def scan(source: str, **kwargs) -> list[Finding]:
    return scan_source(textwrap.dedent(source), "model.py", **kwargs)


def only(findings: list[Finding], code: str) -> Finding:
    matching = [finding for finding in findings if finding.code == code]
    assert len(matching) == 1, matching
    return matching[0]


# -- location -------------------------------------------------------------------------


def test_location_is_1_based_and_spans_the_call():
    (cell, call) = scan(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(8)
        outputs, state = tf.nn.dynamic_rnn(
            cell, inputs, dtype=tf.float32)
        """
    )
    assert (cell.path, cell.line, cell.column, cell.end_line, cell.end_column) == ("model.py", 2, 8, 2, 33)
    assert (call.line, call.column, call.end_line, call.end_column) == (3, 18, 4, 36)
    assert call.location == "model.py:3:18"


def test_columns_count_characters_not_utf8_bytes():
    (finding,) = scan(
        """\
        import tensorflow as tf
        nöm = "é"; tf.nn.raw_rnn(cell, loop_fn)
        """
    )
    assert (finding.column, finding.end_column) == (12, 40)


# -- API and code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code", "api"),
    [
        ("import tensorflow as tf\ntf.nn.dynamic_rnn(c, x)", "RNN001", "tf.nn.dynamic_rnn"),
        ("import tensorflow.compat.v1 as tf\ntf.nn.dynamic_rnn(c, x)", "RNN001", "tf.compat.v1.nn.dynamic_rnn"),
        ("from tensorflow.python.ops import rnn\nrnn.dynamic_rnn(c, x)", "RNN001", "tensorflow.python.ops.rnn.dynamic_rnn"),
        ("from tensorflow.contrib import rnn\nrnn.static_rnn(c, x)", "RNN003", "tf.contrib.rnn.static_rnn"),
        ("import tensorflow as tf\ntf.nn.rnn(c, x)", "RNN003", "tf.nn.rnn"),
        ("import keras\nkeras.layers.CuDNNGRU(4)", "RNN109", "keras.layers.CuDNNGRU"),
    ],
)
def test_qualified_api_as_written_after_alias_resolution(source: str, code: str, api: str):
    finding = only(scan(source), code)
    assert finding.api == api


# -- arguments that matter ------------------------------------------------------------


def test_dynamic_rnn_arguments_by_keyword():
    call = only(
        scan(
            """\
            import tensorflow as tf
            cell = tf.nn.rnn_cell.GRUCell(8)
            tf.nn.dynamic_rnn(cell=cell, inputs=x, sequence_length=lengths, initial_state=s0,
                              dtype=tf.float32, parallel_iterations=64, swap_memory=True,
                              time_major=True, scope="enc")
            """
        ),
        "RNN001",
    )
    assert call.arguments == {
        "sequence_length": "lengths",
        "initial_state": "s0",
        "dtype": "tf.float32",
        "parallel_iterations": "64",
        "swap_memory": "True",
        "time_major": "True",
        "scope": "'enc'",
    }
    assert call.differences == ("padding", "time-major", "state-structure", "gru-reset-before")


def test_dynamic_rnn_arguments_by_position():
    call = only(
        scan(
            """\
            import tensorflow as tf
            cell = tf.nn.rnn_cell.GRUCell(8)
            tf.nn.dynamic_rnn(cell, x, lengths, None, tf.float64, 8, True, False, "dec")
            """
        ),
        "RNN001",
    )
    assert call.arguments == {
        "sequence_length": "lengths",
        "initial_state": "None",
        "dtype": "tf.float64",
        "parallel_iterations": "8",
        "swap_memory": "True",
        "time_major": "False",
        "scope": "'dec'",
    }
    assert "time-major" not in call.differences


def test_bidirectional_and_static_arguments():
    findings = scan(
        """\
        import tensorflow as tf
        fw = tf.nn.rnn_cell.LSTMCell(4)
        bw = tf.nn.rnn_cell.LSTMCell(4)
        tf.nn.bidirectional_dynamic_rnn(fw, bw, x, lengths, s_fw, s_bw, tf.float32, time_major=True)
        tf.nn.static_rnn(fw, steps, s0, tf.float32, lengths, "static")
        """
    )
    bidi = only(findings, "RNN002")
    assert bidi.arguments == {
        "sequence_length": "lengths",
        "initial_state_fw": "s_fw",
        "initial_state_bw": "s_bw",
        "dtype": "tf.float32",
        "time_major": "True",
    }
    assert [cell.kind for cell in bidi.cells] == ["LSTMCell", "LSTMCell"]
    static = only(findings, "RNN003")
    assert static.arguments == {"initial_state": "s0", "dtype": "tf.float32", "sequence_length": "lengths", "scope": "'static'"}


def test_always_manual_calls_still_report_arguments_and_cells():
    findings = scan(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(8)
        tf.nn.raw_rnn(cell, loop_fn, 16, True, "raw")
        """
    )
    raw = only(findings, "RNN006")
    assert raw.arguments == {"parallel_iterations": "16", "swap_memory": "True", "scope": "'raw'"}
    assert [cell.kind for cell in raw.cells] == ["GRUCell"]
    cell = only(findings, "RNN101")
    assert (cell.verdict, cell.reason) == ("manual", "runs in tf.nn.raw_rnn on line 3, which stays manual")


# -- the traced cell ------------------------------------------------------------------


def test_lstm_cell_options_are_traced_to_the_call():
    call = only(
        scan(
            """\
            import tensorflow as tf
            cell = tf.nn.rnn_cell.LSTMCell(128, use_peepholes=True, cell_clip=5.0, num_proj=64,
                                           proj_clip=3.0, forget_bias=0.5, activation=tf.nn.relu)
            tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
            """
        ),
        "RNN001",
    )
    (cell,) = call.cells
    assert (cell.kind, cell.api, cell.line) == ("LSTMCell", "tf.nn.rnn_cell.LSTMCell", 2)
    assert cell.arguments == {
        "num_units": "128",
        "use_peepholes": "True",
        "cell_clip": "5.0",
        "num_proj": "64",
        "proj_clip": "3.0",
        "forget_bias": "0.5",
        "activation": "tf.nn.relu",
    }
    assert cell.differences == ("lstm-gate-order", "forget-bias", "no-keras-equivalent")
    assert call.verdict == "auto"


def test_forget_bias_zero_has_no_forget_bias_difference():
    cell = only(scan("import tensorflow as tf\nc = tf.nn.rnn_cell.BasicLSTMCell(8, 0.0)\ntf.nn.dynamic_rnn(c, x)\n"), "RNN101")
    assert cell.arguments == {"num_units": "8", "forget_bias": "0.0"}
    assert cell.differences == ("lstm-gate-order",)


def test_multi_rnn_cell_layers_with_dropout_keep_probs():
    call = only(
        scan(
            """\
            import tensorflow as tf

            def layer(units, keep):
                cell = tf.nn.rnn_cell.GRUCell(units)
                return tf.nn.rnn_cell.DropoutWrapper(cell, input_keep_prob=keep, output_keep_prob=0.9,
                                                     state_keep_prob=1.0)

            stack = tf.nn.rnn_cell.MultiRNNCell([layer(32, 0.8) for _ in range(num_layers)])
            outputs, state = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)
            """
        ),
        "RNN001",
    )
    (stack,) = call.cells
    assert (stack.kind, stack.repeat) == ("MultiRNNCell", "range(num_layers)")
    (dropout,) = stack.children
    assert dropout.kind == "DropoutWrapper"
    assert dropout.arguments == {"input_keep_prob": "keep", "output_keep_prob": "0.9", "state_keep_prob": "1.0"}
    (gru,) = dropout.children
    assert (gru.kind, gru.arguments) == ("GRUCell", {"num_units": "units"})
    assert stack.describe() == "MultiRNNCell[DropoutWrapper[GRUCell(units)]] x range(num_layers)"
    assert call.verdict == "auto"
    assert set(call.differences) == {"state-structure", "dropout-training", "gru-reset-before"}


def test_cells_of_a_multi_rnn_cell_from_a_list_literal():
    stack = only(
        scan(
            """\
            import tensorflow as tf
            stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(64), tf.nn.rnn_cell.GRUCell(32)])
            tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)
            """
        ),
        "RNN102",
    )
    (cell,) = stack.cells
    assert [(child.kind, child.arguments["num_units"]) for child in cell.children] == [("LSTMCell", "64"), ("GRUCell", "32")]
    assert cell.repeat is None


# -- verdicts and reasons -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code", "reason"),
    [
        (
            "tf.nn.raw_rnn(cell, loop_fn)",
            "RNN006",
            "raw_rnn's loop_fn is arbitrary code; port the loop by hand",
        ),
        (
            "class MyCell(tf.nn.rnn_cell.LSTMCell):\n    pass",
            "RNN106",
            "class MyCell subclasses tf.nn.rnn_cell.LSTMCell: the runtime LSTMCell runs a fused step on "
            "Keras-ordered states, not the call/__call__ a subclass overrides, so its overrides would not run "
            "as in TF1; port it onto rnnmigrate.layers.RNNCell by hand",
        ),
        (
            "def f(cell):\n    return tf.nn.dynamic_rnn(cell, x)",
            "RNN001",
            "`cell` is a parameter of f(); its construction cannot be traced (no call of it in this file passes one)",
        ),
        (
            "tf.nn.dynamic_rnn(factory.make(), x)",
            "RNN001",
            "the cell comes from `factory.make()`, defined outside this file",
        ),
        (
            "tf.nn.dynamic_rnn(cell or fallback, x)",
            "RNN001",
            "the cell is the expression `cell or fallback`, which cannot be traced",
        ),
        (
            "tf.nn.dynamic_rnn(tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(4), variational_recurrent=True), x)",
            "RNN001",
            "variational_recurrent=True samples one dropout mask per sequence; port its training behaviour by hand",
        ),
        (
            "tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x, **options)",
            "RNN001",
            "arguments are passed with `**kwargs`; they cannot be mapped",
        ),
        (
            "tf.contrib.cudnn_rnn.CudnnLSTM(1, 64, input_mode='skip_input')",
            "RNN108",
            "input_mode='skip_input' has no input weights in the first layer and no compatible cell in TF 1.15",
        ),
        (
            "tf.nn.dynamic_rnn(tf.contrib.rnn.UGRNNCell(4), x)",
            "RNN001",
            "UGRNNCell existed only in tf.contrib; Keras 3 has no equivalent cell",
        ),
        (
            "tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4, state_is_tuple=False), x)",
            "RNN001",
            "state_is_tuple=False: c and h are concatenated into one tensor; rnnmigrate.layers keeps tuples",
        ),
        (
            "tf.nn.rnn_cell.GRUCell(4)",
            "RNN101",
            "not passed to an RNN call in this file, so its use cannot be checked; migrate it with the code that runs it",
        ),
        (
            "tf.keras.layers.CuDNNLSTM(4)",
            "RNN109",
            "Keras 3 has no CuDNN* layers; use keras.layers.LSTM / GRU(reset_after=True) and convert the .h5 weights "
            "with rnnmigrate.keras2_cudnn.keras3_weights_from_keras2_h5 (cuDNN's kernel layout and two bias sets)",
        ),
    ],
    ids=[
        "raw_rnn", "custom-subclass", "parameter", "external-factory", "expression", "variational",
        "kwargs", "cudnn-skip-input", "contrib-only", "state-not-tuple", "orphan-cell", "keras-cudnn",
    ],
)  # fmt: skip
def test_manual_reason(source: str, code: str, reason: str):
    finding = only(scan("import tensorflow as tf\n" + source + "\n"), code)
    assert finding.verdict == "manual"
    assert finding.reason == reason
    assert finding.message == f"{finding.api}: needs a person: {reason}"


def test_auto_finding_has_no_reason_and_says_what_differs():
    call = only(scan("import tensorflow as tf\nc = tf.nn.rnn_cell.GRUCell(4)\ntf.nn.dynamic_rnn(c, x, lengths)\n"), "RNN001")
    assert (call.verdict, call.reason) == ("auto", None)
    assert call.message == "tf.nn.dynamic_rnn: auto-rewritable (differs: padding, gru-reset-before)"


def test_a_cell_shared_with_a_manual_call_keeps_every_call_that_runs_it_manual():
    findings = scan(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(4)
        a = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        b = tf.nn.static_state_saving_rnn(cell, steps, saver, "state")
        other = tf.nn.rnn_cell.GRUCell(4)
        c = tf.nn.dynamic_rnn(other, x, dtype=tf.float32)
        """
    )
    verdicts = {(f.line, f.code): (f.verdict, f.reason) for f in findings}
    assert verdicts[(2, "RNN101")] == ("manual", "runs in tf.nn.static_state_saving_rnn on line 4, which stays manual")
    assert verdicts[(3, "RNN001")][0] == "manual"
    assert verdicts[(3, "RNN001")][1].startswith("its cell tf.nn.rnn_cell.GRUCell on line 2 stays manual")
    assert verdicts[(5, "RNN101")] == ("auto", None)
    assert verdicts[(6, "RNN001")] == ("auto", None)


def test_both_branches_of_a_conditional_cell_migrate_with_their_call():
    findings = scan(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.LSTMCell(8) if use_lstm else tf.nn.rnn_cell.GRUCell(8)
        tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        """
    )
    assert [(f.code, f.verdict) for f in findings] == [("RNN101", "auto"), ("RNN101", "auto"), ("RNN001", "auto")]
    (traced,) = findings[2].cells
    assert traced.kind == "LSTMCell"  # the cell reported; the other branch migrates with it
    assert "alternatives" not in traced.to_dict()


def test_a_manual_branch_makes_the_conditional_cell_manual():
    findings = scan(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(8) if fast else tf.contrib.rnn.GridLSTMCell(8)
        tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        """
    )
    call = only(findings, "RNN001")
    assert call.verdict == "manual"
    assert call.reason.startswith("on another path: GridLSTMCell existed only")
    assert only(findings, "RNN101").verdict == "manual"


# -- code filter and suppression ------------------------------------------------------


def test_code_filter_prefixes():
    codes = CodeFilter(select=frozenset({"RNN1"}), ignore=frozenset({"RNN103"}))
    assert codes.wants("RNN101") and codes.wants("RNN109")
    assert not codes.wants("RNN103") and not codes.wants("RNN001")
    assert CodeFilter().wants("RNN006")


def test_a_cell_whose_call_is_left_out_stays_manual_as_the_rewrite_leaves_it():
    source = "import tensorflow as tf\nc = tf.nn.rnn_cell.GRUCell(4)\ntf.nn.dynamic_rnn(c, x)\n"
    (cell,) = scan(source, codes=CodeFilter(select=frozenset({"RNN101"})))
    assert cell.verdict == "manual"
    assert cell.reason.startswith("runs in tf.nn.dynamic_rnn on line 3, which stays manual")
    (everything_cell, _) = scan(source)
    assert everything_cell.verdict == "auto"


def test_suppression_with_codes_on_the_finding_line():
    findings = scan(
        """\
        import tensorflow as tf
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x)  # rnnmigrate: ignore[RNN101]
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x)  # rnnmigrate: ignore[RNN001,RNN101]
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x)  # rnnmigrate: ignore
        tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x)  # rnnmigrate: ignore[]
        """
    )
    assert [(f.line, f.code) for f in findings] == [(2, "RNN001"), (5, "RNN001"), (5, "RNN101")]


def test_a_cell_class_deriving_from_another_class_of_the_file_migrates_with_it():
    findings = scan(
        """\
        import tensorflow as tf

        class StackCell(tf.nn.rnn_cell.RNNCell):
            pass

        class DequeCell(StackCell):
            pass

        outputs, state = tf.nn.dynamic_rnn(DequeCell(), inputs, dtype=tf.float32)
        """
    )
    call, base = only(findings, "RNN001"), only(findings, "RNN106")
    assert (call.verdict, call.safety, base.verdict) == ("auto", "unsafe", "auto")


def test_a_derived_cell_class_whose_own_body_uses_tf_contrib_keeps_the_call_manual():
    findings = scan(
        """\
        import tensorflow as tf

        class StackCell(tf.nn.rnn_cell.RNNCell):
            pass

        class DequeCell(StackCell):
            def call(self, inputs, state):
                return tf.contrib.layers.layer_norm(inputs), state

        outputs, state = tf.nn.dynamic_rnn(DequeCell(), inputs, dtype=tf.float32)
        """
    )
    call = only(findings, "RNN001")
    assert call.verdict == "manual"
    assert call.reason == "class DequeCell: its body uses tf.contrib.layers.layer_norm; tf.contrib is gone in TF 2"


def test_a_cell_class_parameter_tested_against_a_tf1_class_keeps_the_call_manual():
    findings = scan(
        """\
        import tensorflow as tf

        def single_cell(cell_class, units):
            if cell_class is tf.nn.rnn_cell.GRUCell:
                return cell_class(units)
            return cell_class(units, forget_bias=0.0)

        outputs, state = tf.nn.dynamic_rnn(single_cell(tf.nn.rnn_cell.LSTMCell, 4), inputs, dtype=tf.float32)
        """
    )
    call = only(findings, "RNN001")
    assert call.verdict == "manual"
    assert call.reason == (
        "single_cell() tests `cell_class` against tf.nn.rnn_cell.GRUCell on line 4, a TF1 class the migrated classes "
        "would fail; test by name, or migrate by hand"
    )


def test_a_cell_class_parameter_names_the_first_call_passing_what_cannot_be_followed():
    findings = scan(
        """\
        import tensorflow as tf

        def single_cell(cell_class, units):
            return cell_class(units)

        first = single_cell(config.first, 4)
        second = single_cell(config.second, 4)
        outputs, state = tf.nn.dynamic_rnn(single_cell(tf.nn.rnn_cell.GRUCell, 4), inputs, dtype=tf.float32)
        """
    )
    assert only(findings, "RNN001").reason == (
        "the cell class is `cell_class`, a parameter of single_cell(); a call passes `config.first` on line 6, "
        "which is not a cell class the scan can follow"
    )
    assert only(findings, "RNN101").reason == "runs in tf.nn.dynamic_rnn on line 8, which stays manual"


def test_a_configured_cell_class_tested_against_a_tf1_class_keeps_the_call_manual():
    findings = scan(
        """\
        import tensorflow as tf

        cell_fn = tf.nn.rnn_cell.LSTMCell if lstm else tf.nn.rnn_cell.GRUCell
        forget_bias = 0.0 if cell_fn is tf.nn.rnn_cell.LSTMCell else None
        outputs, state = tf.nn.dynamic_rnn(cell_fn(4), inputs, dtype=tf.float32)
        """
    )
    assert only(findings, "RNN001").reason == (
        "the module tests `cell_fn` against tf.nn.rnn_cell.LSTMCell on line 4, a TF1 class the migrated classes "
        "would fail; test by name, or migrate by hand"
    )


@pytest.mark.parametrize(("arguments", "verdict"), [
    ("tf.nn.rnn_cell.GRUCell(4), num_cells=2, cell_size=4", "auto"),
    ("cell=None, num_cells=2", "manual"),
    ("unknown_cell, num_cells=2", "manual"),
])
def test_a_cell_class_given_cells_needs_each_one_traced(arguments, verdict):
    findings = scan(
        f"""\
        import tensorflow as tf

        class Stacked(tf.nn.rnn_cell.RNNCell):
            def __init__(self, cell, num_cells, cell_size=8):
                super().__init__()
                self._cell = cell

        outputs, state = tf.nn.dynamic_rnn(Stacked({arguments}), inputs, dtype=tf.float32)
        """
    )
    assert only(findings, "RNN001").verdict == verdict
