"""TF1 variables (a checkpoint or a dict) into the runtime's variables, by name.

The runtime's variables have TF1's names and layout, so importing is a copy:
no gate reordering, no kernel split, no ``forget_bias`` folding.  In a TF1
graph the program's own ``tf.compat.v1.train.Saver().restore`` does the same;
``tf1_weights`` there gives new variables the checkpoint's values as their
initializers, so they survive ``global_variables_initializer()``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any, Iterator

import numpy as np
import tensorflow as tf

from rnnmigrate.layers.cells import build_cell
from rnnmigrate.layers.states import is_stack, unwrap_cell
from rnnmigrate.layers.variables import in_tf1_graph, initial_values_from, join

_MAX_LISTED_VARIABLES = 40


class VariableSource:
    """TF1 variables by name: a checkpoint prefix or a ``{name: array}`` dict."""

    def __init__(self, source: Any):
        if isinstance(source, VariableSource):
            self.__dict__.update(source.__dict__)
        elif isinstance(source, Mapping):
            self._arrays = _merge_partitions({_strip_output_index(k): np.asarray(v) for k, v in source.items()})
            self._reader = None
            self.shapes = {name: tuple(array.shape) for name, array in self._arrays.items()}
            self.description = "the given variable dict"
        else:
            self._reader = tf.train.load_checkpoint(str(source))
            self._arrays = {}
            self.shapes = {name: tuple(shape) for name, shape in self._reader.get_variable_to_shape_map().items()}
            self.description = f"checkpoint {str(source)!r}"

    def get(self, name: str) -> np.ndarray:
        if self._reader is not None:
            return self._reader.get_tensor(name)
        return self._arrays[name]

    def resolve(self, name: str) -> str:
        """The source's name for ``name``: itself, else the one name ending with ``/name``.

        The suffix rule covers TF1 code whose outer ``variable_scope`` the
        migrated code does not repeat.
        """
        if name in self.shapes:
            return name
        candidates = sorted(found for found in self.shapes if found.endswith("/" + name))
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise ValueError(
                f"tf1_weights: {self.description} has several variables ending with {name!r}: "
                f"{', '.join(candidates)}. Give the RNN the full scope (scope=...) or run it under "
                "the same tf.compat.v1.variable_scope as the TF1 code."
            )
        raise ValueError(f"tf1_weights: {self.description} is missing {name!r}.\n{self.listing(name)}")

    def value(self, name: str, shape: tuple) -> np.ndarray:
        found = self.resolve(name)
        if tuple(self.shapes[found]) != tuple(shape):
            raise ValueError(
                f"tf1_weights: {found} has shape {_format_shape(self.shapes[found])} in {self.description}, "
                f"but the migrated code expects {_format_shape(shape)}; check the cell's arguments "
                "(num_units, num_proj, use_peepholes) and the input depth against the TF1 code."
            )
        return self.get(found)

    def listing(self, wanted: str) -> str:
        """The source's variables, those sharing a scope component with ``wanted`` first."""
        parts = set(wanted.split("/"))
        names = sorted(self.shapes, key=lambda name: (not (parts & set(name.split("/"))), name))
        lines = [(name, _format_shape(self.shapes[name])) for name in names[:_MAX_LISTED_VARIABLES]]
        width = max((len(name) for name, _ in lines), default=0)
        more = len(names) - len(lines)
        text = "\n".join(f"  {name.ljust(width)}  {shape}" for name, shape in lines)
        return f"Found in {self.description} (name, shape):\n{text}" + (f"\n  ... and {more} more" if more > 0 else "")


