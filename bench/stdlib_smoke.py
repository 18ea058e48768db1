"""Smoke run over the CPython standard library: TF1 RNN snippets injected into every module.

Usage: python bench/stdlib_smoke.py [--lib DIR] [--sample N] [--seed S]

Each module that compiles gets every snippet of bench/inject_rnn.py (each context once, behind
a rotating prefix: form feeds, non-ASCII text, line separators) and is then scanned, rewritten,
compiled, rescanned and rewritten again, in memory. Prints the counts (modules, sites found,
sites rewritten, libcst refusals, internal errors, output that does not compile, second passes
that changed something) and the time each step took. Exit status 1 when any count that must
be zero is not.
"""

from __future__ import annotations

import argparse
import random
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from inject_rnn import CONTEXTS, PREFIXES, Injection, inject  # noqa: E402

from rnnmigrate.rewrite import RewriteError, rewrite_source  # noqa: E402
from rnnmigrate.scan import scan_source  # noqa: E402

MUST_BE_ZERO = ("missed sites", "not rewritten", "internal errors", "does not compile", "second pass changed", "safe fix left")


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def timed(self, step: str, function, *args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            self.seconds[step] += time.perf_counter() - start


def modules(lib: Path, sample: int | None, seed: int) -> list[Path]:
    """The library's .py files, tests and vendored trees included (they are code too)."""
    paths = sorted(path for path in lib.rglob("*.py") if "site-packages" not in path.parts)
    if sample is not None and sample < len(paths):
        paths = sorted(random.Random(seed).sample(paths, sample))
    return paths


def injections_for(index: int) -> list[Injection]:
    prefixes = sorted(PREFIXES)
    return [
        Injection(context, prefixes[(index + offset) % len(prefixes)], (offset + 0.5) / len(CONTEXTS))
        for offset, context in enumerate(sorted(CONTEXTS))
    ]


def smoke_one(path: Path, index: int, tally: Tally) -> None:
    try:
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec", dont_inherit=True)
    except (UnicodeDecodeError, SyntaxError, ValueError):
        tally.counts["skipped (not valid Python 3.11 UTF-8)"] += 1
        return
    chosen = injections_for(index)
    text = inject(source, chosen)
    tally.counts["modules"] += 1
    tally.counts["sites injected"] += len(chosen)
    try:
        findings = tally.timed("scan", scan_source, text, str(path))
    except Exception as error:  # noqa: BLE001 - the point is to count these
        tally.counts["internal errors"] += 1
        tally.problems.append(f"{path}: scan raised {type(error).__name__}: {error}")
        return
    calls = [finding for finding in findings if finding.code == "RNN001" and finding.verdict == "auto"]
    tally.counts["sites found"] += len(calls)
    tally.counts["missed sites"] += len(chosen) - len(calls)
    try:
        outcome = tally.timed("rewrite", rewrite_source, text, str(path))
    except RewriteError as error:
        if "libcst cannot" not in str(error):
            tally.counts["internal errors"] += 1
            tally.problems.append(f"{path}: {error}")
        else:
            tally.counts["libcst refused (reported, unchanged)"] += 1
        return
    except Exception as error:  # noqa: BLE001
        tally.counts["internal errors"] += 1
        tally.problems.append(f"{path}: rewrite raised {type(error).__name__}: {error}")
        return
    rewritten = sum(finding.code == "RNN001" for finding in outcome.rewritten)
    tally.counts["sites rewritten"] += rewritten
    tally.counts["not rewritten"] += len(calls) - rewritten
    try:
        tally.timed("compile", compile, outcome.text, str(path), "exec", dont_inherit=True)
    except SyntaxError as error:
        tally.counts["does not compile"] += 1
        tally.problems.append(f"{path}: output does not compile: {error}")
        return
    left = [finding for finding in tally.timed("scan", scan_source, outcome.text, str(path)) if finding.safety == "safe"]
    tally.counts["safe fix left"] += bool(left)
    if tally.timed("second pass", rewrite_source, outcome.text, str(path)).text != outcome.text:
        tally.counts["second pass changed"] += 1
        tally.problems.append(f"{path}: a second pass changed the output")


def run(lib: Path, sample: int | None = None, seed: int = 0) -> Tally:
    tally = Tally()
    start = time.perf_counter()
    for index, path in enumerate(modules(lib, sample, seed)):
        smoke_one(path, index, tally)
    tally.seconds["total"] = time.perf_counter() - start
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--sample", type=int, default=None, help="only this many modules, drawn with --seed")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tally = run(args.lib, args.sample, args.seed)
    for name in ("modules", "skipped (not valid Python 3.11 UTF-8)", "sites injected", "sites found", "sites rewritten",
                 "libcst refused (reported, unchanged)", *MUST_BE_ZERO):  # fmt: skip
        print(f"{name:<40} {tally.counts[name]:>8}")
    for step in ("scan", "rewrite", "compile", "second pass", "total"):
        print(f"{'seconds ' + step:<40} {tally.seconds[step]:>8.1f}")
    for problem in tally.problems[:20]:
        print(problem)
    sys.exit(1 if any(tally.counts[name] for name in MUST_BE_ZERO) else 0)


if __name__ == "__main__":
    main()
