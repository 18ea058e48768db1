"""Import TF1 RNN variables (from a checkpoint or a dict) into the runtime cells.

TF1 names come from the scope the RNN ran under, the cell's sub-scope and the
variable: ``rnn/lstm_cell/kernel``, ``bidirectional_rnn/fw/gru_cell/gates/bias``,
``rnn/multi_rnn_cell/cell_1/basic_rnn_cell/kernel``.  DropoutWrapper adds no
scope.  TF1 kernels are ``[input_depth + recurrent_depth, gates * units]``;
Keras splits them into ``kernel`` and ``recurrent_kernel``, orders LSTM gates
i, f, c, o (TF1: i, j, f, o) and GRU gates z, r, h (TF1: r, u then the
candidate), and keeps LSTM ``forget_bias`` in the bias (TF1 added it per step).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import tensorflow as tf

from rnnmigrate.layers.cells import BasicRNNCell, GRUCell, _LSTMBase
from rnnmigrate.layers.states import is_stack

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
            self.shapes = {
                name: tuple(shape) for name, shape in self._reader.get_variable_to_shape_map().items()
            }
            self.description = f"checkpoint {str(source)!r}"

    def get(self, name: str) -> np.ndarray:
        if self._reader is not None:
            return self._reader.get_tensor(name)
        return self._arrays[name]


def _strip_output_index(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


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


@dataclass
class _CellVariables:
    """One leaf cell and its TF1 variable scope, e.g. ``rnn/multi_rnn_cell/cell_0/lstm_cell``."""

    cell: Any
    scope: str
    depth_from_checkpoint: bool = False

    @property
    def units(self) -> int:
        return self.cell.units

    @property
    def recurrent_depth(self) -> int:
        return getattr(self.cell, "num_proj", None) or self.units

    def variable_suffixes(self) -> list[str]:
        if isinstance(self.cell, GRUCell):
            return ["gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias"]
        suffixes = ["kernel", "bias"]
        if getattr(self.cell, "use_peepholes", False):
            suffixes += ["w_i_diag", "w_f_diag", "w_o_diag"]
        if getattr(self.cell, "num_proj", None) is not None:
            suffixes.append("projection/kernel")
        return suffixes

    def names(self) -> list[str]:
        return [f"{self.scope}/{suffix}" for suffix in self.variable_suffixes()]

    def input_depth(self) -> int | None:
        return int(self.cell.kernel.shape[0]) if self.cell.built else None

    def expected_shapes(self, input_depth: int | None) -> dict[str, tuple]:
        """TF1 shapes by suffix; an unknown input depth shows as ``d``."""
        units, depth = self.units, self.recurrent_depth
        rows = f"d+{depth}" if input_depth is None else input_depth + depth
        if isinstance(self.cell, GRUCell):
            return {
                "gates/kernel": (rows, 2 * units),
                "gates/bias": (2 * units,),
                "candidate/kernel": (rows, units),
                "candidate/bias": (units,),
            }
        gate_columns = units if isinstance(self.cell, BasicRNNCell) else 4 * units
        shapes = {"kernel": (rows, gate_columns), "bias": (gate_columns,)}
        shapes.update({name: (units,) for name in ("w_i_diag", "w_f_diag", "w_o_diag")})
        shapes["projection/kernel"] = (units, depth)
        return {suffix: shapes[suffix] for suffix in self.variable_suffixes()}

    def build_from(self, shapes: Mapping[str, tuple], prefix: str) -> None:
        """Build an unbuilt cell with the input depth its TF1 kernel implies."""
        if self.cell.built:
            return
        kernel_suffix = "gates/kernel" if isinstance(self.cell, GRUCell) else "kernel"
        kernel_rows = shapes[f"{prefix}{self.scope}/{kernel_suffix}"][0]
        self.cell.build((None, kernel_rows - self.recurrent_depth))
        self.depth_from_checkpoint = True

    def assign(self, arrays: dict[str, np.ndarray]) -> None:
        """Assign TF1 arrays (by suffix) to the Keras weights."""
        input_depth = self.input_depth()
        if isinstance(self.cell, GRUCell):
            kernel, bias = _gru_to_keras(arrays, self.units)
            _assign(self.cell.kernel, kernel[:input_depth])
            _assign(self.cell.recurrent_kernel, kernel[input_depth:])
            _assign(self.cell.bias, bias)
            return
        kernel, bias = arrays["kernel"], arrays["bias"]
        if isinstance(self.cell, _LSTMBase):
            kernel, bias = _lstm_to_keras(kernel, bias, self.cell.forget_bias)
        _assign(self.cell.kernel, kernel[:input_depth])
        _assign(self.cell.recurrent_kernel, kernel[input_depth:])
        _assign(self.cell.bias, bias)
        if getattr(self.cell, "use_peepholes", False):
            _assign(self.cell.input_peephole, arrays["w_i_diag"])
            _assign(self.cell.forget_peephole, arrays["w_f_diag"])
            _assign(self.cell.output_peephole, arrays["w_o_diag"])
        if getattr(self.cell, "num_proj", None) is not None:
            _assign(self.cell.projection_kernel, arrays["projection/kernel"])


def _lstm_to_keras(kernel: np.ndarray, bias: np.ndarray, forget_bias: float) -> tuple[np.ndarray, np.ndarray]:
    """TF1 gate columns i, j, f, o -> Keras i, f, c(=j), o; forget_bias moves into the bias."""
    i, j, f, o = np.split(kernel, 4, axis=1)
    b_i, b_j, b_f, b_o = np.split(bias, 4)
    b_f = b_f + np.asarray(forget_bias, dtype=bias.dtype)
    return np.concatenate([i, f, j, o], axis=1), np.concatenate([b_i, b_f, b_j, b_o])


def _gru_to_keras(arrays: dict[str, np.ndarray], units: int) -> tuple[np.ndarray, np.ndarray]:
    """TF1 gates (r, u) + candidate -> Keras z(=u), r, h columns."""
    gates_kernel, gates_bias = arrays["gates/kernel"], arrays["gates/bias"]
    kernel = np.concatenate([gates_kernel[:, units:], gates_kernel[:, :units], arrays["candidate/kernel"]], axis=1)
    bias = np.concatenate([gates_bias[units:], gates_bias[:units], arrays["candidate/bias"]])
    return kernel, bias


def _assign(variable: Any, value: np.ndarray) -> None:
    # init_scope: when a layer is first built inside a tf.function, assign once, eagerly,
    # instead of adding an assignment that would rerun on every call.
    with tf.init_scope():
        variable.assign(np.asarray(value, dtype=variable.dtype))


def _cell_variables(cell: Any, scope: str) -> Iterator[_CellVariables]:
    """Every leaf cell under ``cell`` with its TF1 scope."""
    if hasattr(cell, "wrapped_cell"):
        yield from _cell_variables(cell.wrapped_cell, scope)
    elif is_stack(cell):
        stack_scope = _join(scope, getattr(cell, "tf1_scope_name", "multi_rnn_cell"))
        for index, layer in enumerate(cell.cells):
            yield from _cell_variables(layer, f"{stack_scope}/cell_{index}")
    elif isinstance(cell, (BasicRNNCell, _LSTMBase, GRUCell)):
        yield _CellVariables(cell, _join(scope, cell.tf1_scope_name))
    else:
        raise TypeError(
            f"load_tf1_weights needs rnnmigrate.layers cells (BasicRNNCell, BasicLSTMCell, LSTMCell, "
            f"GRUCell, MultiRNNCell, DropoutWrapper); got {type(cell).__name__}, whose TF1 names "
            "and gate layout are unknown."
        )


def _join(scope: str, name: str) -> str:
    return f"{scope}/{name}" if scope else name


def _mark_containers_built(cell: Any) -> None:
    if hasattr(cell, "wrapped_cell"):
        _mark_containers_built(cell.wrapped_cell)
    elif is_stack(cell):
        for layer in cell.cells:
            _mark_containers_built(layer)
    cell.built = True


def _format_shape(shape: tuple) -> str:
    return "[" + ", ".join(str(dim) for dim in shape) + "]"


def _listing(lines: list[tuple[str, str]]) -> str:
    width = max((len(name) for name, _ in lines), default=0)
    return "\n".join(f"  {name.ljust(width)}  {shape}" for name, shape in lines)


def _expected_listing(leaves: list[_CellVariables]) -> str:
    lines = []
    for leaf in leaves:
        shapes = leaf.expected_shapes(leaf.input_depth())
        lines += [(f"{leaf.scope}/{suffix}", _format_shape(shape)) for suffix, shape in shapes.items()]
    return _listing(lines)


def _found_listing(source: VariableSource, leaves: list[_CellVariables]) -> str:
    """The source's variables, those sharing a scope component with the expected names first."""
    wanted = {part for leaf in leaves for part in leaf.scope.split("/")}
    names = sorted(source.shapes, key=lambda name: (not (wanted & set(name.split("/"))), name))
    lines = [(name, _format_shape(source.shapes[name])) for name in names[:_MAX_LISTED_VARIABLES]]
    more = len(names) - len(lines)
    return _listing(lines) + (f"\n  ... and {more} more" if more > 0 else "")


