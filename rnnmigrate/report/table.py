"""The terminal report: a rich table per file, then counts per API and per verdict."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rnnmigrate.report.text import summary_line
from rnnmigrate.scan import ScanReport

VERDICT_STYLE = {"auto": "green", "manual": "yellow"}
FIX_STYLE = {"safe": "green", "unsafe": "magenta", "-": "default"}


def print_table(report: ScanReport, console: Console) -> None:
    for path, findings in groupby(report.findings, key=lambda finding: finding.path):
        table = Table(title=path, title_justify="left", expand=False, show_lines=False)
        for column in ("line", "code", "as written", "api", "verdict", "fix", "what differs / why manual or unsafe"):
            table.add_column(column, overflow="fold")
        for finding in findings:
            where = f"{finding.line}:{finding.column}"
            if finding.notebook_cell is not None:
                where = f"cell {finding.notebook_cell}, {where}"
            detail = finding.reason or ", ".join(finding.differences) or "-"
            if finding.fix == "unsafe":
                detail = f"assumes {finding.assumption}; {detail}"
            style = VERDICT_STYLE[finding.verdict]
            fix = f"[{FIX_STYLE[finding.fix]}]{finding.fix}[/]"
            spelled = finding.spelling if finding.spelling and finding.spelling != finding.api else "="
            row = (where, finding.code, spelled, finding.api, f"[{style}]{finding.verdict}[/]", fix, detail)
            table.add_row(*(escape(cell) if index not in (4, 5) else cell for index, cell in enumerate(row)))
        console.print(table)
    for error in report.errors:
        console.print(f"[red]{escape(error.location)}[/]: {error.code or 'error'} {escape(error.message)}", highlight=False)
    _print_summary(report, console)


def _print_summary(report: ScanReport, console: Console) -> None:
    summary = report.summary()
    if summary["by_api"]:
        counts = Table(title="Summary", title_justify="left")
        counts.add_column("api")
        counts.add_column("auto", justify="right")
        counts.add_column("unsafe", justify="right")
        counts.add_column("manual", justify="right")
        for api in summary["by_api"]:
            auto = sum(f.api == api and f.verdict == "auto" for f in report.findings)
            unsafe = sum(f.api == api and f.fix == "unsafe" for f in report.findings)
            manual = sum(f.api == api and f.verdict == "manual" for f in report.findings)
            counts.add_row(api, str(auto), str(unsafe), str(manual))
        console.print(counts)
    console.print(summary_line(report), highlight=False)
