"""Report formats: the JSON schema's keys, SARIF against the official 2.1.0 schema, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from scan_helpers import AUTO_SOURCE, MANUAL_SOURCE, notebook, run_scan, write

from rnnmigrate.report import json_report
from rnnmigrate.rules import RULES

SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPORT_SCHEMA_FILE = Path(json_report.__file__).with_name("scan-report.schema.json")
REPORT_SCHEMA = json.loads(REPORT_SCHEMA_FILE.read_text(encoding="utf-8"))

FINDING_KEYS = {
    "path", "line", "column", "end_line", "end_column", "notebook_cell", "code", "rule", "api",
    "spelling", "verdict", "safety", "assumption", "reason", "arguments", "differences", "rnn_cells", "needs",
    "replacement",
}  # fmt: skip
CELL_KEYS = {"kind", "api", "line", "arguments", "children", "repeat", "problem", "differences"}
SUMMARY_KEYS = {
    "files_discovered", "files_parsed", "files_with_findings", "findings", "auto", "safe", "unsafe", "manual", "info",
    "errors", "by_api", "by_code", "files_with_blockers", "blockers_by_needs",
}  # fmt: skip


@pytest.fixture
def mixed_project(project: Path) -> Path:
    """A finding of each verdict, a notebook, a multi-line call, an unreadable file and a nested cell."""
    write(project, "auto.py", AUTO_SOURCE)
    write(project, "manual.py", MANUAL_SOURCE)
    write(
        project,
        "stack.py",
        "import tensorflow as tf\n"
        "stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(4) for _ in range(2)])\n"
        "outputs, state = tf.nn.dynamic_rnn(\n"
        "    stack, inputs, sequence_length=lengths, dtype=tf.float32)\n",
    )
    write(
        project,
        "notes.ipynb",
        notebook(("code", "import tensorflow as tf\n"), ("code", "tf.nn.raw_rnn(cell, loop_fn)\n")),
    )
    write(project, "py2.py", "import tensorflow as tf\nprint 'rnn'\n")
    return project


SHARED_SOURCE = """\
import tensorflow as tf
stack = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(4)] * 2)
outputs, state = tf.nn.dynamic_rnn(stack, inputs, dtype=tf.float32)
"""


def report(fmt: str, *args: str) -> str:
    result = run_scan(".", "--format", fmt, *args)
    assert result.exit_code == 1, result.output
    return result.stdout


# -- json -----------------------------------------------------------------------------


def test_json_document_has_the_stable_schema(mixed_project: Path):
    document = json.loads(report("json"))
    assert set(document) == {"schema_version", "tool", "findings", "errors", "summary"}
    assert document["schema_version"] == 2
    assert document["tool"]["name"] == "rnnmigrate" and isinstance(document["tool"]["version"], str)
    assert set(document["summary"]) == SUMMARY_KEYS
    assert document["errors"] == [
        {
            "path": "./py2.py",
            "line": 2,
            "column": 1,
            "notebook_cell": None,
            "code": "RNN999",
            "message": "Python 2 syntax (print statement); port the file to Python 3 first",
        }
    ]
    assert document["findings"], "the project has findings"
    for finding in document["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["verdict"] in ("auto", "manual")
        assert (finding["reason"] is None) == (finding["verdict"] == "auto")
        assert finding["safety"] == ("safe" if finding["verdict"] == "auto" else None)
        assert finding["assumption"] is None
        assert isinstance(finding["arguments"], dict) and isinstance(finding["differences"], list)
        assert all(isinstance(value, str) for value in finding["arguments"].values())
        cells = list(finding["rnn_cells"])
        while cells:
            cell = cells.pop()
            assert set(cell) == CELL_KEYS
            cells.extend(cell["children"])


def test_the_schema_file_is_a_draft7_schema_the_output_follows(mixed_project: Path):
    jsonschema.Draft7Validator.check_schema(REPORT_SCHEMA)
    write(mixed_project, "shared.py", SHARED_SOURCE)
    document = json.loads(report("json"))
    jsonschema.Draft7Validator(REPORT_SCHEMA).validate(document)
    assert document["schema_version"] == REPORT_SCHEMA["properties"]["schema_version"]["const"]
    assert set(REPORT_SCHEMA["definitions"]["finding"]["required"]) == FINDING_KEYS
    assert set(REPORT_SCHEMA["definitions"]["summary"]["required"]) == SUMMARY_KEYS
    broken = json.loads(json.dumps(document))
    unsafe = next(finding for finding in broken["findings"] if finding["safety"] == "unsafe")
    unsafe["assumption"] = None  # an unsafe fix must say what it assumes
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(REPORT_SCHEMA).validate(broken)


def test_json_unsafe_fixes_state_their_assumption(project: Path):
    write(project, "shared.py", SHARED_SOURCE)
    document = json.loads(report("json"))
    levels = {finding["code"]: (finding["verdict"], finding["safety"]) for finding in document["findings"]}
    assert levels == {"RNN101": ("auto", "unsafe"), "RNN102": ("auto", "unsafe"), "RNN001": ("auto", "unsafe")}
    stack = next(finding for finding in document["findings"] if finding["code"] == "RNN102")
    assert stack["assumption"].startswith("each layer's input depth equals the shared cell's output size")
    call = next(finding for finding in document["findings"] if finding["code"] == "RNN001")
    assert call["assumption"] == "what tf.nn.rnn_cell.MultiRNNCell on line 2 assumes (they migrate together)"
    assert (document["summary"]["auto"], document["summary"]["safe"], document["summary"]["unsafe"]) == (3, 0, 3)


def test_json_summary_counts_match_the_findings(mixed_project: Path):
    document = json.loads(report("json"))
    findings, summary = document["findings"], document["summary"]
    assert summary["findings"] == len(findings) == 7
    assert summary["auto"] == sum(f["verdict"] == "auto" for f in findings) == 5
    assert summary["manual"] == 2
    assert (summary["safe"], summary["unsafe"]) == (5, 0)
    assert summary["errors"] == 1
    assert summary["files_discovered"] == 5
    assert summary["files_parsed"] == 4
    assert summary["files_with_findings"] == 4
    assert summary["by_code"] == {"RNN001": 2, "RNN006": 2, "RNN101": 2, "RNN102": 1}
    assert summary["by_api"]["tf.nn.dynamic_rnn"] == 2


def test_json_finding_fields_for_a_multi_line_call(mixed_project: Path):
    document = json.loads(report("json", "--select", "RNN001,RNN1"))
    (call,) = [f for f in document["findings"] if f["path"].endswith("stack.py") and f["code"] == "RNN001"]
    assert (call["line"], call["column"], call["end_line"], call["end_column"]) == (3, 18, 4, 62)  # end: 1-based column after the `)`, as SARIF wants
    assert call["notebook_cell"] is None
    assert (call["code"], call["rule"], call["api"], call["verdict"]) == ("RNN001", "dynamic-rnn", "tf.nn.dynamic_rnn", "auto")
    assert call["arguments"] == {"sequence_length": "lengths", "dtype": "tf.float32"}
    (stack,) = call["rnn_cells"]
    assert (stack["kind"], stack["repeat"], stack["line"]) == ("MultiRNNCell", "range(2)", 2)
    assert [child["kind"] for child in stack["children"]] == ["GRUCell"]
    assert stack["children"][0]["arguments"] == {"num_units": "4"}


def test_json_notebook_finding_names_its_cell(mixed_project: Path):
    document = json.loads(report("json", "--select", "RNN006"))
    (raw,) = [f for f in document["findings"] if f["path"].endswith("notes.ipynb")]
    assert (raw["notebook_cell"], raw["line"], raw["column"]) == (2, 1, 1)


# -- sarif ----------------------------------------------------------------------------


def validate_sarif(document: dict) -> None:
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


def test_vendored_schema_is_a_valid_draft7_schema_that_rejects_bad_logs():
    jsonschema.Draft7Validator.check_schema(SARIF_SCHEMA)
    minimal = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}
    validate_sarif(minimal)
    for broken in (
        {"runs": []},  # no version
        {"version": "2.0.0", "runs": []},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]},  # driver without name
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "R"}]}]},  # no message
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]},
        {"version": "2.1.0", "runs": [], "extra": 1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_sarif(broken)


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(mixed_project: Path):
    validate_sarif(json.loads(report("sarif")))


def test_sarif_without_findings_or_errors_validates_too(project: Path):
    write(project, "clean.py", "import tensorflow as tf\n")
    result = run_scan(".", "--format", "sarif")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    validate_sarif(document)
    assert document["runs"][0]["results"] == []


def test_sarif_has_what_github_code_scanning_needs(mixed_project: Path):
    document = json.loads(report("sarif"))
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "rnnmigrate"
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in RULES]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    results = run["results"]
    assert len(results) == 7
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("warning", "error")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["RNN006"] == "error" and levels["RNN101"] == "warning"
    notebook_results = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".ipynb")]
    assert [r["properties"]["notebookCell"] for r in notebook_results] == [2]
    (invocation,) = run["invocations"]
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "py2.py"
    assert "Python 2 syntax" in notification["message"]["text"]


# -- github ---------------------------------------------------------------------------


def test_github_annotations_one_per_finding_and_error(mixed_project: Path):
    lines = report("github").splitlines()
    assert len(lines) == 8
    assert "::warning file=./auto.py,line=2,col=8,endLine=2,endColumn=33,title=RNN101 core-cell::" in lines[0]
    assert any(line.startswith("::error file=./manual.py,line=2,") for line in lines)
    assert any(line.startswith("::error file=./notes.ipynb,line=1,col=1,") and "(notebook cell 2)" in line for line in lines)
    assert lines[-1] == (
        "::error file=./py2.py,line=2,col=1,title=RNN999::Python 2 syntax (print statement); port the file to Python 3 first"
    )


def test_github_escapes_property_and_message_characters(project: Path):
    write(project, "odd,name:100%.py", AUTO_SOURCE)
    lines = run_scan("odd,name:100%.py", "--format", "github").stdout.splitlines()
    assert lines[0].startswith("::warning file=odd%2Cname%3A100%25.py,line=2,")
    for line in lines:
        assert line.count("::") == 2


def test_sarif_and_github_show_the_fix_safety(project: Path):
    write(project, "shared.py", SHARED_SOURCE)
    write(project, "auto.py", AUTO_SOURCE)
    document = json.loads(report("sarif"))
    validate_sarif(document)
    (run,) = document["runs"]
    fix_safety = {rule["id"]: rule["properties"]["fixSafety"] for rule in run["tool"]["driver"]["rules"]}
    assert (fix_safety["RNN001"], fix_safety["RNN102"], fix_safety["RNN006"]) == ("safe", "safe/unsafe", "-")
    by_file = {}
    for result in run["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        by_file.setdefault(uri, []).append(result["properties"])
    assert {properties["fixSafety"] for properties in by_file["auto.py"]} == {"safe"}
    assert all("assumption" not in properties for properties in by_file["auto.py"])
    assert {properties["fixSafety"] for properties in by_file["shared.py"]} == {"unsafe"}
    assert all(properties["assumption"] for properties in by_file["shared.py"])

    lines = report("github").splitlines()
    stack = next(line for line in lines if "title=RNN102" in line)
    assert stack.startswith("::warning file=./shared.py,line=2,")
    assert "auto-rewritable with --unsafe-fixes, assuming each layer's input depth" in stack


def test_text_and_statistics_count_the_unsafe_fixes(project: Path):
    write(project, "shared.py", SHARED_SOURCE)
    write(project, "auto.py", AUTO_SOURCE)
    text = report("text").splitlines()
    assert text[-1].startswith("5 findings (5 auto, 3 of them unsafe fixes (--unsafe-fixes), 0 manual) in 2 files")
    statistics = run_scan(".", "--statistics").stdout.splitlines()
    assert "2\tRNN001\tdynamic-rnn (2 auto, 1 of them unsafe, 0 manual)" in statistics


def test_table_has_a_fix_column_and_the_assumption(project: Path):
    from typer.testing import CliRunner

    from rnnmigrate.cli import app

    write(project, "shared.py", SHARED_SOURCE)
    write(project, "auto.py", AUTO_SOURCE)
    table = CliRunner().invoke(app, ["scan", ".", "--format", "table"], env={"COLUMNS": "300"}).stdout
    assert "fix" in table and "why manual or unsafe" in table
    stack = next(line for line in table.splitlines() if "RNN102" in line)
    assert "unsafe" in stack and "assumes each layer's input depth" in stack
