"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning uploads it."""

from __future__ import annotations

import json
from pathlib import PurePath

from rnnmigrate import __version__
from rnnmigrate.rules import RULES
from rnnmigrate.scan import ScanReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/rnnmigrate/rnnmigrate"
LEVELS = {"auto": "warning", "manual": "error", "info": "note"}  # info: RNN2xx, what else blocks running


def _rule_descriptor(rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": f"{rule.why}\n\nRewrite: {rule.fix}", "markdown": f"{rule.why}\n\n**Rewrite:** {rule.fix}"},
        "defaultConfiguration": {"level": "note" if rule.informational else "warning"},
        "properties": {"fixSafety": rule.safety_levels},
    }


def _result(finding, rule_index: dict[str, int]) -> dict:
    region = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
    }
    result = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": LEVELS[finding.verdict],
        "message": {"text": finding.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": PurePath(finding.path).as_posix()}, "region": region}}
        ],
        "properties": {
            "verdict": finding.verdict,
            "fixSafety": finding.safety if finding.verdict == "auto" else None,
            "api": finding.api,
            "differences": list(finding.differences),
        },
    }
    if finding.fix == "unsafe":
        result["properties"]["assumption"] = finding.assumption
    if finding.notebook_cell is not None:
        result["properties"]["notebookCell"] = finding.notebook_cell
    if finding.verdict == "info":
        result["properties"].update(needs=finding.needs, replacement=finding.replacement)
    return result


def to_sarif(report: ScanReport) -> str:
    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": PurePath(error.path).as_posix()}}}],
        }
        for error in report.errors
    ]
    run = {
        "tool": {
            "driver": {
                "name": "rnnmigrate",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in RULES],
            }
        },
        "results": [_result(finding, rule_index) for finding in report.findings],
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
