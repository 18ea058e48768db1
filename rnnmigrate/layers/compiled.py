"""Eager calls of the time loop, compiled to graphs as TF1 ran them.

One ``tf.function`` per cell (or cell pair) and Python options, and under it one concrete
graph per dtype and shape with the time axis unknown: every sequence length shares a graph,
and the batch size stays static as a TF1 graph fed a fixed batch has it. Inside a graph (a
TF1 session, ``tf.function``, a Keras model being traced) the loop runs directly.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

import tensorflow as tf

from rnnmigrate.layers.engine import bidirectional_dynamic_rnn, dynamic_rnn


class _CompiledPerCells:
    """One ``tf.function`` per cell (or cell pair) and Python options, for eager calls.

    A closure over the cells keeps them out of the function's arguments, which
    saves a trace-type lookup of the cell objects on every call.  The cache is
    held weakly by the cells and the closures hold them weakly, so it never keeps
    a model alive.
    """

    def __init__(self, function: Callable):
        self._function = function
        self._by_first_cell: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __call__(self, cells: tuple, options: tuple, *tensors: Any) -> Any:
        per_cells = self._by_first_cell.setdefault(cells[0], {})
        for cell in cells[1:]:
            per_cells = per_cells.setdefault("next", weakref.WeakKeyDictionary()).setdefault(cell, {})
        if options not in per_cells:
            references = [weakref.ref(cell) for cell in cells]
            function = self._function

            def run(*tensors: Any) -> Any:
                return function(*(reference() for reference in references), *tensors, *options)

            _, time_major = options
            per_cells[options] = _ConcretePerSignature(tf.function(run, autograph=False), 0 if time_major else 1)
        return per_cells[options](*tensors)


class _ConcretePerSignature:
    """A function's concrete graphs by the tensors' dtypes and shapes, with the inputs' time axis unknown.

    Every length of sequence shares one graph, as ``reduce_retracing`` would settle on, looked
    up by a plain tuple instead of TensorFlow's trace-type matching, which cost more per call
    than a small RNN runs. The batch size stays static, as in a TF1 graph fed a fixed-size
    batch: cell code reads it (``inputs.get_shape()[0]``, ``tf.reshape(h, [batch, 4, n])``).
    """

    def __init__(self, function: Any, time_axis: int):
        self._function = function
        self._time_axis = time_axis
        self._concrete: dict = {}

    def __call__(self, inputs: Any, *structures: Any) -> Any:
        key = (_signature(inputs, self._time_axis), _signature(structures))
        concrete = self._concrete.get(key)
        if concrete is None:
            input_specs = tf.nest.map_structure(lambda tensor: _spec(tensor, self._time_axis), inputs)
            specs = tf.nest.map_structure(_spec, structures)
            concrete = self._concrete[key] = self._function.get_concrete_function(input_specs, *specs)
        return concrete(inputs, *structures)


def _signature(value: Any, time_axis: int | None = None) -> Any:
    if isinstance(value, (list, tuple)):
        return (type(value), *(_signature(item, time_axis) for item in value))
    if value is None:
        return None
    return (value.dtype, _dims(value, time_axis))


def _dims(tensor: Any, time_axis: int | None) -> tuple | None:
    """The static shape with the time axis unknown (plain ints: TF 1.x shapes hold Dimensions)."""
    if tensor.shape.rank is None:
        return None
    dims = [tf.compat.dimension_value(size) for size in tensor.shape]
    if time_axis is not None and time_axis < len(dims):
        dims[time_axis] = None
    return tuple(dims)


def _spec(tensor: Any, time_axis: int | None = None) -> tf.TensorSpec | None:
    if tensor is None:
        return None
    return tf.TensorSpec(_dims(tensor, time_axis), tensor.dtype)


_compiled_dynamic_rnn = _CompiledPerCells(dynamic_rnn)
_compiled_bidirectional_dynamic_rnn = _CompiledPerCells(bidirectional_dynamic_rnn)


def run_dynamic_rnn(cell, inputs, lengths, initial_state, training: bool, time_major: bool):
    """``dynamic_rnn``, compiled to a graph when called eagerly."""
    if tf.executing_eagerly():
        return _compiled_dynamic_rnn((cell,), (training, time_major), inputs, lengths, initial_state)
    return dynamic_rnn(cell, inputs, lengths, initial_state, training, time_major)


def run_bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, lengths, state_fw, state_bw, training, time_major):
    """``bidirectional_dynamic_rnn``, compiled to a graph when called eagerly."""
    if tf.executing_eagerly():
        return _compiled_bidirectional_dynamic_rnn(
            (cell_fw, cell_bw), (training, time_major), inputs, lengths, state_fw, state_bw
        )
    return bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, lengths, state_fw, state_bw, training, time_major)
