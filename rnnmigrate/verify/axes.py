"""Which axis of an output holds the rows and which the time steps.

Batch-major ``[batch, time, ...]`` is the default. A time-major ``[time, batch, ...]`` output
(TF1's ``time_major=True``) is named with ``--time-major NAME``, or detected when its first
two axes are the time steps and the rows and those two sizes differ. Batches are joined
along the rows' axis, the valid-step mask is laid on the right axes, and an element's place
is given as (row, step, unit...) whatever the layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnmigrate.verify.errors import VerifyError

if TYPE_CHECKING:
    import numpy as np

    from rnnmigrate.verify.pairing import TensorPair


@dataclass(frozen=True)
class OutputLayout:
    """``time_axis`` None: the output has no time axis (a final state) or it is unknown."""

    batch_axis: int = 0
    time_axis: int | None = None
    note: str | None = None

    @property
    def time_major(self) -> bool:
        return self.time_axis == 0

    def step_mask(self, valid_steps: np.ndarray, ndim: int) -> np.ndarray:
        """A [rows, time] mask of valid steps laid on this output's axes, ready to broadcast."""
        mask = valid_steps.T if self.time_major else valid_steps
        return mask.reshape(mask.shape + (1,) * (ndim - 2))

    def element_place(self, index: tuple[int, ...], row_offset: int) -> tuple[int, ...]:
        """An array index as (row, step, unit...), rows counted over all batches."""
        place = list(index)
        if place:
            place[self.batch_axis] += row_offset
        if self.time_major and len(place) >= 2:
            place[0], place[1] = place[1], place[0]
        return tuple(place)


BATCH_MAJOR = OutputLayout()


def output_layout(
    pair: TensorPair, shape: tuple[int, ...], rows: int, time_steps: int | None, time_major_names: frozenset[str]
) -> OutputLayout:
    """The layout of one output from its first batch's shape, the signatures and ``--time-major``."""
    named = bool({pair.old.name, pair.new.name} & time_major_names)
    if named:
        return _named_time_major(pair, shape, rows, time_steps)
    if time_steps is None or len(shape) < 2:
        return BATCH_MAJOR
    batch_major = shape[0] == rows and shape[1] == time_steps and _declares_time_axis(pair, 1, time_steps, len(shape))
    time_major = shape[0] == time_steps and shape[1] == rows and len(shape) >= 3 and _declares_time_axis(pair, 0, time_steps, len(shape))
    if batch_major and time_major:
        return OutputLayout(
            time_axis=1,
            note=(
                f"the rows and the time steps are both {rows}, so the shape does not tell whether this output is "
                f"[batch, time, ...] or [time, batch, ...]; read as [batch, time, ...] (pass --time-major "
                f"{pair.old.name} if it is time-major, or give --batch-size and --max-len different values)"
            ),
        )
    if time_major:
        return OutputLayout(
            batch_axis=1,
            time_axis=0,
            note=f"time-major: axis 0 is the {time_steps} time steps, axis 1 the {rows} rows (detected from the shape)",
        )
    return OutputLayout(time_axis=1) if batch_major else BATCH_MAJOR


def _named_time_major(
    pair: TensorPair, shape: tuple[int, ...], rows: int, time_steps: int | None
) -> OutputLayout:
    if len(shape) < 2 or shape[1] != rows or (time_steps is not None and shape[0] != time_steps):
        expected = f"({time_steps if time_steps is not None else 'time'}, {rows}, ...)"
        raise VerifyError(
            f"--time-major {pair.old.name}: its shape on the first batch is {tuple(shape)}, "
            f"not [time, batch, ...] {expected}"
        )
    return OutputLayout(batch_axis=1, time_axis=0, note="time-major (--time-major): axis 0 is time, axis 1 the rows")


def _declares_time_axis(pair: TensorPair, axis: int, time_steps: int, ndim: int) -> bool:
    """A signature leaves the axis open, or (rank >= 3) fixes it to the time steps: a final state
    [batch, units] whose units happen to equal the time steps has neither."""
    declared = [sig.shape[axis] for sig in (pair.old, pair.new) if sig.shape is not None and len(sig.shape) > axis]
    open_axis = any(dim is None for dim in declared)
    fixed_to_time = ndim >= 3 and all(dim == time_steps for dim in declared)
    return open_axis or fixed_to_time


def check_time_major_names(names: frozenset[str], outputs: list[TensorPair]) -> None:
    known = {name for pair in outputs for name in (pair.old.name, pair.new.name)}
    unknown = sorted(names - known)
    if unknown:
        listed = ", ".join(sorted(pair.label for pair in outputs))
        raise VerifyError(f"--time-major {unknown[0]}: no such output; outputs are {listed}")
