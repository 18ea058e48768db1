"""Multi-file fixture trees: cells built in one module and run in another, scanned and rewritten.

Each folder under trees/ holds ``before/`` (a project as a user has it, with ``# expect:``
markers as in tests/rules), optionally ``after/`` (every file the rewrite changes, as it must
come out; files not there must not change), ``paths.txt`` (the paths given on the command
line, relative to the project; default ``.``) and ``options.txt`` (more options for the rewrite,
such as ``--unsafe-fixes``). The run is the real CLI in the project folder.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rnnmigrate.cli import app

sys.path.insert(0, str(Path(__file__).parents[1] / "rules"))
from test_fixtures import expectations  # noqa: E402

TREES = Path(__file__).parent / "trees"
CASES = sorted(path for path in TREES.iterdir() if (path / "before").is_dir())


def cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def given_paths(case: Path) -> list[str]:
    listed = case / "paths.txt"
    return listed.read_text().split() if listed.exists() else ["."]


def rewrite_options(case: Path) -> list[str]:
    listed = case / "options.txt"
    return listed.read_text().split() if listed.exists() else []


def files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def covered(path: str, paths: list[str]) -> bool:
    return any(given == "." or path == given or path.startswith(given.rstrip("/") + "/") for given in paths)


@pytest.fixture
def project(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / case.name
    shutil.copytree(case / "before", root)
    monkeypatch.chdir(root)
    return root


def scan(paths: list[str]) -> list[dict]:
    result = cli("scan", "--format", "json", "--exit-zero", "--jobs", "1", *paths)
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_findings_are_the_ones_each_file_announces(case: Path, project: Path):
    paths = given_paths(case)
    findings = scan(paths)

    for relative, data in files(project).items():
        if not relative.endswith(".py") or not covered(relative, paths):
            continue
        expected = Counter((line, code, verdict) for line, code, verdict in expectations(data.decode()))
        found = Counter(
            (f["line"], f["code"], f["verdict"]) for f in findings if Path(f["path"]).as_posix().removeprefix("./") == relative
        )
        reasons = [(f["line"], f["code"], f["reason"]) for f in findings if f["path"].endswith(relative)]
        assert found == expected, f"{relative}: {reasons}"


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_the_rewrite_changes_exactly_the_files_in_after(case: Path, project: Path):
    paths = given_paths(case)
    before = files(project)
    after_dir = case / "after"
    expected = {**before, **(files(after_dir) if after_dir.exists() else {})}

    cli("rewrite", "--apply", "--jobs", "1", *rewrite_options(case), *paths)

    assert files(project) == expected
    second = cli("rewrite", "--apply", "--jobs", "1", *rewrite_options(case), *paths)
    assert files(project) == expected, second.stdout


@pytest.mark.parametrize("case", [case for case in CASES if (case / "after").exists()], ids=lambda path: path.name)
def test_after_the_rewrite_no_safe_fix_is_left_and_none_after_unsafe_fixes(case: Path, project: Path):
    cli("rewrite", "--apply", "--jobs", "1", *given_paths(case))
    if not rewrite_options(case):
        assert [f for f in scan(given_paths(case)) if f["verdict"] == "auto" and f["safety"] == "safe"] == []
    cli("rewrite", "--apply", "--unsafe-fixes", "--jobs", "1", *given_paths(case))
    assert [f for f in scan(given_paths(case)) if f["verdict"] == "auto"] == []


def test_a_cell_function_a_caller_may_replace_makes_the_call_unsafe(tmp_path: Path, monkeypatch):
    root = tmp_path / "factories"
    shutil.copytree(TREES / "list_factories" / "before", root)
    monkeypatch.chdir(root)

    unsafe = {(f["path"].removeprefix("./"), f["line"], f["code"]): f["assumption"] for f in scan(["."]) if f["safety"] == "unsafe"}

    assumption = "no caller of cell_list() passes its own `cell_fn`: the cells it builds are those of _gru()"
    assert unsafe == {
        ("pkg/model.py", 11, "RNN001"): assumption,
        ("pkg/cells.py", 6, "RNN101"): "what tf.nn.dynamic_rnn in pkg/model.py on line 11 assumes (they migrate together)",
    }


def test_a_linked_file_that_cannot_be_rewritten_keeps_its_partners_unchanged(tmp_path: Path, monkeypatch):
    root = tmp_path / "linked"
    shutil.copytree(TREES / "linked_unparsable" / "before", root)
    monkeypatch.chdir(root)

    result = cli("rewrite", "--apply", "--jobs", "1", ".")

    assert "libcst cannot parse this file" in result.stderr
    assert "link to ./pkg/cells.py, whose rewrite failed" in result.stderr


def test_a_cell_outside_the_paths_given_says_which_file_to_pass(tmp_path: Path, monkeypatch):
    root = tmp_path / "outside"
    shutil.copytree(TREES / "outside_paths" / "before", root)
    monkeypatch.chdir(root)

    reasons = {f["reason"] for f in scan(["pkg/model.py"])}

    assert reasons == {"the cell is built in pkg/cells.py, which this run does not rewrite: pass pkg/cells.py too"}


def test_json_of_a_linked_tree_follows_the_schema(tmp_path: Path, monkeypatch):
    import jsonschema

    root = tmp_path / "absolute"
    shutil.copytree(TREES / "factory_absolute" / "before", root)
    monkeypatch.chdir(root)
    schema = json.loads((Path(__file__).parents[2] / "rnnmigrate/report/scan-report.schema.json").read_text())

    document = json.loads(cli("scan", "--format", "json", "--exit-zero", ".").stdout)

    jsonschema.validate(document, schema)
    call = next(f for f in document["findings"] if f["code"] == "RNN001")
    assert call["rnn_cells"][0]["path"].endswith("cells.py")


def test_json_is_the_same_with_one_worker_or_two(tmp_path: Path, monkeypatch):
    """Enough files for the process pool: the linked verdicts do not depend on how work is split."""
    root = tmp_path / "many"
    shutil.copytree(TREES / "factory_absolute" / "before", root)
    for number in range(80):
        (root / "pkg" / f"user_{number}.py").write_text(
            "import tensorflow as tf\nfrom pkg.cells import make_cell\n\n\n"
            f"def run(x):\n    return tf.nn.dynamic_rnn(make_cell(4), x, dtype=tf.float32, scope='u{number}')\n"
        )
    monkeypatch.chdir(root)

    one = cli("scan", "--format", "json", "--exit-zero", "--jobs", "1", ".").stdout
    two = cli("scan", "--format", "json", "--exit-zero", "--jobs", "2", ".").stdout

    assert one == two
    assert sum(f["verdict"] == "auto" for f in json.loads(one)["findings"]) == 80 + 2 + 3


def test_a_function_used_as_a_value_makes_its_parameter_cells_unsafe(tmp_path: Path, monkeypatch):
    root = tmp_path / "callers"
    shutil.copytree(TREES / "parameter_callers" / "before", root)
    monkeypatch.chdir(root)

    unsafe = {(f["path"].removeprefix("./"), f["line"], f["code"]): f["assumption"] for f in scan(["."]) if f["safety"] == "unsafe"}

    assert unsafe == {
        ("pkg/layers.py", 18, "RNN001"): "decode is used as a value in pkg/serve.py on line 14, and those callers "
        "pass migrated cells as `cell` too",
        ("pkg/train.py", 23, "RNN101"): "what tf.nn.dynamic_rnn in pkg/layers.py on line 18 assumes (they migrate together)",
    }


def test_accessors_and_project_classes_give_their_reasons(tmp_path: Path, monkeypatch):
    root = tmp_path / "accessors"
    shutil.copytree(TREES / "lazy_accessors" / "before", root)
    monkeypatch.chdir(root)

    reasons = {f["line"]: f["reason"] for f in scan(["."]) if f["path"].endswith("model.py") and f["verdict"] == "manual"}

    assert reasons == {
        18: "the cell comes from `contrib.either(flag).LSTMCell()`, defined outside this file",
        23: "the cell is the expression `None`, which cannot be traced",
    }


def test_a_cell_class_outside_the_paths_given_says_which_file_to_pass(tmp_path: Path, monkeypatch):
    root = tmp_path / "classes"
    shutil.copytree(TREES / "project_cell_classes" / "before", root)
    monkeypatch.chdir(root)

    reasons = {(f["line"], f["reason"]) for f in scan(["pkg/model.py"]) if f["code"] == "RNN001"}

    assert reasons == {
        (9, "the cell is built in pkg/cells.py, which this run does not rewrite: pass pkg/cells.py too"),
        (14, "on another path: the cell is built in pkg/cells.py, which this run does not rewrite: pass pkg/cells.py too"),
        (19, "in pkg/cells.py: class CheckedWrapper: its body refers to tf.nn.rnn_cell.RNNCell on line 54, which "
             "stays TF1: cells of rnnmigrate.layers are not instances of it (an isinstance check fails); remove that use"),
    }
