"""Plain text for pipes and logs: one line per finding or error, then the summary."""

from __future__ import annotations

from rnnmigrate.scan import ScanReport


def to_text(report: ScanReport) -> str:
    lines = [f"{finding.location}: {finding.code} {finding.message}" for finding in report.findings]
    lines += [f"{error.path}: error: {error.message}" for error in report.errors]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def summary_line(report: ScanReport) -> str:
    summary = report.summary()
    return (
        f"{summary['findings']} findings ({summary['auto']} auto, {summary['manual']} manual) "
        f"in {summary['files_with_findings']} files; {summary['files_discovered']} files checked, "
        f"{summary['files_parsed']} parsed, {summary['errors']} could not be scanned"
    )
