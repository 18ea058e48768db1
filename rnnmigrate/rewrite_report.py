"""What ``rewrite`` prints: the unified diff on stdout, the summary on stderr."""

from __future__ import annotations

import sys

from rnnmigrate.findings import FileError
from rnnmigrate.rewrite import FileRewrite
from rnnmigrate.wording import plural

_COLORS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}
_RESET = "\033[0m"


def print_diffs(plans: list[FileRewrite], color: bool) -> None:
    for plan in plans:
        if plan.changed:
            sys.stdout.write(_colored(plan.diff()) if color else plan.diff())


def _colored(diff: str) -> str:
    lines = []
    for line in diff.splitlines(keepends=True):
        start = _COLORS.get(line[:1])
        lines.append(f"{start}{line.rstrip(chr(10))}{_RESET}\n" if start else line)
    return "".join(lines)


def print_summary(plans: list[FileRewrite], write_errors: list[FileError], applied: bool) -> None:
    """Counts, then every note, every site left for a person and every error, one line each in the
    scan's style (``path:line:col: CODE message``, ``path: error: message``)."""
    out = sys.stderr
    failed = {error.path for error in write_errors}
    # A file whose rewrite failed its check, or could not be written, counts no rewritten sites.
    changed = [plan for plan in plans if plan.changed and not (applied and plan.path in failed)]
    rewritten = sum(len(plan.rewritten) for plan in changed)
    left = [finding for plan in plans for finding in plan.left]
    held = [finding for plan in plans for finding in plan.held]
    verb = "rewrote" if applied else "would rewrite"
    line = f"{verb} {plural(rewritten, 'site')} in {plural(len(changed), 'file')}; {len(left)} left for a person"
    out.write(line + (f"; {len(held)} more with --unsafe-fixes\n" if held else "\n"))
    for plan in plans:
        for finding, note in plan.notes:
            out.write(f"{finding.location}: {finding.code} {note}\n")
    for finding in held:
        out.write(f"{finding.location}: {finding.code} {finding.message}\n")
    for finding in left:
        out.write(f"{finding.location}: {finding.code} {finding.message}\n")
    for plan in plans:
        if plan.error is not None:
            out.write(f"{plan.error}\n")
    for error in write_errors:
        out.write(f"{error}\n")
