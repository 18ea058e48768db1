"""The terminal report: a rich table per file, then counts per API and per verdict."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rnnmigrate.report.text import NEEDS_WORDING, blockers_line, summary_line
from rnnmigrate.scan import ScanReport

VERDICT_STYLE = {"auto": "green", "manual": "yellow", "info": "blue"}
FIX_STYLE = {"safe": "green", "unsafe": "magenta", "-": "default"}


def print_table(report: ScanReport, console: Console) -> None:
    for path, findings in groupby(report.findings, key=lambda finding: finding.path):
        table = Table(title=path, title_justify="left", expand=False, show_lines=False)
        for column in ("line", "code", "as written", "api", "verdict", "fix", "what differs / why manual or unsafe / what it needs"):
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
    rnn_apis = sorted({finding.api for finding in report.findings if finding.verdict != "info"})
    if rnn_apis:
        counts = Table(title="Summary", title_justify="left")
        counts.add_column("api")
        counts.add_column("auto", justify="right")
        counts.add_column("unsafe", justify="right")
        counts.add_column("manual", justify="right")
        for api in rnn_apis:
            auto = sum(f.api == api and f.verdict == "auto" for f in report.findings)
            unsafe = sum(f.api == api and f.fix == "unsafe" for f in report.findings)
            manual = sum(f.api == api and f.verdict == "manual" for f in report.findings)
            counts.add_row(api, str(auto), str(unsafe), str(manual))
        console.print(counts)
    if summary["info"]:
        _print_blockers(report, console)
        console.print(blockers_line(report), highlight=False)
    console.print(summary_line(report), highlight=False)


def _print_blockers(report: ScanReport, console: Console) -> None:
    """Per file, what else blocks running on TF 2.21 (the RNN2xx findings), by what it needs."""
    table = Table(title="What else blocks running on TF 2.21 (info)", title_justify="left")
    table.add_column("file")
    for need in NEEDS_WORDING:
        table.add_column(need, justify="right")
    for path, counts in report.blockers_by_file().items():
        table.add_row(escape(path), *(str(counts.get(need, 0)) for need in NEEDS_WORDING))
    console.print(table)
