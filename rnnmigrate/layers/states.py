"""RNN state structures: TF1's nested tuples versus Keras's per-cell lists.

The runtime computes with Keras-ordered states (an LSTM carries ``[h, c]``) and
hands TF1-ordered states to users (``LSTMStateTuple(c, h)``), because migrated
code reads ``state.c``, ``state.h`` and ``state[-1].h``.
"""

from __future__ import annotations

import collections
from typing import Any

import tensorflow as tf


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """TF1's LSTM state: memory ``c`` first, output ``h`` second."""

    __slots__ = ()

    @property
    def dtype(self) -> tf.DType:
        return self.c.dtype


class ProjectedLSTMSizes:
    """Sizes of an LSTM-like cell with ``units`` and an optional ``num_proj`` (LSTMCell, NASCell).

    ``state_size`` is TF1's ``LSTMStateTuple(c, h)`` of sizes: TF1 code builds its own state
    tensors from it (bilm-tf's stateful initial states).
    """

    units: int
    num_proj: int | None = None

    @property
    def output_units(self) -> int:
        return self.units if self.num_proj is None else self.num_proj

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(c=self.units, h=self.output_units)

    @property
    def output_size(self) -> int:
        return self.output_units


def unwrap_cell(cell: Any) -> Any:
    """Return the innermost cell under any number of DropoutWrappers."""
    while hasattr(cell, "wrapped_cell"):
        cell = cell.wrapped_cell
    return cell


def is_stack(cell: Any) -> bool:
    return getattr(cell, "is_tf1_stack", False)


def is_custom(cell: Any) -> bool:
    """A user's subclass of the runtime's ``RNNCell``: its state is any nest, carried flattened."""
    return getattr(cell, "is_tf1_custom_cell", False)


def is_lstm(cell: Any) -> bool:
    """Whether TF1 gave this cell's state as ``LSTMStateTuple(c, h)``."""
    return getattr(cell, "state_is_lstm_tuple", False)


def is_keras_structured(cell: Any) -> bool:
    """Whether TF1 gave this cell's state in Keras's structure: a list ``[h, c]`` or one tensor (Keras's own cells)."""
    return getattr(cell, "state_is_keras_list", False)


def state_sizes(cell: Any) -> list[int]:
    """Sizes of a non-stacked cell's state tensors, in Keras order."""
    size = cell.state_size
    if isinstance(size, LSTMStateTuple):
        return [size.h, size.c]
    return list(size) if isinstance(size, (list, tuple)) else [size]


def to_tf1_state(cell: Any, keras_state: Any) -> Any:
    """Keras-ordered state of ``cell`` -> the structure TF1's cell returned."""
    cell = unwrap_cell(cell)
    if is_stack(cell):
        return tuple(to_tf1_state(sub, state) for sub, state in zip(cell.cells, keras_state))
    tensors = _as_list(keras_state)
    if is_custom(cell):
        return cell.pack_state(tensors)
    if is_lstm(cell):
        h, c = tensors
        return LSTMStateTuple(c=c, h=h)
    if is_keras_structured(cell) and len(tensors) > 1:
        return tensors
    return tensors[0] if len(tensors) == 1 else tuple(tensors)


def from_tf1_state(cell: Any, tf1_state: Any) -> Any:
    """TF1-structured state (as TF1 code passes it) -> Keras-ordered state of ``cell``."""
    cell = unwrap_cell(cell)
    if is_stack(cell):
        if len(tf1_state) != len(cell.cells):
            raise ValueError(
                f"initial_state has {len(tf1_state)} entries but the MultiRNNCell has "
                f"{len(cell.cells)} cells; pass one state per cell."
            )
        return [from_tf1_state(sub, state) for sub, state in zip(cell.cells, tf1_state)]
    if is_custom(cell):
        return tf.nest.flatten(tf1_state)
    if is_lstm(cell):
        if not isinstance(tf1_state, (tuple, list)) or len(tf1_state) != 2:
            raise ValueError(
                "An LSTM state must be LSTMStateTuple(c, h) (or a (c, h) pair); "
                f"got {tf1_state!r}."
            )
        c, h = tf1_state
        return [h, c]
    return _as_list(tf1_state)


def zero_keras_state(cell: Any, batch_size: Any, dtype: Any) -> Any:
    """All-zero Keras-ordered state, what TF1's ``cell.zero_state`` gave."""
    cell = unwrap_cell(cell)
    if is_stack(cell):
        return [zero_keras_state(sub, batch_size, dtype) for sub in cell.cells]
    if is_custom(cell):
        return cell.flat_zero_state(batch_size, dtype)
    if isinstance(batch_size, int):
        return [tf.zeros([batch_size, size], dtype=dtype) for size in state_sizes(cell)]
    return [tf.zeros(tf.stack([batch_size, size]), dtype=dtype) for size in state_sizes(cell)]


def _as_list(state: Any) -> list:
    return list(state) if isinstance(state, (list, tuple)) else [state]
