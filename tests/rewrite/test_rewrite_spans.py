"""Findings meet libcst nodes by offsets into the text both parsers saw, never by ``splitlines``.

``str.splitlines`` also splits on form feeds, ``\\x85`` and ``\\u2028``, which Python does not
count as line ends; ast columns are UTF-8 bytes, libcst's byte spans are in the module's encoding.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rewrite_helpers import write

from rnnmigrate import rewrite as rewrite_module
from rnnmigrate.rewrite import plan_file, rewrite_source
from rnnmigrate.scan import scan_source

# The line above the calls is not ASCII: a line index shifted by one reads its columns wrong.
CALL = "label = 'donn\u00e9es'\ncell = tf.nn.rnn_cell.GRUCell(8)\nout, st = tf.nn.dynamic_rnn(cell, x, dtype=tf.float16)\n"


@pytest.mark.parametrize(
    "before",
    [
        "\x0c\n",  # a form feed line, as emacs page breaks put them
        "# page\x0cbreak\n",
        "s = 'caf\u00e9\u2028'\n",  # a line separator inside a string
        "# \x85 next line\n",
        "t = ('\u00e9\x0c\u2029', 'na\u00efve')  # \u00e9\u00e9\n",
    ],
    ids=["form-feed-line", "form-feed-in-comment", "u2028", "x85", "mixed"],
)
def test_a_call_after_characters_splitlines_breaks_on_is_rewritten_with_its_cell(before: str):
    text = "import tensorflow as tf\n" + before + CALL
    outcome = rewrite_source(text)
    assert {finding.code for finding in outcome.rewritten} == {"RNN001", "RNN101"}
    assert "tf.nn.dynamic_rnn" not in outcome.text
    assert "DynamicRNN(cell, dtype=tf.float16)(x)" in outcome.text
    assert outcome.text.startswith("import tensorflow as tf\nfrom rnnmigrate.layers import DynamicRNN, GRUCell\n" + before)


def test_non_ascii_before_the_call_on_its_line():
    text = "import tensorflow as tf\n# \u2028\ncell = tf.nn.rnn_cell.GRUCell(8); s = '\u00e9\u00e9\u00e9'; out, st = tf.nn.dynamic_rnn(cell, x)\n"
    outcome = rewrite_source(text)
    assert {finding.code for finding in outcome.rewritten} == {"RNN001", "RNN101"}
    assert "s = '\u00e9\u00e9\u00e9'; out, st = DynamicRNN(cell)(x)" in outcome.text


def test_columns_are_characters_after_a_form_feed_and_non_ascii():
    text = "import tensorflow as tf\n\x0c\u00e9 = 1\ns = '\u00e9\u00e9'; out, st = tf.nn.dynamic_rnn(cell, x)\n"
    (finding,) = scan_source(text)
    assert (finding.line, finding.column) == (3, text.split("\n")[2].index("tf.nn") + 1)
    assert text[finding.offset : finding.end_offset] == "tf.nn.dynamic_rnn(cell, x)"


def test_suppression_is_read_from_the_finding_line_after_a_form_feed():
    text = (
        "import tensorflow as tf\n"
        "\x0c\n"
        "out, st = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), x)  # rnnmigrate: ignore\n"
        "out, st = tf.nn.static_rnn(tf.nn.rnn_cell.GRUCell(8), xs)\n"
    )
    codes = [(finding.code, finding.line) for finding in scan_source(text)]
    assert codes == [("RNN003", 4), ("RNN101", 4)]


def test_a_from_import_is_replaced_when_non_ascii_precedes_the_site_on_its_line():
    text = (
        "from tensorflow.nn.rnn_cell import GRUCell\n"
        "import tensorflow as tf\n"
        "s = '\u00e9'; cell = GRUCell(8)\n"
        "out, st = tf.nn.dynamic_rnn(cell, x)\n"
    )
    after = rewrite_source(text).text
    assert "rnnmigrate.layers.GRUCell" not in after
    assert "s = '\u00e9'; cell = GRUCell(8)" in after
    assert "from tensorflow.nn.rnn_cell" not in after


def test_latin1_file_with_a_cookie_and_non_ascii_before_the_call(tmp_path: Path):
    text = "# -*- coding: latin-1 -*-\nimport tensorflow as tf\n\x0c\nnom = 'caf\u00e9'; " + CALL
    path = write(tmp_path, "model.py", text.encode("latin-1"))
    plan = plan_file(str(path))
    assert plan.error is None
    assert {finding.code for finding in plan.rewritten} == {"RNN001", "RNN101"}
    assert "nom = 'caf\u00e9'; label = 'donn\u00e9es'\ncell = GRUCell(8)" in plan.new.decode("latin-1")


def test_a_rewritable_finding_the_rewrite_cannot_place_is_an_error(tmp_path: Path, monkeypatch):
    """Never silent: the file is left unchanged and the site is named."""
    real = rewrite_module._findings

    def shifted(text, path, codes, *rest):
        from dataclasses import replace

        return [
            replace(finding, offset=finding.offset + 1) if finding.code == "RNN001" else finding
            for finding in real(text, path, codes, *rest)
        ]

    monkeypatch.setattr(rewrite_module, "_findings", shifted)
    path = write(tmp_path, "model.py", "import tensorflow as tf\n" + CALL)
    plan = plan_file(str(path))
    assert not plan.changed
    assert plan.error is not None
    assert "RNN001" in plan.error.message and plan.error.line == 4
    assert str(plan.error).startswith(f"{path}:4:11: error: RNN001 tf.nn.dynamic_rnn was found by the scan")
    assert "file left unchanged" in plan.error.message


def test_a_file_libcst_would_not_write_back_byte_for_byte_is_left_unchanged(tmp_path: Path):
    """libcst 1.9 drops the space of ``except X :`` (webbrowser.py has one; its byte spans drift too)."""
    text = "import tensorflow as tf\ntry:\n    pass\nexcept (ValueError) :\n    pass\n" + CALL
    path = write(tmp_path, "model.py", text)
    plan = plan_file(str(path))
    assert not plan.changed
    assert plan.error is not None and plan.error.line == 4
    assert "libcst cannot reproduce this file byte for byte" in plan.error.message
    assert {finding.code for finding in plan.left} == {"RNN001", "RNN101"}
