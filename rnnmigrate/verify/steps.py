"""The difference of each output per time step, valid and padded steps apart.

Summed into one number per output, a lost ``forget_bias`` and a missing mask look alike. Per
step they do not: the first grows step after step over the valid steps (step 0 starts from a
zero cell state, where the forget gate does not matter), the second jumps where the padding
starts. ``--outdir`` writes these numbers as ``steps/<output>.csv`` (what the tests read) and,
with matplotlib, draws them as ``steps/<output>.png`` (picture.py).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.errors import VerifyError, describe

if TYPE_CHECKING:
    import numpy as np

    from rnnmigrate.verify.compare import OutputComparison
    from rnnmigrate.verify.pipeline import VerifyResult
    from rnnmigrate.verify.samples import SampleBatch

REGIONS = ("valid", "padded")
PLOT_EXTRA = 'pip install "rnnmigrate[plot]"'


@dataclass
class RegionSteps:
    """One region's |new - old| per step: elements, largest, sum, and how many out of tolerance."""

    elements: np.ndarray
    max_abs: np.ndarray
    sum_abs: np.ndarray
    out_of_tolerance: np.ndarray

    @property
    def mean_abs(self) -> np.ndarray:
        """NaN at steps without an element of this region."""
        import numpy as np

        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.elements > 0, self.sum_abs / np.maximum(self.elements, 1), np.nan)

    def max_or_nan(self) -> np.ndarray:
        import numpy as np

        return np.where(self.elements > 0, self.max_abs, np.nan)


@dataclass
class StepProfile:
    """One output's differences per time step, over all batches, rows and units."""

    output: str  # the pair's label, "old -> new" when the names differ
    file_stem: str  # OLD's name, safe as a file name
    atol: float
    rtol: float
    lengths_known: bool
    valid: RegionSteps
    padded: RegionSteps

    @property
    def steps(self) -> int:
        return len(self.valid.elements)


@dataclass
class StepFiles:
    """What ``--outdir`` wrote about the steps, for the report."""

    data: list[Path] = field(default_factory=list)
    pictures: list[Path] = field(default_factory=list)
    note: str | None = None


def step_profile(
    comparison: OutputComparison, old_batches: list[np.ndarray], new_batches: list[np.ndarray], batches: list[SampleBatch]
) -> StepProfile | None:
    """None when the output has no time axis (a final state) or its shapes differ."""
    layout = comparison.layout
    if comparison.problems or layout.time_axis is None:
        return None
    regions = {region: _empty_region(0) for region in REGIONS}
    lengths_known = all(batch.lengths is not None for batch in batches)
    for old, new, batch in zip(old_batches, new_batches, batches):
        diff, allowed = _step_major_diff(old, new, layout.time_axis, comparison.tolerance.atol, comparison.tolerance.rtol)
        valid = _valid_mask(batch, diff.shape)
        for region, selected in (("valid", valid), ("padded", ~valid)):
            regions[region] = _add(regions[region], diff, allowed, selected)
    tolerance = comparison.tolerance
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", comparison.pair.old.name)
    return StepProfile(comparison.pair.label, stem, tolerance.atol, tolerance.rtol, lengths_known, **regions)