def _resolve_prefix(leaves: list[_CellVariables], source: VariableSource) -> str:
    """The outer scope TF1 code wrapped around the expected names ("" when none).

    TF1 code often adds ``tf.variable_scope`` around an RNN call; if exactly one
    set of variables ends with the expected names, that set is used.
    """
    expected = [name for leaf in leaves for name in leaf.names()]
    anchor = expected[0]
    candidates = sorted(
        {name[: len(name) - len(anchor)] for name in source.shapes if name == anchor or name.endswith("/" + anchor)}
    )
    complete = [prefix for prefix in candidates if all(prefix + name in source.shapes for name in expected)]
    if len(complete) == 1:
        return complete[0]
    header = f"load_tf1_weights: {source.description}"
    if len(complete) > 1:
        raise ValueError(
            f"{header} holds several sets of variables ending with the expected names, under "
            f"{', '.join(repr(prefix.rstrip('/')) for prefix in complete)}. Pass the full scope "
            f"(e.g. scope={(complete[0] + anchor.split('/')[0])!r}).\n"
            f"Expected (name, shape):\n{_expected_listing(leaves)}"
        )
    closest = max(candidates, key=lambda p: sum(p + n in source.shapes for n in expected), default="")
    missing = [closest + name for name in expected if closest + name not in source.shapes]
    raise ValueError(
        f"{header} has no complete set of the expected variables; missing:\n"
        + "\n".join(f"  {name}" for name in missing)
        + f"\nExpected (name, shape; d = input depth):\n{_expected_listing(leaves)}"
        + f"\nFound in {source.description} (name, shape):\n{_found_listing(source, leaves)}"
    )


