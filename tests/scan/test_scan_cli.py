"""`rnnmigrate scan` through typer's runner: every format, --output, exit codes, code selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scan_helpers import AUTO_SOURCE, CLEAN_SOURCE, MANUAL_SOURCE, run_scan, scan_json, write
from typer.testing import CliRunner

from rnnmigrate.cli import app
from rnnmigrate.rules import RULES

FORMATS = ("table", "text", "json", "sarif", "github")


def mentions_findings(fmt: str, output: str) -> set[tuple[int, str]]:
    """(line, code) pairs a report in the given format names, read the way its consumer reads it."""
    if fmt == "json":
        return {(item["line"], item["code"]) for item in json.loads(output)["findings"]}
    if fmt == "sarif":
        results = json.loads(output)["runs"][0]["results"]
        return {(r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"]) for r in results}
    if fmt == "github":
        found = set()
        for line in output.splitlines():
            head, _, _ = line.partition("::")[2].partition("::")
            fields = dict(part.split("=", 1) for part in head.split(" ", 1)[1].split(","))
            found.add((int(fields["line"]), fields["title"].split(" ")[0]))
        return found
    if fmt == "text":
        found = set()
        for line in output.splitlines()[:-1]:
            location, code = line.split(": ", 2)[:2]
            found.add((int(location.split(":")[1]), code.split(" ")[0]))
        return found
    # table: rich renders "line:col" and the code in columns of one row
    found = set()
    for row in output.splitlines():
        cells = [cell.strip() for cell in row.split("│")]
        if len(cells) > 3 and cells[2].startswith("RNN") and ":" in cells[1]:
            found.add((int(cells[1].split(":")[0]), cells[2]))
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reports_the_findings_and_exits_1(project: Path, fmt: str):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py", "--format", fmt)
    assert result.exit_code == 1, result.output
    assert mentions_findings(fmt, result.stdout) == {(2, "RNN101"), (3, "RNN001")}
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_without_findings_exits_0(project: Path, fmt: str):
    write(project, "clean.py", CLEAN_SOURCE)
    result = run_scan("clean.py", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert mentions_findings(fmt, result.stdout) == set()


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_zero_keeps_the_report_but_exits_0(project: Path, fmt: str):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py", "--format", fmt, "--exit-zero")
    assert result.exit_code == 0
    assert mentions_findings(fmt, result.stdout) == {(2, "RNN101"), (3, "RNN001")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_gets_the_report_and_stdout_stays_empty(project: Path, fmt: str):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py", "--format", fmt, "--output", "report.out")
    assert result.exit_code == 1
    assert result.stdout == ""
    written = (project / "report.out").read_text(encoding="utf-8")
    # A file never gets a rich table: --format table falls back to the plain text report.
    assert mentions_findings("text" if fmt == "table" else fmt, written) == {(2, "RNN101"), (3, "RNN001")}


def test_default_format_off_a_terminal_is_plain_text(project: Path):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "model.py:2:8: RNN101 tf.nn.rnn_cell.GRUCell: auto-rewritable (differs: gru-reset-before)"


def test_text_report_ends_with_the_summary(project: Path):
    write(project, "a.py", AUTO_SOURCE)
    write(project, "b.py", MANUAL_SOURCE)
    write(project, "c.py", CLEAN_SOURCE)
    write(project, "d.py", "import os\nprint(os.getcwd())\n")  # cannot hold a finding: not even parsed
    result = run_scan(".", "--format", "text")
    assert result.stdout.splitlines()[-1] == (
        "3 findings (2 auto, 1 manual) in 2 files; 4 files checked, 3 parsed, 0 could not be scanned"
    )


def test_table_names_the_file_and_prints_the_summary(project: Path):
    write(project, "model.py", MANUAL_SOURCE)
    result = run_scan("model.py", "--format", "table")
    assert result.exit_code == 1
    assert "model.py" in result.stdout.splitlines()[0]
    assert "Summary" in result.stdout
    assert "manual" in result.stdout
    assert "1 finding (0 auto, 1 manual) in 1 file" in result.stdout.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "RNN998"], "unknown rule code 'RNN998'"),
        (["--ignore", "XYZ"], "unknown rule code 'XYZ'"),
        (["--select", "RNN001", "--select", "NOPE1"], "unknown rule code 'NOPE1'"),
        (["--format", "xml"], "unknown format 'xml'"),
    ],
)
def test_usage_errors_exit_2_with_one_line_on_stderr(project: Path, args: list[str], message: str):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("rnnmigrate: error: ")
    assert message in result.stderr


def test_missing_path_exits_2_and_names_it(project: Path):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py", "not_there.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "rnnmigrate: error: not_there.py: no such file or directory\n"


def test_bad_config_exits_2_and_names_the_file(project: Path):
    write(project, "pyproject.toml", "[tool.rnnmigrate]\nselect = [\n")
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py")
    assert result.exit_code == 2
    assert result.stderr.startswith("rnnmigrate: error: ")
    assert "pyproject.toml: not valid TOML" in result.stderr
    assert result.stdout == ""


def test_no_paths_scans_the_current_directory(project: Path):
    write(project, "pkg/model.py", AUTO_SOURCE)
    result = run_scan("--format", "text")
    assert result.exit_code == 1
    assert "pkg/model.py:" in result.stdout


def test_unwritable_output_exits_2(project: Path):
    write(project, "model.py", AUTO_SOURCE)
    (project / "a_directory").mkdir()
    result = run_scan("model.py", "--format", "json", "--output", "a_directory")
    assert result.exit_code == 2
    assert "a_directory: cannot write" in result.stderr


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        ([], {"RNN001", "RNN101", "RNN006"}),
        (["--select", "RNN001"], {"RNN001"}),
        (["--select", "RNN00"], {"RNN001", "RNN006"}),
        (["--select", "RNN1"], {"RNN101"}),
        (["--ignore", "RNN101"], {"RNN001", "RNN006"}),
        (["--ignore", "RNN00"], {"RNN101"}),
        (["--select", "RNN00", "--ignore", "RNN006"], {"RNN001"}),
        (["--select", "RNN001", "--select", "RNN006"], {"RNN001", "RNN006"}),
    ],
)
def test_select_and_ignore_by_code_or_prefix(project: Path, options: list[str], codes: set[str]):
    write(project, "a.py", AUTO_SOURCE)
    write(project, "b.py", MANUAL_SOURCE)
    document = scan_json(".", *options)
    assert {item["code"] for item in document["findings"]} == codes


def test_select_that_leaves_nothing_exits_0(project: Path):
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan("model.py", "--select", "RNN108")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith("0 findings")


def test_rules_lists_every_code_once():
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "verdict", "safety", "finds"]
    listed = [line.split()[0] for line in lines[1:]]
    assert listed == [rule.code for rule in RULES] + ["RNN999"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows["RNN001"].split()[:5] == ["RNN001", "dynamic-rnn", "auto", "when", "traced"]
    assert rows["RNN001"].split()[5] == "safe"
    assert rows["RNN006"].split()[2:4] == ["manual", "-"]


def test_explain_a_code_and_an_unknown_one():
    result = CliRunner().invoke(app, ["explain", "rnn103"])
    assert result.exit_code == 0
    assert result.stdout.startswith("RNN103 (dropout-wrapper): DropoutWrapper construction")
    for section in ("What it finds", "Why it matters", "What the rewrite does", "Fix safety", "Numerical differences", "Example"):
        assert section in result.stdout
    unknown = CliRunner().invoke(app, ["explain", "RNN555"])
    assert unknown.exit_code == 2
    assert "unknown rule code 'RNN555'" in unknown.stderr