def _step_major_diff(old: np.ndarray, new: np.ndarray, time_axis: int, atol: float, rtol: float):
    """|new - old| and the tolerance of each element as [time, rows, rest]; NaN on one side
    only is an infinite difference, NaN on both none."""
    import numpy as np

    old, new = np.asarray(old, dtype=np.float64), np.asarray(new, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        same = (old == new) | (np.isnan(old) & np.isnan(new))
        diff = np.where(same, 0.0, np.nan_to_num(np.abs(new - old), nan=np.inf))
    allowed = atol + rtol * np.abs(np.nan_to_num(old))
    # time first; the rows' axis then comes second in both layouts (batch-major [b, t], time-major [t, b])
    diff, allowed = np.moveaxis(diff, time_axis, 0), np.moveaxis(allowed, time_axis, 0)
    shape = (diff.shape[0], diff.shape[1], -1)
    return diff.reshape(shape), allowed.reshape(shape)


def _valid_mask(batch: SampleBatch, shape: tuple[int, ...]) -> np.ndarray:
    """[time, rows, 1] True at ``t < length``; every step is valid when the lengths are unknown."""
    import numpy as np

    time_steps, rows = shape[0], shape[1]
    if batch.lengths is None or len(batch.lengths) != rows:
        return np.ones((time_steps, rows, 1), dtype=bool)
    return (np.arange(time_steps)[:, None] < np.asarray(batch.lengths)[None, :])[:, :, None]


def _empty_region(steps: int) -> RegionSteps:
    import numpy as np

    return RegionSteps(np.zeros(steps, np.int64), np.zeros(steps), np.zeros(steps), np.zeros(steps, np.int64))


def _add(region: RegionSteps, diff: np.ndarray, allowed: np.ndarray, selected: np.ndarray) -> RegionSteps:
    """Fold one batch in; batches with more time steps lengthen the profile."""
    import numpy as np

    steps = max(len(region.elements), diff.shape[0])
    grown = _empty_region(steps)
    for name in ("elements", "max_abs", "sum_abs", "out_of_tolerance"):
        getattr(grown, name)[: len(region.elements)] = getattr(region, name)
    selected = np.broadcast_to(selected, diff.shape)
    picked = np.where(selected, diff, 0.0)
    count = diff.shape[0]
    grown.elements[:count] += selected.sum(axis=(1, 2))
    grown.max_abs[:count] = np.maximum(grown.max_abs[:count], picked.max(axis=(1, 2), initial=0.0))
    with np.errstate(invalid="ignore"):
        grown.sum_abs[:count] += picked.sum(axis=(1, 2))
    grown.out_of_tolerance[:count] += (selected & ~(diff <= allowed)).sum(axis=(1, 2))
    return grown


# --- files ---------------------------------------------------------------------------------

CSV_COLUMNS = [
    "step",
    *(f"{region}_{what}" for region in REGIONS for what in ("elements", "max_abs", "mean_abs", "out_of_tolerance")),
    "atol",
    "rtol",
]


def write_profile_csv(profile: StepProfile, path: Path) -> Path:
    """One row per step; an empty cell where a region has no element at that step."""
    columns = {region: getattr(profile, region) for region in REGIONS}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for step in range(profile.steps):
            row: list[Any] = [step]
            for region in REGIONS:
                data = columns[region]
                has = bool(data.elements[step])
                row += [
                    int(data.elements[step]),
                    repr(float(data.max_abs[step])) if has else "",
                    repr(float(data.mean_abs[step])) if has else "",
                    int(data.out_of_tolerance[step]),
                ]
            writer.writerow(row + [profile.atol, profile.rtol])
    return path


def read_profile_csv(path: Path) -> dict[str, list[float | None]]:
    """Columns of a written CSV by name, empty cells as None: for tests and notebooks."""
    with Path(path).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {column: [float(row[column]) if row[column] else None for row in rows] for column in CSV_COLUMNS}


def write_step_files(result: VerifyResult, outdir: str) -> StepFiles:
    """``steps/<output>.csv`` for each output with a time axis, and its picture when matplotlib is there."""
    from rnnmigrate.verify.picture import draw_profile, matplotlib_missing

    profiles = [
        profile
        for comparison in result.comparisons
        if (profile := _profile_of(result, comparison)) is not None
    ]
    files = StepFiles()
    if not profiles:
        files.note = "none: no output has a time axis"
        return files
    directory = Path(outdir) / "steps"
    missing = matplotlib_missing()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for profile in profiles:
            files.data.append(write_profile_csv(profile, directory / f"{profile.file_stem}.csv"))
            if not missing:
                files.pictures.append(draw_profile(profile, directory / f"{profile.file_stem}.png"))
    except OSError as error:
        raise VerifyError(f"{outdir}: cannot write the per-step differences ({describe(error)})") from None
    if missing:
        files.note = f"not drawn: matplotlib is not installed ({PLOT_EXTRA}); the per-step data is in {directory}/*.csv"
    return files


def _profile_of(result: VerifyResult, comparison: OutputComparison) -> StepProfile | None:
    pair = comparison.pair
    return step_profile(comparison, result.old_outputs[pair.old.name], result.new_outputs[pair.new.name], result.plan.batches)


def steps_document(files: StepFiles) -> dict[str, Any]:
    return {"data": [str(p) for p in files.data], "pictures": [str(p) for p in files.pictures], "note": files.note}


def steps_lines(document: dict[str, Any] | None) -> list[str]:
    """One line under the table: where the pictures are, or why there are none."""
    if not document:
        return []
    if document["note"]:
        return [f"pictures {document['note']}"]
    return [f"pictures {', '.join(document['pictures'])} (the data beside each as .csv)"]
