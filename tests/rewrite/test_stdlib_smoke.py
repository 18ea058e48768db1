"""A sample of the CPython standard library with every RNN snippet injected into each module
(bench/stdlib_smoke.py runs all of it): no internal error, every site found and rewritten, the
output compiles, no safe fix is left, and a second pass changes nothing."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
import stdlib_smoke  # noqa: E402

# Small modules keep the sample at a few hundred files within CI's time; big ones are in the bench.
MAX_BYTES = 3000
SAMPLE = 200


def test_stdlib_sample(tmp_path: Path):
    library = Path(sysconfig.get_paths()["stdlib"])
    small = [path for path in stdlib_smoke.modules(library, None, 0) if path.stat().st_size <= MAX_BYTES]
    if len(small) < 50:
        pytest.skip("no standard library sources here")
    tally = stdlib_smoke.Tally()
    for index, path in enumerate(stdlib_smoke.random.Random(0).sample(small, min(SAMPLE, len(small)))):
        stdlib_smoke.smoke_one(path, index, tally)
    assert tally.counts["modules"] >= 100
    assert tally.counts["sites found"] == tally.counts["sites injected"]
    refused = tally.counts["libcst refused (reported, unchanged)"]
    assert tally.counts["sites rewritten"] == tally.counts["sites found"] - len(stdlib_smoke.CONTEXTS) * refused
    assert {name: tally.counts[name] for name in stdlib_smoke.MUST_BE_ZERO} == dict.fromkeys(stdlib_smoke.MUST_BE_ZERO, 0), tally.problems
