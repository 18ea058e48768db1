"""What ``rnnmigrate rules`` and ``rnnmigrate explain`` print: the rule table and one rule's documentation."""

from __future__ import annotations

import textwrap

from rnnmigrate.findings import UNSCANNABLE
from rnnmigrate.rules import RULES
from rnnmigrate.rules.base import Rule

UNSCANNABLE_NAME = "unscannable-file"
UNSCANNABLE_SUMMARY = "a file that could not be read or parsed"
UNSCANNABLE_TEXT = (
    f"{UNSCANNABLE} ({UNSCANNABLE_NAME}): {UNSCANNABLE_SUMMARY}\n\n"
    "A file the scan could not read, decode or parse (Python 2 syntax, a syntax error, bytes that "
    "are not in the declared encoding, a broken notebook) is reported with this code, as ruff "
    "reports E999: such a file may hold any number of TF1 RNN sites, so it fails a CI gate "
    f"(scan exits 1) like a finding. `--ignore {UNSCANNABLE}` leaves these files out; `--select` "
    "does not hide them."
)


def rules_table() -> str:
    """One line per code: code, name, verdict, fix safety, summary."""
    rows = [("code", "name", "verdict", "safety", "finds")]
    rows += [(rule.code, rule.name, rule.verdict, rule.safety_levels, rule.summary) for rule in RULES]
    rows.append((UNSCANNABLE, UNSCANNABLE_NAME, "-", "-", UNSCANNABLE_SUMMARY))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4] + "\n" for row in rows
    )


def explain_text(rule: Rule, width: int) -> str:
    """The rule's documentation, prose wrapped to ``width``; code examples as they are."""
    from rnnmigrate.differences import DIFFERENCES

    def prose(title: str, text: str) -> str:
        return title + "\n" + textwrap.fill(text, width, initial_indent="  ", subsequent_indent="  ")

    def code(title: str, text: str) -> str:
        return title + "\n" + textwrap.indent(text, "    ")

    sections = [
        textwrap.fill(f"{rule.code} ({rule.name}): {rule.summary}", width),
        prose("What it finds", rule.what),
        prose("Why it matters", rule.why),
        prose("What the rewrite does", rule.fix),
        prose("Fix safety", fix_safety_text(rule)),
        prose("Numerical differences", rule.numerics),
        code("Example: before", rule.example_before),
        code("Example: after" if rule.rewrite is not None else "Example: by hand", rule.example_after),
        "Difference tags used in findings\n"
        + "\n".join(
            textwrap.fill(f"{tag}: {text}", width, initial_indent="  ", subsequent_indent="    ")
            for tag, text in DIFFERENCES.items()
        ),
    ]
    return "\n\n".join(sections) + "\n"


ANY_FIX_UNSAFE = (
    "Any fix is unsafe at a site where a comment inside the call cannot be placed on the new call "
    "(the comment would go), and a fix that migrates together with an unsafe one (an RNN call and the "
    "cells it runs) is unsafe with it. Safe fixes are made by `rewrite --apply`; unsafe ones also need "
    "`--unsafe-fixes`, and each states its assumption in scan's reports."
)


def fix_safety_text(rule: Rule) -> str:
    """The explain section: the rule's level, where its own fix is unsafe, and what makes any fix unsafe."""
    if rule.informational:
        return "no fix: an informational finding (verdict info) that the rewrite leaves alone and that does not fail the gate."
    if rule.rewrite is None:
        return "no automatic fix: a person migrates these sites."
    level = "unsafe." if rule.always_unsafe else "safe."
    return " ".join(part for part in (level, rule.unsafe_when, ANY_FIX_UNSAFE) if part)


def unscannable_text(width: int) -> str:
    title, body = UNSCANNABLE_TEXT.split("\n\n", 1)
    return textwrap.fill(title, width) + "\n\n" + textwrap.fill(body, width) + "\n"
