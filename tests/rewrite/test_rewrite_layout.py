"""What a rewritten call keeps: every argument the runtime takes, every comment, the layout."""

from __future__ import annotations

import ast
from pathlib import Path

from rewrite_helpers import run, write

from rnnmigrate.rewrite import rewrite_source

HEADER = "import tensorflow as tf\ncell = tf.nn.rnn_cell.GRUCell(8)\n"


def rewritten(call: str, **kwargs) -> str:
    text = rewrite_source(HEADER + call, **kwargs).text
    assert rewrite_source(text, **kwargs).text == text, "a second pass changed the text"
    ast.parse(text)
    return text


def test_swap_memory_and_its_comment_are_kept():
    text = rewritten(
        "out, st = tf.nn.dynamic_rnn(\n"
        "    cell,\n"
        "    x,\n"
        "    swap_memory=True,  # we run out of memory without this\n"
        ")\n"
    )
    assert "    swap_memory=True,  # we run out of memory without this\n" in text


def test_parallel_iterations_and_float32_dtype_are_kept():
    text = rewritten("out, st = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, parallel_iterations=8)\n")
    assert "out, st = DynamicRNN(cell, dtype=tf.float32, parallel_iterations=8)(x)\n" in text


def test_scope_stays_scope_for_a_string_and_a_variable_scope():
    text = rewritten(
        "with tf.variable_scope('enc') as vs:\n"
        "    a, _ = tf.nn.dynamic_rnn(cell, x, scope=vs)\n"
        "b, _ = tf.nn.bidirectional_dynamic_rnn(cell, cell, x, scope='bi')\n"
    )
    assert "    a, _ = DynamicRNN(cell, scope=vs)(x)\n" in text
    assert "b, _ = BidirectionalDynamicRNN(cell, cell, scope='bi')(x)\n" in text
    assert "name=" not in text


def test_positional_scope_and_dtype_become_keywords():
    text = rewritten("o, s = tf.nn.dynamic_rnn(cell, x, None, None, tf.float16)\n")
    assert "o, s = DynamicRNN(cell, dtype=tf.float16)(x, sequence_length=None, initial_state=None)\n" in text


def test_comments_inside_outer_parentheses_stay():
    text = rewritten(
        "out = (  # the encoder\n"
        "    # over the padded batch\n"
        "    tf.nn.dynamic_rnn(cell, x)  # one call\n"
        ")\n"
    )
    assert text.endswith(
        "out = (  # the encoder\n"
        "    # over the padded batch\n"
        "    DynamicRNN(cell)(x)  # one call\n"
        ")\n"
    )


def test_comments_after_the_opening_and_before_the_closing_parenthesis_stay():
    text = rewritten(
        "out, st = tf.nn.dynamic_rnn(  # the encoder\n"
        "    cell,\n"
        "    x,\n"
        "    # nothing else\n"
        ")\n"
    )
    assert "# the encoder" in text and "# nothing else" in text
    assert text.index("# the encoder") < text.index("# nothing else")


def test_a_multi_line_call_is_not_joined_into_one_line():
    call = (
        "outputs, state = tf.nn.dynamic_rnn(\n"
        "    cell,\n"
        "    inputs,\n"
        "    sequence_length=lengths,\n"
        "    initial_state=start,\n"
        "    time_major=True,\n"
        ")\n"
    )
    text = rewritten(call)
    assert text.endswith(
        "outputs, state = DynamicRNN(\n"
        "    cell,\n"
        "    time_major=True,\n"
        ")(\n"
        "    inputs,\n"
        "    sequence_length=lengths,\n"
        "    initial_state=start,\n"
        ")\n"
    )


def test_a_line_that_would_grow_past_the_line_length_is_wrapped_one_argument_per_line():
    call = "out, st = tf.nn.dynamic_rnn(cell, x, lengths, None, tf.float32, 16, True, False, 'decoder')\n"
    text = rewritten(call)
    assert max(len(line) for line in text.splitlines()) <= 88
    assert "    parallel_iterations=16,\n" in text and "    sequence_length=lengths,\n" in text


def test_a_longer_line_length_keeps_the_call_on_one_line():
    call = "out, st = tf.nn.dynamic_rnn(cell, x, lengths, None, tf.float32, 16, True, False, 'decoder')\n"
    text = rewritten(call, line_length=200)
    assert (
        "out, st = DynamicRNN(cell, dtype=tf.float32, parallel_iterations=16, swap_memory=True, "
        "time_major=False, scope='decoder')(x, sequence_length=lengths, initial_state=None)\n"
    ) in text


def test_line_length_comes_from_the_config(project: Path):
    write(project, "pyproject.toml", "[tool.rnnmigrate]\nline-length = 200\n")
    call = "out, st = tf.nn.dynamic_rnn(cell, x, lengths, None, tf.float32, 16, True, False, 'decoder')\n"
    write(project, "model.py", HEADER + call)
    run("--apply", "model.py")
    assert "out, st = DynamicRNN(cell, dtype=tf.float32, parallel_iterations=16," in (project / "model.py").read_text()


def test_a_bad_line_length_in_the_config_is_a_usage_error(project: Path):
    write(project, "pyproject.toml", "[tool.rnnmigrate]\nline-length = 'wide'\n")
    write(project, "model.py", HEADER)
    result = run("model.py")
    assert result.exit_code == 2
    assert "line-length must be a positive integer" in result.stderr


def test_a_comment_that_cannot_be_placed_makes_the_fix_unsafe_and_says_why():
    text = (
        HEADER + "out, st = tf.nn.dynamic_rnn(\n"
        "    cell,\n"
        "    inputs=  # the embeddings\n"
        "        x,\n"
        ")\n"
    )
    held = rewrite_source(text)
    assert held.text == text and not held.rewritten
    assert [(finding.code, finding.safety) for finding in held.held] == [("RNN101", "unsafe"), ("RNN001", "unsafe")]
    assert held.held[1].assumption == "the comment `# the embeddings` can go (the rewrite cannot place it on the new call)"
    assert held.held[0].assumption == "what tf.nn.dynamic_rnn on line 3 assumes (they migrate together)"

    applied = rewrite_source(text, unsafe_fixes=True)
    assert {finding.code for finding in applied.rewritten} == {"RNN001", "RNN101"}
    assert "# the embeddings" not in applied.text
    assert [note for note in applied.notes if "unsafe" in note] == [
        "line 3: unsafe fix: the comment `# the embeddings` could not be placed on the new call"
    ]