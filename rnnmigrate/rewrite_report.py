"""What ``rewrite`` prints: the unified diff on stdout, the summary on stderr."""

from __future__ import annotations

import sys

from rnnmigrate.findings import FileError
from rnnmigrate.rewrite import FileRewrite

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
    """Counts, then every note and every site left for a person, one line each."""
    out = sys.stderr
    failed = {error.path for error in write_errors}
    # A file whose rewrite failed its check, or could not be written, counts no rewritten sites.
    changed = [plan for plan in plans if plan.changed and not (applied and plan.path in failed)]
    rewritten = sum(len(plan.rewritten) for plan in changed)
    left = [finding for plan in plans for finding in plan.left]
    verb = "rewrote" if applied else "would rewrite"
    out.write(f"{verb} {rewritten} sites in {len(changed)} files; {len(left)} left for a person\n")
    for plan in plans:
        for note in plan.notes:
            out.write(f"  {plan.path}: {note}\n")
    for finding in left:
        out.write(f"  manual {finding.location}: {finding.code} {finding.reason}\n")
    for plan in plans:
        if plan.error is not None:
            out.write(f"  error {plan.error}\n")
    for error in write_errors:
        out.write(f"  error {error}\n")
