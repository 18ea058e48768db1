"""Draw a `StepProfile` as a PNG: the difference per time step, valid and padded steps apart.

matplotlib is optional (``rnnmigrate[plot]``) and imported only here, when a picture is drawn:
verify's start-up stays TensorFlow's. The figure is rendered by the Agg canvas directly, never
through pyplot, so no window, display or global backend is involved.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rnnmigrate.verify.steps import StepProfile

_COLOURS = {"valid": "#1f77b4", "padded": "#d62728"}
_FLOOR_BELOW_ATOL = 1e-3  # smaller differences (zeros too) are drawn this far below atol


def matplotlib_missing() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return True
    return False


def draw_profile(profile: StepProfile, path: Path) -> Path:
    """Max and mean |new - old| per step on a log axis, one colour per region, atol as a line."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7.0, 3.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    floor = _floor(profile)
    steps = np.arange(profile.steps)
    for region in ("valid", "padded"):
        data = getattr(profile, region)
        if not data.elements.any():
            continue
        name = region if profile.lengths_known else "all (lengths unknown)"
        for values, style, what in ((data.max_or_nan(), "-", "max"), (data.mean_abs, "--", "mean")):
            axes.plot(steps, np.maximum(values, floor), style, marker="o", markersize=3,
                      color=_COLOURS[region], label=f"{name} steps, {what}")
    axes.axhline(profile.atol, color="0.4", linestyle=":", label=f"atol {profile.atol:g}")
    axes.set_yscale("log")
    axes.set_ylim(bottom=floor)
    axes.set_xlim(-0.5, profile.steps - 0.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("time step")
    axes.set_ylabel("|new - old| over rows and units")
    axes.set_title(f"{profile.output}: |new - old| per time step (below {floor:.0e} drawn at the bottom)", fontsize=10)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    figure.savefig(path, format="png")
    return path


def _floor(profile: StepProfile) -> float:
    """The bottom of the log axis, a little below atol (or below the smallest difference at atol 0)."""
    import numpy as np

    if profile.atol > 0:
        return profile.atol * _FLOOR_BELOW_ATOL
    values = np.concatenate([profile.valid.max_abs, profile.padded.max_abs])
    positive = values[np.isfinite(values) & (values > 0)]
    return float(positive.min()) / 10 if positive.size else 1e-12
