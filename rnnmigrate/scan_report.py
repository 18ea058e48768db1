"""What a scan run gives: its findings and errors, the counts, and whether it fails the gate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rnnmigrate.findings import FileError, Finding


@dataclass
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_discovered: int = 0
    files_parsed: int = 0
    linked_groups: list[set[str]] = field(default_factory=list)  # files rewritten all or nothing
    undecided: dict[str, tuple[list[Finding], list[bool]]] = field(default_factory=dict)

    @property
    def fails_gate(self) -> bool:
        """Whether scan exits 1: an RNN finding or a file it could not scan; info findings never do."""
        return bool(self.errors) or any(finding.verdict != "info" for finding in self.findings)

    def summary(self) -> dict:
        blockers = [finding for finding in self.findings if finding.verdict == "info"]
        return {
            "files_discovered": self.files_discovered,
            "files_parsed": self.files_parsed,
            "files_with_findings": len({finding.path for finding in self.findings}),
            "findings": len(self.findings),
            "auto": sum(finding.verdict == "auto" for finding in self.findings),
            "safe": sum(finding.fix == "safe" for finding in self.findings),
            "unsafe": sum(finding.fix == "unsafe" for finding in self.findings),
            "manual": sum(finding.verdict == "manual" for finding in self.findings),
            "info": len(blockers),
            "errors": len(self.errors),
            "by_api": dict(sorted(Counter(finding.api for finding in self.findings).items())),
            "by_code": dict(sorted(Counter(finding.code for finding in self.findings).items())),
            "files_with_blockers": len({finding.path for finding in blockers}),
            "blockers_by_needs": dict(sorted(Counter(finding.needs for finding in blockers).items())),
        }

    def blockers_by_file(self) -> dict[str, Counter]:
        """Per file, the info findings counted by what they need: what else stands between it and running."""
        counts: dict[str, Counter] = {}
        for finding in self.findings:
            if finding.verdict == "info":
                counts.setdefault(finding.path, Counter())[finding.needs] += 1
        return counts
