"""`rnnmigrate rewrite` through typer's runner: diff, --apply, --check, --annotate, exit codes,
the summary, and the same file and code selection as `scan`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rewrite_helpers import AUTO, AUTO_REWRITTEN, CLEAN, MANUAL, MANUAL_ANNOTATED, run, snapshot, write
from typer.testing import CliRunner

from rnnmigrate.cli import app


def test_default_prints_the_diff_and_writes_nothing(project: Path):
    write(project, "model.py", AUTO)
    before = snapshot(project)
    result = run("model.py")
    assert result.exit_code == 1
    assert snapshot(project) == before
    assert result.stdout.startswith("--- a/model.py\n+++ b/model.py\n")
    assert "-outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32, scope=\"encoder\")\n" in result.stdout
    assert '+outputs, state = DynamicRNN(cell, dtype=tf.float32, scope="encoder")(inputs)\n' in result.stdout
    assert "\033[" not in result.stdout  # no colour when stdout is not a terminal
    assert result.stderr.splitlines()[0] == "would rewrite 2 sites in 1 file; 0 left for a person"


def test_the_diff_applies_to_the_old_file_to_give_the_new_one(project: Path):
    write(project, "model.py", AUTO)
    diff = run("model.py").stdout
    lines = AUTO.splitlines(keepends=True)
    removed = [line[1:] for line in diff.splitlines(keepends=True)[3:] if line.startswith(("-", " "))]
    added = [line[1:] for line in diff.splitlines(keepends=True)[3:] if line.startswith(("+", " "))]
    assert removed == lines
    assert "".join(added) == AUTO_REWRITTEN


def test_apply_writes_the_rewrite_and_prints_no_diff(project: Path):
    write(project, "model.py", AUTO)
    write(project, "clean.py", CLEAN)
    result = run("--apply", ".")
    assert result.exit_code == 1  # there were findings, as for scan
    assert result.stdout == ""
    assert (project / "model.py").read_text() == AUTO_REWRITTEN
    assert (project / "clean.py").read_text() == CLEAN
    assert result.stderr.splitlines()[0] == "rewrote 2 sites in 1 file; 0 left for a person"


def test_apply_twice_changes_nothing_the_second_time(project: Path):
    write(project, "model.py", AUTO)
    write(project, "manual.py", MANUAL)
    run("--apply", "--annotate", ".")
    once = snapshot(project)
    assert once["model.py"] == AUTO_REWRITTEN.encode()
    assert once["manual.py"] == MANUAL_ANNOTATED.encode()
    second = run("--apply", "--annotate", ".")
    assert snapshot(project) == once
    assert second.stderr.splitlines()[0] == "rewrote 0 sites in 0 files; 1 left for a person"
    assert run("--check", "--annotate", ".").exit_code == 0


def test_check_exits_1_when_a_file_would_change_and_writes_nothing(project: Path):
    write(project, "model.py", AUTO)
    before = snapshot(project)
    result = run("--check", "model.py")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert snapshot(project) == before
    assert result.stderr.startswith("would rewrite 2 sites in 1 file")


def test_check_exits_0_when_only_manual_sites_remain(project: Path):
    write(project, "manual.py", MANUAL)
    assert run("--check", "manual.py").exit_code == 0
    # ... but with --annotate the TODO comment is a pending change.
    result = run("--check", "--annotate", "manual.py")
    assert result.exit_code == 1
    assert (project / "manual.py").read_text() == MANUAL


def test_check_exits_0_on_clean_and_on_migrated_code(project: Path):
    write(project, "clean.py", CLEAN)
    write(project, "migrated.py", AUTO_REWRITTEN)
    result = run("--check", ".")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == ["would rewrite 0 sites in 0 files; 0 left for a person"]


@pytest.mark.parametrize(
    "files, code",
    [({"clean.py": CLEAN}, 0), ({"model.py": AUTO}, 1), ({"manual.py": MANUAL}, 1), ({}, 0)],
    ids=["clean", "auto", "manual", "empty-dir"],
)
def test_exit_codes_like_scan(project: Path, files: dict[str, str], code: int):
    for name, text in files.items():
        write(project, name, text)
    assert run(".").exit_code == code
    assert CliRunner().invoke(app, ["scan", "."]).exit_code == code


@pytest.mark.parametrize(
    "args, message",
    [
        (["--apply", "--check", "model.py"], "--apply and --check exclude each other"),
        (["--select", "RNN998", "model.py"], "unknown rule code 'RNN998'"),
        (["--ignore", "XYZ", "model.py"], "unknown rule code 'XYZ'"),
        (["missing.py"], "missing.py: no such file or directory"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(project: Path, args: list[str], message: str):
    write(project, "model.py", AUTO)
    before = snapshot(project)
    result = CliRunner().invoke(app, ["rewrite", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert snapshot(project) == before


def test_bad_option_values_exit_2(project: Path):
    write(project, "model.py", AUTO)
    assert CliRunner().invoke(app, ["rewrite", "--jobs", "0", "model.py"]).exit_code == 2
    assert CliRunner().invoke(app, ["rewrite", "--no-such-option", "model.py"]).exit_code == 2


def test_bad_configuration_exits_2(project: Path):
    write(project, "pyproject.toml", "[tool.rnnmigrate]\nselcet = ['RNN001']\n")
    write(project, "model.py", AUTO)
    result = run("--apply", "model.py")
    assert result.exit_code == 2
    assert "unknown key 'selcet'" in result.stderr
    assert (project / "model.py").read_text() == AUTO


# -- the summary ------------------------------------------------------------------------


def test_every_argument_the_runtime_takes_is_kept_and_nothing_is_reported_dropped(project: Path):
    write(
        project,
        "model.py",
        "import tensorflow as tf\n"
        "cell = tf.nn.rnn_cell.GRUCell(8)\n"
        "out, st = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, parallel_iterations=8, swap_memory=True, scope=vs)\n"
        "out2, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(8), out, dtype=tf.float64)\n",
    )
    result = run("model.py")
    assert result.stderr.splitlines()[1:] == []
    assert (
        "+out, st = DynamicRNN(cell, dtype=tf.float32, parallel_iterations=8, swap_memory=True, scope=vs)(x)\n"
        in result.stdout
    )
    assert "+out2, _ = DynamicRNN(GRUCell(8), dtype=tf.float64)(out)\n" in result.stdout


def test_summary_lists_each_manual_site_with_its_reason_and_leaves_it(project: Path):
    write(project, "manual.py", MANUAL)
    write(project, "model.py", AUTO)
    result = run("--apply", ".")
    assert result.stderr.splitlines() == [
        "rewrote 2 sites in 1 file; 1 left for a person",
        "./manual.py:2:24: RNN006 tf.nn.raw_rnn: needs a person: raw_rnn's loop_fn is arbitrary code; port the loop by hand",
    ]
    assert (project / "manual.py").read_text() == MANUAL


def test_annotate_writes_the_todo_above_the_manual_site(project: Path):
    write(project, "manual.py", MANUAL)
    result = run("--annotate", "manual.py")
    assert "+# TODO(rnnmigrate): RNN006 raw_rnn's loop_fn is arbitrary code; port the loop by hand\n" in result.stdout
    assert (project / "manual.py").read_text() == MANUAL
    run("--annotate", "--apply", "manual.py")
    assert (project / "manual.py").read_text() == MANUAL_ANNOTATED


# -- the same selection as scan ------------------------------------------------------------


def scanned_files(*args: str) -> set[str]:
    result = CliRunner().invoke(app, ["scan", "--format", "json", *args])
    return {Path(item["path"]).as_posix() for item in json.loads(result.stdout)["findings"]}


def rewritten_files(root: Path, *args: str) -> set[str]:
    """Files an --apply --annotate run changed: auto sites rewritten, manual ones marked."""
    before = snapshot(root)
    run("--apply", "--annotate", *args)
    after = snapshot(root)
    return {name for name in after if after[name] != before.get(name)}


@pytest.fixture
def tree(project: Path) -> Path:
    write(project, "pkg/model.py", AUTO)
    write(project, "pkg/manual.py", MANUAL)
    write(project, "pkg/build/generated.py", AUTO)
    write(project, "pkg/vendor/third.py", AUTO)
    write(project, "pkg/clean.py", CLEAN)
    write(project, "pkg/.gitignore", "build/\n")
    write(project, "pkg/scripts/tool.pyw", AUTO)
    write(project, "pkg/.venv/lib.py", AUTO)
    return project


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--no-gitignore"],
        ["--exclude", "vendor/"],
        ["--include", "*.pyw"],
        ["--select", "RNN006"],
        ["--ignore", "RNN006"],
        ["--select", "RNN0", "--exclude", "manual.py"],
    ],
    ids=lambda args: " ".join(args) or "defaults",
)
def test_rewrite_looks_at_the_files_scan_reports(tree: Path, args: list[str]):
    expected = scanned_files("pkg", *args)
    assert expected  # every option set leaves something to do
    assert rewritten_files(tree, "pkg", *args) == expected


def test_configuration_selects_like_the_options(tree: Path):
    write(tree, "pyproject.toml", "[tool.rnnmigrate]\nexclude = ['vendor/']\nignore = ['RNN006']\n")
    assert rewritten_files(tree, "pkg") == {"pkg/model.py"}


def test_an_explicit_file_is_rewritten_even_if_gitignored(tree: Path):
    assert rewritten_files(tree, "pkg/build/generated.py") == {"pkg/build/generated.py"}


def test_suppression_comments_are_honoured(project: Path):
    suppressed = AUTO.replace('scope="encoder")', 'scope="encoder")  # rnnmigrate: ignore')
    suppressed = suppressed.replace("GRUCell(8)", "GRUCell(8)  # rnnmigrate: ignore[RNN101]")
    write(project, "model.py", suppressed)
    result = run("--apply", "model.py")
    assert (project / "model.py").read_text() == suppressed
    assert result.exit_code == 0
    assert CliRunner().invoke(app, ["scan", "model.py"]).exit_code == 0


def test_select_never_splits_an_rnn_call_from_its_cell(project: Path):
    """Rewriting only the cell would hand a Keras cell to TF1's dynamic_rnn, and the other way round."""
    write(project, "model.py", AUTO)
    for option in (["--select", "RNN101"], ["--select", "RNN001"], ["--ignore", "RNN101"]):
        result = run("--apply", *option, "model.py")
        assert (project / "model.py").read_text() == AUTO, option
        assert result.exit_code == 1
        assert "stays manual" in result.stderr
    assert "left out of this run by --select/--ignore" in run("--select", "RNN001", "model.py").stderr
    run("--apply", "--select", "RNN001", "--select", "RNN101", "model.py")
    assert (project / "model.py").read_text() == AUTO_REWRITTEN


def test_a_suppressed_cell_keeps_its_rnn_call_tf1(project: Path):
    source = AUTO.replace("GRUCell(8)", "GRUCell(8)  # rnnmigrate: ignore")
    write(project, "model.py", source)
    run("--apply", "model.py")
    assert (project / "model.py").read_text() == source


def test_jobs_gives_the_same_result(project: Path):
    for index in range(70):  # above the threshold for worker processes
        write(project, f"m{index:02d}.py", AUTO if index % 2 else MANUAL)
    serial = run("--jobs", "1", ".")
    parallel = run("--jobs", "3", ".")
    assert serial.stdout == parallel.stdout
    assert serial.stderr == parallel.stderr
    assert serial.stderr.splitlines()[0] == "would rewrite 70 sites in 35 files; 35 left for a person"


def test_informational_findings_are_not_left_for_a_person(project: Path):
    write(project, "model.py", AUTO + "dense = tf.layers.dense(outputs, 2)\n")

    result = run("--apply", ".")

    assert result.stderr.splitlines()[0] == "rewrote 2 sites in 1 file; 0 left for a person"
    assert "RNN202" not in result.stdout + result.stderr
