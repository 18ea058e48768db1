"""Compare one output of both models, batch by batch, into one result per output.

An element agrees when ``|new - old| <= atol + rtol * |old|`` (the old model is
the reference), when both are the same infinity, or when both are NaN. A NaN on
one side only is a mismatch. When each row's valid length is known and the output
has a time axis, the valid steps (``t < length``) and the padded steps are also
reported on their own: that is where a wrong mask shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rnnmigrate.verify.axes import BATCH_MAJOR, OutputLayout
from rnnmigrate.verify.pairing import TensorPair, dtype_kind

if TYPE_CHECKING:
    import numpy as np

_DEFAULT_TOLERANCES = {
    "float64": (1e-9, 1e-9),
    "float32": (1e-5, 1e-6),
    "float16": (1e-3, 1e-3),
    "bfloat16": (1e-2, 1e-2),
}
_PRECISION_ORDER = ["bfloat16", "float16", "float32", "float64"]


@dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float
    source: str


def default_tolerance(old_dtype: str, new_dtype: str, atol: float | None, rtol: float | None) -> Tolerance:
    """Defaults follow the less precise of the two dtypes; integers and bools must be equal."""
    floats = [d for d in (old_dtype, new_dtype) if d in _DEFAULT_TOLERANCES]
    if floats:
        dtype = min(floats, key=_PRECISION_ORDER.index)
        default_atol, default_rtol = _DEFAULT_TOLERANCES[dtype]
        source = f"default for {dtype}"
    else:
        default_atol, default_rtol, source = 0.0, 0.0, "exact"
    if atol is not None or rtol is not None:
        source = "--atol/--rtol"
    return Tolerance(
        atol=default_atol if atol is None else atol,
        rtol=default_rtol if rtol is None else rtol,
        source=source,
    )


@dataclass
class RegionStats:
    """Differences over one set of elements: all of an output, its valid or its padded steps."""

    elements: int = 0
    out_of_tolerance: int = 0
    max_abs_diff: float = 0.0
    max_rel_diff: float = 0.0
    nan_both: int = 0
    nan_one_side: int = 0
    worst_index: tuple[int, ...] | None = None
    worst_old: float | None = None
    worst_new: float | None = None
    _worst_score: float = field(default=-1.0, repr=False)

    @property
    def share_out_of_tolerance(self) -> float:
        return self.out_of_tolerance / self.elements if self.elements else 0.0

    @property
    def passed(self) -> bool:
        return self.out_of_tolerance == 0

    def merge(self, other: RegionStats) -> None:
        self.elements += other.elements
        self.out_of_tolerance += other.out_of_tolerance
        self.max_abs_diff = max(self.max_abs_diff, other.max_abs_diff)
        self.max_rel_diff = max(self.max_rel_diff, other.max_rel_diff)
        self.nan_both += other.nan_both
        self.nan_one_side += other.nan_one_side
        if other._worst_score > self._worst_score:
            self.worst_index, self.worst_old, self.worst_new = other.worst_index, other.worst_old, other.worst_new
            self._worst_score = other._worst_score


@dataclass
class OutputComparison:
    """Everything known about one paired output after all batches."""

    pair: TensorPair
    tolerance: Tolerance
    old_shape: tuple[int, ...] | None = None
    new_shape: tuple[int, ...] | None = None
    old_dtype: str = ""
    new_dtype: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overall: RegionStats = field(default_factory=RegionStats)
    valid: RegionStats | None = None
    padded: RegionStats | None = None
    layout: OutputLayout = BATCH_MAJOR

    @property
    def passed(self) -> bool:
        return not self.problems and self.overall.passed


def new_comparison(pair: TensorPair, atol: float | None, rtol: float | None) -> OutputComparison:
    return OutputComparison(pair=pair, tolerance=default_tolerance(pair.old.dtype, pair.new.dtype, atol, rtol))


def add_batch(
    comparison: OutputComparison,
    old: np.ndarray,
    new: np.ndarray,
    row_offset: int,
    valid_steps: np.ndarray | None,
) -> None:
    """Fold one batch's outputs into the comparison. ``valid_steps`` is [rows, time] or None,
    whatever the output's layout."""
    import numpy as np

    old, new = np.asarray(old), np.asarray(new)
    _record_shape_and_dtype(comparison, old, new)
    if comparison.problems:
        return
    reference, candidate = _as_comparable(old), _as_comparable(new)
    layout = comparison.layout
    comparison.overall.merge(_region_stats(reference, candidate, None, row_offset, comparison.tolerance, layout))
    if valid_steps is None:
        return
    mask = np.broadcast_to(layout.step_mask(valid_steps, old.ndim), old.shape)
    for region, selected in (("valid", mask), ("padded", ~mask)):
        stats = _region_stats(reference, candidate, selected, row_offset, comparison.tolerance, layout)
        if getattr(comparison, region) is None:
            setattr(comparison, region, RegionStats())
        getattr(comparison, region).merge(stats)


