"""Where --annotate puts its TODO comments: above the statement (or compound-statement header)
that holds each manual site, once, in every syntactic position, and never twice."""

from __future__ import annotations

import ast

import pytest

from rnnmigrate.rewrite import TODO_PREFIX, rewrite_source

SITE = "tf.contrib.rnn.UGRNNCell(8)"
TODO = f"{TODO_PREFIX}RNN107 UGRNNCell existed only in tf.contrib; Keras 3 has no equivalent cell"

# (body with {site}, the line number, in the annotated text, that the TODO must sit on)
CASES = {
    "statement": ("cell = {site}\n", 2),
    "indented": ("def f():\n    if x:\n        cell = {site}\n", 4),
    "multi-line call": ("cell = wrap(\n    1,\n    {site},\n)\n", 2),
    "decorator": ("@register({site})\ndef f():\n    pass\n", 2),
    "multi-line def header": ("def f(\n    cell={site},\n):\n    # body comment\n\n    pass\n", 2),
    "async def default": ("async def f(cell={site}):\n    pass\n", 2),
    "class keyword": ("class A(Base, cell={site}):\n    pass\n", 2),
    "multi-line if": ("if (ready and\n        {site}):\n    pass\n", 2),
    "elif": ("if a:\n    pass\nelif {site}:\n    pass\n", 4),
    "while": ("while {site}:\n    break\n", 2),
    "for": ("for c in [{site}]:\n    pass\n", 2),
    "with": ("with {site} as c:\n    pass\n", 2),
    "except": ("try:\n    pass\nexcept {site}:\n    pass\n", 4),
    "match": ("match {site}:\n    case _:\n        pass\n", 2),
    "one-line compound": ("if x: cell = {site}\n", 2),
    "semicolons": ("a = 1; cell = {site}\n", 2),
    "lambda": ("make = lambda: {site}\n", 2),
}


@pytest.mark.parametrize("name", CASES)
def test_todo_goes_above_the_statement_holding_the_site(name: str):
    body, todo_line = CASES[name]
    text = "import tensorflow as tf\n" + body.format(site=SITE)
    outcome = rewrite_source(text, annotate=True)
    assert len(outcome.left) == 1
    lines = outcome.text.splitlines()
    assert lines[todo_line - 1].strip() == TODO
    assert outcome.text.count(TODO_PREFIX) == 1
    indent = len(lines[todo_line]) - len(lines[todo_line].lstrip())
    assert lines[todo_line - 1].startswith(" " * indent + "#")
    # nothing but the comment was added
    assert [line for index, line in enumerate(lines) if index != todo_line - 1] == text.splitlines()
    ast.parse(outcome.text)
    assert rewrite_source(outcome.text, annotate=True).text == outcome.text


def test_two_sites_on_one_line_get_two_comments():
    text = "import tensorflow as tf\na, b = tf.contrib.rnn.UGRNNCell(8), tf.contrib.rnn.GridLSTMCell(8)\n"
    new = rewrite_source(text, annotate=True).text
    assert new.count(TODO_PREFIX) == 2
    assert TODO_PREFIX + "RNN107 UGRNNCell" in new and TODO_PREFIX + "RNN107 GridLSTMCell" in new
    assert rewrite_source(new, annotate=True).text == new


def test_site_on_the_first_line_of_the_file():
    text = f"import tensorflow as tf; cell = {SITE}\n"
    new = rewrite_source(text, annotate=True).text
    assert new == f"{TODO}\n{text}"
    assert rewrite_source(new, annotate=True).text == new


def test_comment_names_no_line_number():
    """A reason pointing at another line would be stale once comments are added above it."""
    text = "import tensorflow as tf\ncell = tf.nn.rnn_cell.GRUCell(8)\n\n\nout = tf.nn.raw_rnn(cell, loop_fn)\n"
    outcome = rewrite_source(text, annotate=True)
    assert any("on line 5" in (finding.reason or "") for finding in outcome.left)  # the summary keeps it
    assert f"{TODO_PREFIX}RNN101 runs in tf.nn.raw_rnn, which stays manual\n" in outcome.text
    assert rewrite_source(outcome.text, annotate=True).text == outcome.text


def test_without_annotate_manual_sites_are_left_byte_for_byte():
    body = "".join(case.format(site=SITE) for case, _ in CASES.values())
    text = "import tensorflow as tf\n" + body
    assert rewrite_source(text).text == text
    assert len(rewrite_source(text).left) == len(CASES)
