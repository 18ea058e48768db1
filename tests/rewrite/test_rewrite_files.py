"""Rewriting files on disk: bytes kept (encoding, BOM, newlines, mode), bad files reported one line
each while the rest proceed, the check before writing, and nothing written outside the paths given."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import libcst as cst
import pytest
from rewrite_helpers import AUTO, AUTO_REWRITTEN, CLEAN, MANUAL, leftovers, run, snapshot, write

from rnnmigrate.rewrite import plan_file, rewrite_source
from rnnmigrate.rewrite_files import apply
from rnnmigrate.rules import RULES_BY_CODE


# -- bytes kept --------------------------------------------------------------------------


def test_crlf_newlines_are_kept(project: Path):
    write(project, "model.py", AUTO.replace("\n", "\r\n"))
    run("--apply", "model.py")
    data = (project / "model.py").read_bytes()
    assert data == AUTO_REWRITTEN.replace("\n", "\r\n").encode()
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_crlf_with_a_long_wrapped_import_and_annotations(project: Path):
    text = (
        "import tensorflow as tf\r\n"
        "cells = [tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicLSTMCell(2), tf.nn.rnn_cell.GRUCell(2)]\r\n"
        "stack = tf.nn.rnn_cell.MultiRNNCell(\r\n"
        "    [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(2))] * 2)\r\n"
        "out, st = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), x, dtype=tf.float32)\r\n"
        "out, st = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)\r\n"
        "nas = tf.contrib.rnn.UGRNNCell(3)\r\n"
    )
    write(project, "model.py", text)
    run("--apply", "--annotate", "model.py")
    data = (project / "model.py").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")
    assert b"from rnnmigrate.layers import (\r\n    BasicLSTMCell,\r\n" in data
    assert b"# TODO(rnnmigrate): RNN107 UGRNNCell" in data
    lf = rewrite_source(text.replace("\r\n", "\n"), annotate=True).text
    assert data == lf.replace("\n", "\r\n").encode()


def test_utf8_bom_is_kept(project: Path):
    write(project, "model.py", b"\xef\xbb\xbf" + AUTO.encode())
    run("--apply", "model.py")
    assert (project / "model.py").read_bytes() == b"\xef\xbb\xbf" + AUTO_REWRITTEN.encode()


def test_bom_crlf_and_no_final_newline_together(project: Path):
    text = AUTO.rstrip("\n").replace("\n", "\r\n")
    write(project, "model.py", b"\xef\xbb\xbf" + text.encode())
    run("--apply", "model.py")
    expected = AUTO_REWRITTEN.rstrip("\n").replace("\n", "\r\n")
    assert (project / "model.py").read_bytes() == b"\xef\xbb\xbf" + expected.encode()


def test_declared_latin1_encoding_is_kept(project: Path):
    header = "# -*- coding: latin-1 -*-\n# Modèle d'encodeur (café, naïve)\n"
    write(project, "model.py", (header + AUTO + "label = 'données'\n").encode("latin-1"))
    run("--apply", "model.py")
    data = (project / "model.py").read_bytes()
    assert data == (header + AUTO_REWRITTEN + "label = 'données'\n").encode("latin-1")
    assert b"caf\xe9" in data and "é".encode("utf-8") not in data


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o664])
def test_file_mode_is_kept(project: Path, mode: int):
    path = write(project, "model.py", AUTO, mode=mode)
    run("--apply", "model.py")
    assert path.read_text() == AUTO_REWRITTEN
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_the_rest_of_the_file_is_kept_byte_for_byte(project: Path):
    """Comments, blank lines, quotes, odd spacing, line continuations: only the sites change."""
    text = (
        "#!/usr/bin/env python\n"
        "# Copyright header\n"
        "\n"
        "'''Module docstring with \"quotes\".'''\n"
        "import tensorflow as tf   # keep me\n"
        "import numpy  as  np\n"
        "\n\n\n"
        "x = np.array( [1,2 ,3] )  ;  y = 'single'  \n"
        "total = (1 +\n"
        "         2)  \\\n"
        "    if True else 0\n"
        "cell = tf.nn.rnn_cell.GRUCell(8)\n"
        "\t\n"
        "out, st = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
        "z = tf.zeros([1])   # trailing spaces after this comment   \n"
    )
    write(project, "model.py", text)
    run("--apply", "model.py")
    new = (project / "model.py").read_text()
    expected = (
        text.replace("# keep me\n", "# keep me\nfrom rnnmigrate.layers import DynamicRNN, GRUCell\n")
        .replace("tf.nn.rnn_cell.GRUCell(8)", "GRUCell(8)")
        .replace("tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)", "DynamicRNN(cell, dtype=tf.float32)(x)")
    )
    assert new == expected


# -- imports ---------------------------------------------------------------------------


def test_runtime_import_is_added_once_and_merged_on_a_later_run(project: Path):
    write(project, "model.py", AUTO)
    run("--apply", "model.py")
    first = (project / "model.py").read_text()
    assert first.count("from rnnmigrate.layers import") == 1
    # Someone adds more TF1 code; the next run merges into the import that is there.
    (project / "model.py").write_text(
        first + "more, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), outputs)\n"
    )
    run("--apply", "model.py")
    second = (project / "model.py").read_text()
    assert second.count("from rnnmigrate.layers import") == 1
    assert "from rnnmigrate.layers import DynamicRNN, GRUCell, LSTMCell\n" in second
    assert "more, _ = DynamicRNN(LSTMCell(4))(outputs)\n" in second


def test_only_tf_imports_that_became_unused_are_removed():
    text = (
        "import os\n"
        "import tensorflow as tf\n"
        "import keras  # never used: left alone\n"
        "from tensorflow.nn import dynamic_rnn\n"
        "from tensorflow.contrib.rnn import GRUCell, LSTMStateTuple  # LSTMStateTuple unused before\n"
        "cell = GRUCell(8)\n"
        "out, st = dynamic_rnn(cell, x)\n"
        "again, _ = tf.nn.dynamic_rnn(GRUCell(4), out)  # `tf` used only here\n"
        "print(os.sep)\n"
    )
    assert rewrite_source(text).text == (
        "import os\n"
        "import keras  # never used: left alone\n"
        "from tensorflow.contrib.rnn import LSTMStateTuple  # LSTMStateTuple unused before\n"
        "from rnnmigrate.layers import DynamicRNN, GRUCell\n"
        "cell = GRUCell(8)\n"
        "out, st = DynamicRNN(cell)(x)\n"
        "again, _ = DynamicRNN(GRUCell(4))(out)  # `tf` used only here\n"
        "print(os.sep)\n"
    )


def test_tf_import_still_used_elsewhere_stays():
    text = AUTO + "loss = tf.reduce_mean(outputs)\n"
    new = rewrite_source(text).text
    assert new.startswith("import tensorflow as tf\nfrom rnnmigrate.layers import DynamicRNN, GRUCell\n")


@pytest.mark.parametrize(
    "extra, replaced",
    [("", True), ("other = LSTMCell(4)  # never run here: stays TF1\n", False), ("check = isinstance(c, LSTMCell)\n", False)],
    ids=["every-use-rewritten", "a-use-stays-manual", "used-as-a-value"],
)
def test_direct_cell_import_is_replaced_only_when_every_use_is_rewritten(extra: str, replaced: bool):
    text = (
        "import tensorflow as tf\n"
        "from tensorflow.contrib.rnn import LSTMCell\n"
        "c = LSTMCell(8)\n"
        "out, st = tf.nn.dynamic_rnn(c, x, dtype=tf.float32)\n" + extra
    )
    new = rewrite_source(text).text
    if replaced:
        assert "from tensorflow.contrib.rnn import LSTMCell" not in new
        assert "from rnnmigrate.layers import DynamicRNN, LSTMCell\n" in new
        assert "c = LSTMCell(8)\n" in new
    else:
        assert "from tensorflow.contrib.rnn import LSTMCell\n" in new
        assert "c = rnnmigrate.layers.LSTMCell(8)\n" in new
        assert "import rnnmigrate.layers\n" in new
        assert extra in new
    assert rewrite_source(new).text == new


# -- bad files: one line each, the rest proceed -----------------------------------------------


def test_bad_files_are_reported_one_line_each_and_the_rest_are_written(project: Path):
    write(project, "a_good.py", AUTO)
    write(project, "b_python2.py", "import tensorflow as tf\nprint 'hello'\ncell = tf.nn.rnn_cell.GRUCell(8)\n")
    write(project, "c_undecodable.py", b"import tensorflow as tf\n# \xff\xfe not utf-8\ncell = tf.nn.rnn_cell.GRUCell(8)\n")
    write(project, "d_bad_cookie.py", b"# -*- coding: no-such-codec -*-\nimport tensorflow as tf\nx = tf.nn.dynamic_rnn\n")
    write(project, "e_read_only.py", AUTO, mode=0o444)
    write(project, "f_good.py", AUTO)
    before = snapshot(project)
    result = run("--apply", ".")
    errors = [line for line in result.stderr.splitlines() if "RNN999" in line or ": error: " in line]
    assert errors == [
        "./b_python2.py:2:1: RNN999 Python 2 syntax (print statement); port the file to Python 3 first",
        "./c_undecodable.py:2:1: RNN999 not valid utf-8: byte 0xff",
        "./d_bad_cookie.py: RNN999 unusable encoding declaration: unknown encoding: no-such-codec",
        "./e_read_only.py: error: read-only; not written",
    ]
    after = snapshot(project)
    for name in ("b_python2.py", "c_undecodable.py", "d_bad_cookie.py", "e_read_only.py"):
        assert after[name] == before[name], name
    assert after["a_good.py"] == after["f_good.py"] == AUTO_REWRITTEN.encode()
    assert result.stderr.splitlines()[0] == "rewrote 4 sites in 2 files; 0 left for a person"
    assert stat.S_IMODE(os.stat(project / "e_read_only.py").st_mode) == 0o444
    assert not leftovers(project)


def test_read_only_file_is_still_shown_in_the_diff(project: Path):
    write(project, "model.py", AUTO, mode=0o444)
    result = run("model.py")
    assert "+cell = GRUCell(8)\n" in result.stdout
    assert "error" not in result.stderr


def test_unreadable_path_is_reported(project: Path):
    (project / "dangling.py").symlink_to(project / "nowhere.py")
    write(project, "model.py", AUTO)
    result = run("--apply", "dangling.py", "model.py")
    assert "dangling.py: RNN999 cannot read: No such file or directory" in result.stderr.splitlines()
    assert (project / "model.py").read_text() == AUTO_REWRITTEN


def broken_rewrite(call, context):
    """A rule rewrite gone wrong: its code does not parse."""
    from rnnmigrate.rules.base import RewriteResult

    node = cst.Name("DynamicRNN")
    object.__setattr__(node, "value", "DynamicRNN(")  # past libcst's validation
    return RewriteResult(node)


def test_rewritten_code_that_does_not_parse_is_never_written(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(RULES_BY_CODE, "RNN001", dataclasses.replace(RULES_BY_CODE["RNN001"], rewrite=broken_rewrite))
    write(project, "broken.py", AUTO)
    write(project, "cells_only.py", "import tensorflow as tf\ns = tf.nn.rnn_cell.LSTMStateTuple(c, h)\n")
    result = run("--apply", ".")
    assert (project / "broken.py").read_text() == AUTO
    assert (project / "cells_only.py").read_text() == "from rnnmigrate.layers import LSTMStateTuple\ns = LSTMStateTuple(c, h)\n"
    lines = result.stderr.splitlines()
    assert lines[0] == "rewrote 1 site in 1 file; 0 left for a person"
    assert "./broken.py: error: the rewritten code does not parse (" in "\n".join(lines)
    assert lines[-1].endswith("file left unchanged")
    assert not leftovers(project)


def test_a_rule_that_crashes_skips_its_file_only(project: Path, monkeypatch: pytest.MonkeyPatch):
    def crashing(call, context):
        raise ValueError("bug in a rule")

    monkeypatch.setitem(RULES_BY_CODE, "RNN001", dataclasses.replace(RULES_BY_CODE["RNN001"], rewrite=crashing))
    write(project, "crashes.py", AUTO)
    write(project, "fine.py", "import tensorflow as tf\ns = tf.nn.rnn_cell.LSTMStateTuple(c, h)\n")
    result = run("--apply", ".")
    assert (project / "crashes.py").read_text() == AUTO
    assert (project / "fine.py").read_text().startswith("from rnnmigrate.layers import LSTMStateTuple\n")
    assert "./crashes.py: error: internal error while rewriting (ValueError: bug in a rule); file left unchanged" in result.stderr


def test_plan_file_checks_the_new_text_before_anything_is_written(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(RULES_BY_CODE, "RNN001", dataclasses.replace(RULES_BY_CODE["RNN001"], rewrite=broken_rewrite))
    path = write(project, "broken.py", AUTO)
    plan = plan_file(str(path))
    assert plan.new is None and not plan.changed
    assert plan.error is not None and "does not parse" in plan.error.message


# -- nothing outside the paths given --------------------------------------------------------


def test_files_outside_the_given_paths_are_not_touched(project: Path):
    write(project, "pkg/model.py", AUTO)
    write(project, "other/model.py", AUTO)
    write(project, "top.py", AUTO)
    run("--apply", "pkg")
    assert (project / "pkg/model.py").read_text() == AUTO_REWRITTEN
    assert (project / "other/model.py").read_text() == AUTO
    assert (project / "top.py").read_text() == AUTO


def test_a_symlink_to_a_file_outside_the_tree_is_not_touched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    outside = write(tmp_path, "outside/shared.py", AUTO)
    tree = tmp_path / "tree"
    write(tree, "model.py", AUTO)
    (tree / "link.py").symlink_to(outside)
    (tree / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    result = run("--apply", "tree")
    assert outside.read_text() == AUTO
    assert (tree / "link.py").is_symlink()
    assert (tree / "model.py").read_text() == AUTO_REWRITTEN
    assert "link" not in result.stderr and "shared" not in result.stderr


def test_a_symlink_inside_the_tree_writes_its_target_and_stays_a_link(project: Path):
    target = write(project, "real/model.py", AUTO)
    (project / "alias.py").symlink_to(target)
    run("--apply", "alias.py")
    assert (project / "alias.py").is_symlink()
    assert target.read_text() == AUTO_REWRITTEN


def test_clean_and_manual_files_are_not_rewritten_at_all(project: Path):
    """Files with nothing to change are never written: same bytes, same inode, same mtime."""
    paths = [write(project, "clean.py", CLEAN), write(project, "manual.py", MANUAL)]
    before = [os.stat(path) for path in paths]
    run("--apply", ".")
    after = [os.stat(path) for path in paths]
    assert [(s.st_ino, s.st_mtime_ns) for s in before] == [(s.st_ino, s.st_mtime_ns) for s in after]


@pytest.mark.skipif(os.getuid() != 0, reason="only root can hand a file to another owner")
def test_apply_keeps_the_file_owner(tmp_path):
    target = tmp_path / "model.py"
    target.write_text(AUTO)
    os.chown(target, 12345, 23456)
    assert apply(plan_file(str(target))) is None
    assert "DynamicRNN" in target.read_text()
    assert (target.stat().st_uid, target.stat().st_gid) == (12345, 23456)
