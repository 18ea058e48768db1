"""Files that cannot be scanned: one line each (path and reason), counted, and the rest still scanned.

Every bad file here mentions tensorflow and an RNN API, so that the byte prefilter (which skips
files that cannot hold a finding without parsing them) lets it through to the parser.

"Unreadable": the tests run as root, where ``chmod 000`` does not stop a read. A dangling
symlink really fails to open (ENOENT), both when given on the command line and when met while
walking a folder, so that is the unreadable file used everywhere; the ``chmod 000`` variant runs
only when the tests do not run as root.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scan_helpers import AUTO_SOURCE, notebook, run_scan, scan_json, write

from rnnmigrate.scan import scan_file, scan_files

TF_LINE = b"import tensorflow as tf\n"
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "py2_print.py": (TF_LINE + b"cell = tf.nn.rnn_cell.GRUCell(4)\nprint 'training', cell\n",
                     "Python 2 syntax (print statement); port the file to Python 3 first"),
    "py2_except.py": (TF_LINE + b"try:\n    tf.nn.dynamic_rnn(c, x)\nexcept ValueError, e:\n    pass\n",
                      "Python 2 syntax (`except X, e:`); port the file to Python 3 first"),
    "py2_backticks.py": (TF_LINE + b"name = `tf.nn.rnn_cell`\n",
                         "Python 2 syntax (backtick repr); port the file to Python 3 first"),
    "latin1_bytes.py": (TF_LINE + b"# caf\xe9\ncell = tf.nn.rnn_cell.GRUCell(4)\n", "not valid utf-8: byte 0xe9"),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\n" + TF_LINE + b"# rnn\n",
                      "unusable encoding declaration: unknown encoding: klingon"),
    "plain_syntax_error.py": (TF_LINE + b"cell = tf.nn.rnn_cell.GRUCell(4\n",
                              "syntax error: '(' was never closed"),
    "truncated.ipynb": (b'{"cells": [{"cell_type": "code", "source": ["import tensorflow as tf\\n", "tf.nn.raw_rnn(',
                        "not a valid notebook: Unterminated string starting at line 1 column 74 (char 73)"),
    "not_a_notebook.ipynb": (b'["tensorflow", "rnn"]', "not a valid notebook: no list of cells"),
    "latin1_notebook.ipynb": (b'{"cells": [], "note": "caf\xe9 tensorflow rnn"}',
                              "not a valid notebook: 'utf-8' codec can't decode byte 0xe9 in position 26"),
}  # fmt: skip


@pytest.fixture
def bad_tree(project: Path) -> Path:
    write(project, "good.py", AUTO_SOURCE)
    write(project, "pkg/also_good.py", AUTO_SOURCE)
    write(project, "empty.py", "")
    for name, (data, _) in BAD_FILES.items():
        write(project, f"pkg/{name}", data)
    (project / "pkg" / "dangling.py").symlink_to(project / "pkg" / "deleted_long_ago.py")
    return project


def test_each_bad_file_is_one_error_with_its_reason_and_the_good_files_are_scanned(bad_tree: Path):
    document = scan_json(".")
    errors = {Path(error["path"]).name: error["message"] for error in document["errors"]}
    expected = {name: message for name, (_, message) in BAD_FILES.items()}
    expected["dangling.py"] = "cannot read: No such file or directory"
    assert errors.keys() == expected.keys()
    for name, message in expected.items():
        assert errors[name].startswith(message.split(" at line")[0]), (name, errors[name])
    assert len(document["errors"]) == len(expected)
    assert all("\n" not in error["message"] for error in document["errors"])
    assert {(Path(f["path"]).name, f["line"], f["code"]) for f in document["findings"]} == {
        ("good.py", 2, "RNN101"), ("good.py", 3, "RNN001"), ("also_good.py", 2, "RNN101"), ("also_good.py", 3, "RNN001"),
    }  # fmt: skip
    summary = document["summary"]
    assert summary["errors"] == len(expected)
    assert summary["files_discovered"] == len(expected) + 3  # + good, also_good, empty
    assert summary["files_parsed"] == 2  # good and also_good; the empty file cannot hold a finding


def test_text_report_has_one_line_per_bad_file_and_counts_them(bad_tree: Path):
    result = run_scan(".", "--format", "text")
    assert result.exit_code == 1  # the good files have findings
    lines = result.stdout.splitlines()
    error_lines = [line for line in lines if ": RNN999 " in line]
    assert len(error_lines) == len(BAD_FILES) + 1
    assert "./pkg/py2_print.py:3:1: RNN999 Python 2 syntax (print statement); port the file to Python 3 first" in lines
    assert "./pkg/dangling.py: RNN999 cannot read: No such file or directory" in lines
    assert lines[-1].endswith(f"{len(BAD_FILES) + 1} could not be scanned")
    assert result.stderr == ""


def test_bad_files_are_reported_in_the_order_they_were_found(bad_tree: Path):
    paths = [error["path"] for error in scan_json(".")["errors"]]
    assert paths == sorted(paths)


def test_a_dangling_symlink_given_explicitly_is_reported_not_a_usage_error(project: Path):
    write(project, "good.py", AUTO_SOURCE)
    (project / "gone.py").symlink_to(project / "missing.py")
    result = run_scan("gone.py", "good.py", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["errors"] == [
        {
            "path": "gone.py",
            "line": None,
            "column": None,
            "notebook_cell": None,
            "code": "RNN999",
            "message": "cannot read: No such file or directory",
        }
    ]
    assert len(document["findings"]) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission(project: Path):
    path = write(project, "locked.py", AUTO_SOURCE)
    path.chmod(0)
    try:
        result = scan_file(str(path))
    finally:
        path.chmod(0o644)
    assert result.error is not None
    assert result.error.message == "cannot read: Permission denied"


def test_an_empty_file_is_not_an_error(project: Path):
    write(project, "empty.py", "")
    write(project, "empty.ipynb", notebook())
    document = scan_json(".")
    assert document["errors"] == [] and document["findings"] == []
    assert document["summary"]["files_discovered"] == 2


def test_a_file_that_cannot_hold_a_finding_is_not_parsed_and_not_judged(project: Path):
    write(project, "old_script.py", "print 'hello'\n")  # Python 2, but nothing of TensorFlow
    write(project, "notes.ipynb", "{not json")
    document = scan_json(".")
    assert document["errors"] == []
    assert document["summary"]["files_parsed"] == 0


def test_scan_file_never_raises(bad_tree: Path):
    for path in sorted(bad_tree.rglob("*")):
        if path.is_file() or path.is_symlink():
            result = scan_file(str(path))
            assert result.error is None or result.error.message


def test_scan_files_keeps_going_after_errors(bad_tree: Path):
    files = sorted(str(path) for path in [*bad_tree.rglob("*.py"), *bad_tree.rglob("*.ipynb")])
    one = scan_files(files, jobs=1)
    assert len(one.errors) == len(BAD_FILES) + 1
    assert len(one.findings) == 4


def test_a_bug_of_ours_costs_its_file_only(project: Path, monkeypatch: pytest.MonkeyPatch):
    import rnnmigrate.blockers

    real = rnnmigrate.blockers.find_blockers

    def crashing(nodes, parents, imports, path, lines):
        if path.endswith("crashes.py"):
            raise ValueError("bug in a check")
        return real(nodes, parents, imports, path, lines)

    monkeypatch.setattr(rnnmigrate.blockers, "find_blockers", crashing)
    write(project, "crashes.py", AUTO_SOURCE)
    write(project, "good.py", AUTO_SOURCE)
    document = scan_json("--jobs", "1", ".")
    errors = {Path(error["path"]).name: error["message"] for error in document["errors"]}
    assert errors == {"crashes.py": "internal error while scanning (ValueError: bug in a check); please report it"}
    assert {Path(finding["path"]).name for finding in document["findings"]} == {"good.py"}
