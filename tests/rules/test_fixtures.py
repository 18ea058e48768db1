"""Every fixture file under fixtures/ is scanned; its findings must be exactly the ones it announces.

A fixture announces a finding with a comment at the end of the line where the finding starts:

    outputs, state = tf.nn.dynamic_rnn(cell, x)  # expect: RNN001
    cell = MultiRNNCell([GRUCell(8)])            # expect: RNN102=auto RNN101=auto

Each code may carry ``=auto`` (a safe fix), ``=unsafe`` (auto, with an unsafe fix), ``=manual`` or
``=info`` (RNN2xx) to check the verdict and fix safety too. A code given twice on a line
expects two findings of it there. A fixture without any ``# expect:`` must give no findings at all.
The fixtures are data: they are read as text and never imported.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from rnnmigrate.rules import known_codes
from rnnmigrate.scan import scan_source

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>[^#]*)$")
ENTRY = re.compile(r"^(?P<code>RNN\d{3})(?:=(?P<verdict>auto|unsafe|manual|info))?$")


def expectations(text: str) -> list[tuple[int, str, str | None]]:
    """(line, code, verdict or None) for every `# expect:` entry in a fixture."""
    expected = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match is None:
            continue
        entries = match.group("codes").split()
        assert entries, f"line {number}: `# expect:` without codes"
        for entry in entries:
            parsed = ENTRY.match(entry)
            assert parsed is not None, f"line {number}: cannot read expectation {entry!r}"
            assert parsed.group("code") in known_codes(), f"line {number}: unknown code {entry!r}"
            expected.append((number, parsed.group("code"), parsed.group("verdict")))
    return expected


def test_there_are_fixtures_with_and_without_findings():
    with_findings = [path for path in FIXTURE_FILES if expectations(path.read_text(encoding="utf-8"))]
    without = [path for path in FIXTURE_FILES if path not in with_findings]
    assert len(with_findings) >= 15
    assert len(without) >= 3


def test_fixtures_cover_every_rule_code():
    covered = {code for path in FIXTURE_FILES for _, code, _ in expectations(path.read_text(encoding="utf-8"))}
    assert covered == set(known_codes())


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.stem)
def test_fixture(fixture: Path):
    text = fixture.read_text(encoding="utf-8")
    expected = expectations(text)
    findings = scan_source(text, str(fixture))

    found_codes = Counter((finding.line, finding.code) for finding in findings)
    expected_codes = Counter((line, code) for line, code, _ in expected)
    missing = sorted((expected_codes - found_codes).elements())
    unexpected = sorted((found_codes - expected_codes).elements())
    details = {(finding.line, finding.code): finding.reason for finding in findings}
    assert not missing and not unexpected, (
        f"missing (line, code): {missing}\n"
        f"unexpected (line, code): {unexpected}\n"
        + "\n".join(f"  found {line} {code} {details[(line, code)]}" for line, code in unexpected)
    )

    for (line, code), count in expected_codes.items():
        wanted = Counter(verdict for at, wanted_code, verdict in expected if (at, wanted_code) == (line, code) and verdict)
        got = Counter(_level(f) for f in findings if (f.line, f.code) == (line, code))
        short = wanted - got
        assert not short, (
            f"line {line} {code}: expected verdicts {dict(wanted)}, got {dict(got)}; reasons: "
            + "; ".join(str(f.reason) for f in findings if (f.line, f.code) == (line, code))
        )


def _level(finding) -> str:
    """What a fixture announces: ``manual``, ``info``, ``auto`` for a safe fix, ``unsafe`` for an unsafe one."""
    if finding.verdict in ("manual", "info"):
        return finding.verdict
    assert finding.safety in ("safe", "unsafe") and (finding.safety == "unsafe") == bool(finding.assumption)
    return "unsafe" if finding.safety == "unsafe" else "auto"


def test_expectation_parser_reads_codes_verdicts_and_repeats():
    text = "a = 1  # expect: RNN101=auto RNN101 RNN102=manual\nb = 2\nc = 3  # expect: RNN001\n"
    assert expectations(text) == [(1, "RNN101", "auto"), (1, "RNN101", None), (1, "RNN102", "manual"), (3, "RNN001", None)]
