"""Scan reports: a rich table on a terminal, plain text when piped, JSON, SARIF, GitHub annotations."""

from __future__ import annotations

from typing import Literal

from rnnmigrate.scan import ScanReport

Format = Literal["table", "text", "json", "sarif", "github"]
FORMATS: tuple[str, ...] = ("auto", "table", "text", "json", "sarif", "github")


def render(report: ScanReport, fmt: Format) -> str:
    """The report as text in the given format (``table`` needs a terminal and renders itself)."""
    if fmt == "json":
        from rnnmigrate.report.json_report import to_json

        return to_json(report)
    if fmt == "sarif":
        from rnnmigrate.report.sarif import to_sarif

        return to_sarif(report)
    if fmt == "github":
        from rnnmigrate.report.github import to_github

        return to_github(report)
    from rnnmigrate.report.text import to_text

    return to_text(report)