def _check_shapes(leaf: _CellVariables, prefix: str, source: VariableSource, leaves: list[_CellVariables]) -> None:
    expected = leaf.expected_shapes(leaf.input_depth())
    depth_note = " (inferred from the TF1 kernel, as the cell was not built yet)" if leaf.depth_from_checkpoint else ""
    for suffix, shape in expected.items():
        name = f"{prefix}{leaf.scope}/{suffix}"
        found = source.shapes[name]
        if tuple(found) != tuple(shape):
            raise ValueError(
                f"load_tf1_weights: {name} has shape {_format_shape(found)} in {source.description}, "
                f"but {type(leaf.cell).__name__}(num_units={leaf.units}) with input depth "
                f"{leaf.input_depth()}{depth_note} expects {_format_shape(shape)}; check the cell's "
                "arguments (num_units, num_proj, use_peepholes) against the TF1 code.\n"
                f"Expected (name, shape):\n{_expected_listing(leaves)}"
                f"\nFound in {source.description} (name, shape):\n{_found_listing(source, leaves)}"
            )


def load_cells(pairs: list[tuple[str, Any]], source: Any) -> list[str]:
    """Load TF1 variables for (scope, cell) pairs; returns the TF1 names used."""
    source = VariableSource(source)
    leaves = [leaf for scope, cell in pairs for leaf in _cell_variables(cell, scope)]
    prefix = _resolve_prefix(leaves, source)
    for leaf in leaves:
        leaf.build_from(source.shapes, prefix)
    for leaf in leaves:
        _check_shapes(leaf, prefix, source, leaves)
    for leaf in leaves:
        leaf.assign({suffix: source.get(f"{prefix}{leaf.scope}/{suffix}") for suffix in leaf.variable_suffixes()})
    for _, cell in pairs:
        _mark_containers_built(cell)
    return [prefix + name for leaf in leaves for name in leaf.names()]


def load_tf1_weights(target: Any, source: Any, scope: str | None = None) -> list[str]:
    """Set ``target``'s weights from TF1 variables; returns the TF1 names it read.

    ``target``: a DynamicRNN, BidirectionalDynamicRNN or a runtime cell (then
    ``scope`` is the RNN scope the cell ran under, default ``"rnn"``).
    ``source``: a checkpoint prefix or ``{tf1 variable name: array}``.
    An unbuilt target is built with the input depth the TF1 kernels imply.
    """
    if hasattr(target, "tf1_cells"):
        pairs = target.tf1_cells(scope)
    else:
        pairs = [("rnn" if scope is None else scope, target)]
    return load_cells(pairs, source)


class TF1WeightsContext:
    """The state of one ``with tf1_weights(source):`` block."""

    def __init__(self, source: Any):
        self.source = VariableSource(source)
        self.loaded_variables: list[str] = []
        self._loaded_cells: list[Any] = []

    def load(self, layer: Any) -> None:
        """Load the cells of a just-built layer, skipping cells loaded earlier (shared weights)."""
        pairs = [
            (scope, cell)
            for scope, cell in layer.tf1_cells()
            if not any(cell is loaded for loaded in self._loaded_cells)
        ]
        if pairs:
            self.loaded_variables += load_cells(pairs, self.source)
            self._loaded_cells += [cell for _, cell in pairs]


_active_contexts: list[TF1WeightsContext] = []


@contextlib.contextmanager
def tf1_weights(source: Any) -> Iterator[TF1WeightsContext]:
    """Within this block every DynamicRNN / BidirectionalDynamicRNN / static_rnn loads its
    TF1 weights from ``source`` by its scope when it is built.

    For rewritten code that builds layers inline (``DynamicRNN(cell, name="enc")(x)``),
    where there is no handle to call ``load_tf1_weights`` on.  The yielded
    context lists the TF1 variables read in ``loaded_variables``.
    """
    context = TF1WeightsContext(source)
    _active_contexts.append(context)
    try:
        yield context
    finally:
        _active_contexts.remove(context)


def load_from_active_source(layer: Any) -> None:
    """Called by RNN layers as they are built: load weights inside ``tf1_weights``."""
    if _active_contexts:
        _active_contexts[-1].load(layer)
