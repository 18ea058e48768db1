"""Plain text for pipes and logs: one line per finding or error, then the summary."""

from __future__ import annotations

from rnnmigrate.scan import ScanReport
from rnnmigrate.wording import plural


def to_text(report: ScanReport) -> str:
    lines = [f"{finding.location}: {finding.code} {finding.message}" for finding in report.findings]
    lines += [str(error) for error in report.errors]
    if report.summary()["info"]:
        lines.append(blockers_line(report))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


NEEDS_WORDING = {
    "tf.compat.v1": "need tf.compat.v1",
    "tf-keras": "need tf-keras",
    "replacement": "have a replacement",
    "nothing": "have none",
}


def blockers_line(report: ScanReport) -> str:
    """The project's count of what else blocks running on TF 2.21 (RNN2xx), by what it needs."""
    summary = report.summary()
    counts = summary["blockers_by_needs"]
    needs = ", ".join(f"{counts[need]} {wording}" for need, wording in NEEDS_WORDING.items() if counts.get(need))
    return (
        f"blocks running on TF 2.21 (info, not rewritten): {plural(summary['info'], 'use')} in "
        f"{plural(summary['files_with_blockers'], 'file')}: {needs}"
    )


def summary_line(report: ScanReport) -> str:
    summary = report.summary()
    info = f", {summary['info']} info" if summary["info"] else ""
    unsafe = f", {summary['unsafe']} of them unsafe fixes (--unsafe-fixes)" if summary["unsafe"] else ""
    return (
        f"{plural(summary['findings'], 'finding')} ({summary['auto']} auto{unsafe}, {summary['manual']} manual{info}) "
        f"in {plural(summary['files_with_findings'], 'file')}; {plural(summary['files_discovered'], 'file')} checked, "
        f"{summary['files_parsed']} parsed, {summary['errors']} could not be scanned"
    )


def statistics(report: ScanReport) -> str:
    """Findings per code, most frequent first, as ``ruff --statistics``: count, code, rule, fix verdicts."""
    from collections import Counter

    from rnnmigrate.findings import UNSCANNABLE
    from rnnmigrate.rules import RULES_BY_CODE

    counts = Counter(finding.code for finding in report.findings)
    counts.update(error.code for error in report.errors if error.code)
    width = max((len(str(count)) for count in counts.values()), default=1)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if code == UNSCANNABLE:
            name, detail = "unscannable-file", ""
        elif RULES_BY_CODE[code].informational:
            name, detail = RULES_BY_CODE[code].name, " (info)"
        else:
            name = RULES_BY_CODE[code].name
            auto = sum(finding.code == code and finding.verdict == "auto" for finding in report.findings)
            unsafe = sum(finding.code == code and finding.fix == "unsafe" for finding in report.findings)
            of_them = f", {unsafe} of them unsafe" if unsafe else ""
            detail = f" ({auto} auto{of_them}, {count - auto} manual)"
        lines.append(f"{count:>{width}}\t{code}\t{name}{detail}")
    return "".join(line + "\n" for line in lines)