def _strip_output_index(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def _format_shape(shape: tuple) -> str:
    return "[" + ", ".join(str(dim) for dim in shape) + "]"


def _merge_partitions(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Join TF1 partitioned variables (``kernel/part_0``, ``kernel/part_1``) along axis 0."""
    parts: dict[str, dict[int, np.ndarray]] = {}
    merged = {}
    for name, array in arrays.items():
        match = re.fullmatch(r"(.*)/part_(\d+)", name)
        if match:
            parts.setdefault(match.group(1), {})[int(match.group(2))] = array
        else:
            merged[name] = array
    for name, pieces in parts.items():
        merged[name] = np.concatenate([pieces[index] for index in sorted(pieces)], axis=0)
    return merged


class TF1WeightsContext:
    """One ``with tf1_weights(source):`` block; ``loaded_variables`` lists the TF1 names read."""

    def __init__(self, source: Any):
        self.source = VariableSource(source)
        self.loaded_variables: list[str] = []

    def initial_value(self, name: str, shape: tuple, dtype: Any) -> np.ndarray:
        value = self.source.value(name, shape)
        self.loaded_variables.append(self.source.resolve(name))
        return np.asarray(value, dtype=tf.as_dtype(dtype).as_numpy_dtype)


@contextlib.contextmanager
def tf1_weights(source: Any) -> Iterator[TF1WeightsContext]:
    """Every runtime variable created in this block starts from ``source``'s value of its TF1 name.

    For rewritten code that builds layers inline, with no handle to call
    ``load_tf1_weights`` on.  Works eagerly, in ``tf.function`` and in a TF1
    graph (there the value is the variable's initializer).
    """
    context = TF1WeightsContext(source)
    with initial_values_from(context.initial_value):
        yield context


def load_tf1_weights(target: Any, source: Any, scope: str | None = None) -> list[str]:
    """Set ``target``'s variables from TF1 variables of the same names; returns the names read.

    ``target``: a DynamicRNN, BidirectionalDynamicRNN or a runtime cell.  An
    unbuilt target is built with the input depth the TF1 kernel implies, under
    ``scope`` (a cell's default: ``"rnn"``, the scope dynamic_rnn gave it).
    """
    if in_tf1_graph():
        raise RuntimeError(
            "load_tf1_weights cannot set variables in a TF1 graph (an assignment would never run); "
            "restore with the program's tf.compat.v1.train.Saver, or build the layers inside "
            "`with tf1_weights(checkpoint):`."
        )
    _require_runtime_cells(target)
    source = VariableSource(source)
    if not target.built:
        return _build_from(target, source, scope)
    names = []
    for name, variable in target.tf1_variables().items():
        variable.assign(np.asarray(source.value(name, tuple(variable.shape)), dtype=variable.dtype))
        names.append(source.resolve(name))
    return names


def _build_from(target: Any, source: VariableSource, scope: str | None) -> list[str]:
    is_layer = hasattr(target, "cell_fw") or (hasattr(target, "cell") and not hasattr(target, "state_size"))  # not a wrapper
    if is_layer and scope is not None:
        target.scope = scope
    cell_scope = target.scope if is_layer else (scope if scope is not None else "rnn")
    first_cell = target.cell_fw if hasattr(target, "cell_fw") else (target.cell if is_layer else target)
    if hasattr(target, "cell_fw"):
        cell_scope = join(cell_scope, "fw")
    kernel_name, recurrent_depth = _first_kernel(first_cell, cell_scope)
    depth = source.shapes[source.resolve(kernel_name)][0] - recurrent_depth
    with tf1_weights(source) as context:
        if is_layer:
            target.build((None, None, depth))
            target.built = True
        else:
            with tf.compat.v1.variable_scope(scope if scope is not None else "rnn", auxiliary_name_scope=False):
                build_cell(target, depth, "float32")
    return context.loaded_variables


def _require_runtime_cells(target: Any) -> None:
    cells = [getattr(target, name) for name in ("cell", "cell_fw", "cell_bw") if hasattr(target, name)] or [target]
    for cell in cells:
        leaf = unwrap_cell(cell)
        if not hasattr(leaf, "tf1_variables"):
            raise TypeError(
                f"load_tf1_weights needs rnnmigrate.layers cells; got {type(leaf).__name__}, whose TF1 "
                "variable names and layout are unknown."
            )


def _first_kernel(cell: Any, scope: str) -> tuple[str, int]:
    """(TF1 name of the first leaf cell's kernel, that cell's recurrent depth), before building."""
    while hasattr(cell, "wrapped_cell"):
        if getattr(cell, "scopes_wrapped_cell", False):  # a projection wrapper: the cell is in its scope
            scope = join(scope, cell.tf1_base_name)
            if cell.first_kernel_is_own:
                return join(scope, "kernel"), 0
        cell = cell.wrapped_cell
    scope = join(scope, cell.tf1_base_name)
    if is_stack(cell):
        return _first_kernel(cell.cells[0], f"{scope}/cell_0")
    return join(scope, cell.kernel_name), cell.recurrent_depth()
