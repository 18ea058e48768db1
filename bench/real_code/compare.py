"""Flatten nested RNN results into named tensors, and compare two runs of them.

Names follow the structure TF1 returned (`[0].fw`, `[1][0].c`), so a rewritten call that
returns a different structure shows up as a named mismatch, not as a silent zip.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TOLERANCE = 1e-5  # the float32 bar the project promises; never widened here


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(name, leaf) pairs of a nested tuple / namedtuple / list / dict result."""
    if value is None:
        return []
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return [pair for field in value._fields for pair in flatten(getattr(value, field), f"{prefix}.{field}")]
    if isinstance(value, (tuple, list)):
        return [pair for index, item in enumerate(value) for pair in flatten(item, f"{prefix}[{index}]")]
    if isinstance(value, dict):
        return [pair for key in sorted(value) for pair in flatten(value[key], f"{prefix}.{key}")]
    return [(prefix or "value", value)]


def max_diffs(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]) -> dict[str, float]:
    """Max abs difference per name; raises ValueError on a name or shape mismatch."""
    if list(expected) != list(actual):
        missing = [name for name in expected if name not in actual]
        extra = [name for name in actual if name not in expected]
        raise ValueError(f"structure differs: TF1 has {missing or '-'} the rewrite lacks, rewrite has {extra or '-'}")
    diffs = {}
    for name, want in expected.items():
        got = np.asarray(actual[name])
        if np.shape(want) != got.shape:
            raise ValueError(f"{name}: shape TF1 {np.shape(want)} vs rewritten {got.shape}")
        diffs[name] = float(np.max(np.abs(np.asarray(want, np.float64) - got))) if got.size else 0.0
    return diffs


def verdict(diffs: dict[str, float]) -> dict:
    """PASS/FAIL with the worst name and value."""
    if not diffs:
        return {"status": "ERROR", "reason": "nothing to compare"}
    name = max(diffs, key=lambda key: diffs[key])
    status = "PASS" if diffs[name] <= TOLERANCE else "FAIL"
    return {"status": status, "max_abs_diff": diffs[name], "worst": name, "compared": len(diffs)}
