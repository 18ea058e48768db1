"""Which assignment of a name reaches an RNN call: a reassignment on every path hides the ones before it."""

from __future__ import annotations

import textwrap

from rnnmigrate.scan import scan_source


def verdicts(source: str) -> list[tuple[int, str, str, str | None]]:
    findings = scan_source(textwrap.dedent(source), "lesson.py")
    return [(f.line, f.code, f.verdict, f.safety) for f in findings]


def test_a_script_that_reassigns_its_cell_runs_each_rnn_on_its_own_cell():
    # the second cell is unsafe ([cell] * 3 shares one kernel); the first call never runs it
    assert verdicts(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(5)
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        cell = tf.nn.rnn_cell.BasicLSTMCell(5)
        cell = tf.nn.rnn_cell.MultiRNNCell([cell] * 3)
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        """
    ) == [
        (2, "RNN101", "auto", "safe"),
        (3, "RNN001", "auto", "safe"),
        (4, "RNN101", "auto", "unsafe"),
        (5, "RNN102", "auto", "unsafe"),
        (6, "RNN001", "auto", "unsafe"),
    ]


def test_a_conditional_reassignment_hides_nothing():
    found = verdicts(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(5)
        if deep:
            cell = tf.contrib.rnn.AttentionCellWrapper(cell, attn_length=3)
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        """
    )
    assert (5, "RNN001", "manual", None) in found


def test_a_reassignment_in_another_function_hides_nothing():
    found = verdicts(
        """\
        import tensorflow as tf
        cell = tf.contrib.rnn.AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(5), attn_length=3)
        def rebuild():
            cell = tf.nn.rnn_cell.GRUCell(5)
            return cell
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        """
    )
    assert (6, "RNN001", "manual", None) in found


def test_an_assignment_after_the_loop_does_not_reach_the_call_inside_it():
    found = verdicts(
        """\
        import tensorflow as tf
        cell = tf.nn.rnn_cell.GRUCell(5)
        for step in range(2):
            outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        cell = tf.contrib.rnn.AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(5), attn_length=3)
        """
    )
    assert (4, "RNN001", "auto", "safe") in found


def test_a_class_name_reassigned_on_a_branch_is_no_alias_and_both_classes_migrate():
    # tf-seq2seq: `cell_type = LSTMCell; if gru: cell_type = GRUCell` had resolved to GRUCell alone,
    # and the rewrite built a GRU where TF1 built an LSTM
    from rnnmigrate.rewrite import rewrite_source

    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow.python.ops.rnn_cell import GRUCell
        from tensorflow.python.ops.rnn_cell import LSTMCell
        def build(kind):
            cell_type = LSTMCell
            if kind == "gru":
                cell_type = GRUCell
            return tf.nn.dynamic_rnn(cell_type(8), x, dtype=tf.float32)
        """
    )
    new = rewrite_source(source).text
    assert "    cell_type = LSTMCell\n" in new and "        cell_type = GRUCell\n" in new
    assert "from rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell" in new
    assert "DynamicRNN(cell_type(8), dtype=tf.float32)(x)" in new
