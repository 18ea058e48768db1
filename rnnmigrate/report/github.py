"""``--format github``: workflow commands that GitHub Actions shows as annotations on the diff."""

from __future__ import annotations

from rnnmigrate.scan import ScanReport


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


LEVELS = {"auto": "warning", "manual": "error", "info": "notice"}


def to_github(report: ScanReport) -> str:
    lines = []
    for finding in report.findings:
        level = LEVELS[finding.verdict]
        title = _escape_property(f"{finding.code} {finding.rule}")
        where = f"file={_escape_property(finding.path)},line={finding.line},col={finding.column}"
        where += f",endLine={finding.end_line},endColumn={finding.end_column}"
        cell = f" (notebook cell {finding.notebook_cell})" if finding.notebook_cell is not None else ""
        lines.append(f"::{level} {where},title={title}::{_escape_data(finding.message + cell)}")
    for error in report.errors:
        where = f"file={_escape_property(error.path)}"
        if error.line is not None:
            where += f",line={error.line},col={error.column or 1}"
        title = _escape_property(error.code or "rnnmigrate")
        cell = f" (notebook cell {error.notebook_cell})" if error.notebook_cell is not None else ""
        lines.append(f"::error {where},title={title}::{_escape_data(error.message + cell)}")
    return "".join(line + "\n" for line in lines)
