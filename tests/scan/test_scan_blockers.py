"""The informational RNN2xx findings through the CLI: counted, reported in every format, never failing the gate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from rich.console import Console
from typer.testing import CliRunner

from rnnmigrate.cli import app
from rnnmigrate.report.table import print_table
from rnnmigrate.scan import CodeFilter, scan_files

from scan_helpers import AUTO_SOURCE, run_scan, scan_json, write

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

# No RNN at all (the byte prefilter finds no "rnn"): three uses that block running on TF 2.21.
BLOCKERS_SOURCE = """\
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 4])
h = tf.layers.dense(x, 3)
w = tf.contrib.layers.xavier_initializer()
"""


def test_info_findings_alone_do_not_fail_the_gate(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    result = run_scan(".")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "./train.py:2:5: RNN201 tf.placeholder: blocks running on TF 2.21: TF 2.21 has it only as tf.compat.v1.placeholder"
    assert lines[-2] == (
        "blocks running on TF 2.21 (info, not rewritten): 3 uses in 1 file: "
        "1 need tf.compat.v1, 1 need tf-keras, 1 have a replacement"
    )
    assert lines[-1] == "3 findings (0 auto, 0 manual, 3 info) in 1 file; 1 file checked, 1 parsed, 0 could not be scanned"


def test_an_rnn_finding_still_fails_the_gate_beside_info_ones(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan(".")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].startswith("5 findings (2 auto, 0 manual, 3 info) in 2 files;")


def test_ignoring_the_blockers_gives_the_scan_of_before_and_parses_no_more_files(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    write(project, "model.py", AUTO_SOURCE)
    document = scan_json(".", "--ignore", "RNN2")
    assert {finding["code"] for finding in document["findings"]} == {"RNN001", "RNN101"}
    assert document["summary"]["files_parsed"] == 1  # train.py has no RNN text: not even parsed
    assert document["summary"]["info"] == 0


def test_select_picks_one_family(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    write(project, "model.py", AUTO_SOURCE)
    document = scan_json(".", "--select", "RNN202")
    assert [(finding["code"], finding["api"]) for finding in document["findings"]] == [("RNN202", "tf.layers.dense")]


def test_json_carries_the_need_and_the_replacement(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    document = scan_json(".")
    by_code = {finding["code"]: finding for finding in document["findings"]}
    assert by_code["RNN201"]["verdict"] == "info" and by_code["RNN201"]["safety"] is None
    assert (by_code["RNN201"]["needs"], by_code["RNN201"]["replacement"]) == ("tf.compat.v1", "tf.compat.v1.placeholder")
    assert (by_code["RNN202"]["needs"], by_code["RNN202"]["replacement"]) == ("tf-keras", "tf.compat.v1.layers.dense")
    assert by_code["RNN204"]["needs"] == "replacement"
    assert by_code["RNN204"]["replacement"] == "tf.compat.v1.glorot_uniform_initializer()"
    summary = document["summary"]
    assert (summary["info"], summary["files_with_blockers"]) == (3, 1)
    assert summary["blockers_by_needs"] == {"replacement": 1, "tf-keras": 1, "tf.compat.v1": 1}


def test_rnn_findings_carry_no_need(project: Path):
    write(project, "model.py", AUTO_SOURCE)
    document = scan_json(".")
    assert {(finding["needs"], finding["replacement"]) for finding in document["findings"]} == {(None, None)}


def test_sarif_reports_info_findings_as_notes(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    write(project, "model.py", AUTO_SOURCE)
    result = run_scan(".", "--format", "sarif")
    document = json.loads(result.stdout)
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    run = document["runs"][0]
    levels = {result["ruleId"]: result["level"] for result in run["results"]}
    assert levels == {"RNN001": "warning", "RNN101": "warning", "RNN201": "note", "RNN202": "note", "RNN204": "note"}
    defaults = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in run["tool"]["driver"]["rules"]}
    assert defaults["RNN201"] == "note" and defaults["RNN001"] == "warning"
    note = next(result for result in run["results"] if result["ruleId"] == "RNN202")
    assert note["properties"]["needs"] == "tf-keras"


def test_github_annotations_are_notices(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    result = run_scan(".", "--format", "github")
    assert result.exit_code == 0
    assert [line.split(" ", 1)[0] for line in result.stdout.splitlines()] == ["::notice"] * 3


def test_statistics_mark_the_informational_codes(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    result = run_scan(".", "--statistics")
    assert "1\tRNN201\ttf1-only-name (info)" in result.stdout.splitlines()


def test_the_table_shows_per_file_what_else_blocks(project: Path):
    write(project, "train.py", BLOCKERS_SOURCE)
    write(project, "model.py", AUTO_SOURCE)
    report = scan_files(["model.py", "train.py"], CodeFilter(), jobs=1)
    console = Console(record=True, width=140, highlight=False)
    print_table(report, console)
    text = console.export_text()
    assert "What else blocks running on TF 2.21 (info)" in text
    row = next(line for line in text.splitlines() if "train.py" in line and "│" in line and "RNN" not in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == ["train.py", "1", "1", "1", "0"]


def test_rewrite_leaves_info_findings_alone(project: Path):
    path = write(project, "train.py", BLOCKERS_SOURCE)
    result = CliRunner().invoke(app, ["rewrite", "--apply", "--annotate", "."])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == BLOCKERS_SOURCE


def test_suppression_comments_silence_info_findings(project: Path):
    write(project, "train.py", "import tensorflow as tf\nx = tf.placeholder(tf.float32)  # rnnmigrate: ignore[RNN201]\n")
    assert scan_json(".")["findings"] == []


def test_a_notebook_without_rnn_code_reports_its_blockers_by_cell(project: Path):
    from scan_helpers import notebook

    write(project, "eda.ipynb", notebook(("markdown", "# EDA"), ("code", "import tensorflow as tf\nsess = tf.Session()\n")))
    document = scan_json(".")
    [finding] = document["findings"]
    assert (finding["code"], finding["notebook_cell"], finding["line"]) == ("RNN201", 2, 2)