def _record_shape_and_dtype(comparison: OutputComparison, old: np.ndarray, new: np.ndarray) -> None:
    comparison.old_dtype, comparison.new_dtype = str(old.dtype), str(new.dtype)
    axis = comparison.layout.batch_axis
    comparison.old_shape = _grow(comparison.old_shape, old.shape, axis)
    comparison.new_shape = _grow(comparison.new_shape, new.shape, axis)
    if old.shape != new.shape:
        problem = f"shape {tuple(old.shape)} vs {tuple(new.shape)}"
        if problem not in comparison.problems:
            comparison.problems.append(problem)
    if dtype_kind(str(old.dtype)) != dtype_kind(str(new.dtype)):
        problem = f"dtype {old.dtype} vs {new.dtype}"
        if problem not in comparison.problems:
            comparison.problems.append(problem)
    elif old.dtype != new.dtype:
        note = f"dtype {old.dtype} vs {new.dtype}: compared with the {comparison.tolerance.source} tolerance"
        if note not in comparison.notes:
            comparison.notes.append(note)


def _grow(total: tuple[int, ...] | None, batch: tuple[int, ...], axis: int = 0) -> tuple[int, ...]:
    """Shape of all batches joined on the rows' axis (the first batch's other dims)."""
    if total is None or len(batch) <= axis:
        return tuple(batch)
    others_agree = all(a == b for i, (a, b) in enumerate(zip(total, batch)) if i != axis) and len(total) == len(batch)
    if not others_agree:
        return total
    return tuple(size + batch[axis] if i == axis else size for i, size in enumerate(total))


def _as_comparable(values: np.ndarray) -> np.ndarray:
    import numpy as np

    if values.dtype.kind == "c":
        return values.astype(np.complex128)
    return values.astype(np.float64)


def _region_stats(
    old: np.ndarray,
    new: np.ndarray,
    selected: np.ndarray | None,
    row_offset: int,
    tolerance: Tolerance,
    layout: OutputLayout = BATCH_MAJOR,
) -> RegionStats:
    import numpy as np

    old_nan, new_nan = np.isnan(old), np.isnan(new)
    both_nan = old_nan & new_nan
    one_nan = old_nan ^ new_nan
    with np.errstate(invalid="ignore", over="ignore"):
        equal = (old == new) | both_nan
        abs_diff = np.where(equal, 0.0, np.abs(new - old))
        allowed = tolerance.atol + tolerance.rtol * np.abs(old)
        within = equal | ((abs_diff <= allowed) & np.isfinite(abs_diff))
        magnitude = np.abs(old)
        finite_reference = (magnitude > 0) & np.isfinite(magnitude)
        ratio = np.divide(abs_diff, magnitude, where=finite_reference, out=np.full(old.shape, np.inf))
        rel_diff = np.where(abs_diff == 0, 0.0, ratio)
    if selected is None:
        selected = np.ones(old.shape, dtype=bool)

    stats = RegionStats(elements=int(selected.sum()))
    if stats.elements == 0:
        return stats
    numeric = selected & ~one_nan
    stats.out_of_tolerance = int((selected & ~within).sum())
    stats.nan_both = int((selected & both_nan).sum())
    stats.nan_one_side = int((selected & one_nan).sum())
    stats.max_abs_diff = float(abs_diff[numeric].max()) if numeric.any() else 0.0
    stats.max_rel_diff = float(rel_diff[numeric].max()) if numeric.any() else 0.0

    score = np.where(one_nan, np.inf, np.nan_to_num(abs_diff, nan=np.inf))
    score = np.where(selected, score, -1.0)
    flat = int(np.argmax(score))
    if score.flat[flat] > 0:
        index = np.unravel_index(flat, old.shape)
        stats.worst_index = layout.element_place(tuple(int(i) for i in index), row_offset)
        stats.worst_old, stats.worst_new = float(np.real(old[index])), float(np.real(new[index]))
        stats._worst_score = float(score.flat[flat])
    return stats

