"""TF1's ``MultiRNNCell``: cells in a stack, each under ``multi_rnn_cell/cell_<k>``.

One cell object in several layers (``MultiRNNCell([cell] * n)``) is one set of weights, as in
TF 1.15: its variables are created once, under the first layer's ``cell_<k>``, and every layer
runs them. That only fits when each layer's input depth is the one the cell was built for (the
cell's output size after the first layer); TF1 then fails at graph build ("Dimensions must be
equal"), and so does this class, with a message that says why.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from rnnmigrate.layers.cells import TF1Cell, require_tuple_state, build_cell, current_build_dtype
from rnnmigrate.layers.config import cell_from_config, check_layout, register
from rnnmigrate.layers.protocol import require_cell
from rnnmigrate.layers.variables import in_tf1_graph, join


@register
class MultiRNNCell(TF1Cell):
    """A stack of cells; the state is a tuple with one entry per cell, as in TF1."""

    default_tf1_scope_name = "multi_rnn_cell"
    is_tf1_stack = True

    def __init__(self, cells: list, state_is_tuple: bool = True, **kwargs: Any):
        require_tuple_state(state_is_tuple)
        for cell in cells:
            require_cell(cell, "MultiRNNCell")
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> Any:
        return self.cells[-1].output_size

    def build(self, input_shape: Any) -> None:
        """Each cell under ``cell_<k>``, fed the previous cell's output depth."""
        depth = int(input_shape[-1])
        if in_tf1_graph():
            with tf.compat.v1.variable_scope(None, default_name=self.tf1_base_name) as scope:
                self.tf1_scope = scope.name
                self._build_cells(depth)
            return
        if self.tf1_scope is None:
            self.tf1_scope = join(tf.compat.v1.get_variable_scope().name, self.tf1_base_name)
        # Relative: cells restored from a config carry their own full scope.
        with tf.compat.v1.variable_scope(self.tf1_base_name, auxiliary_name_scope=False):
            self._build_cells(depth)

    def _build_cells(self, depth: int) -> None:
        dtype = current_build_dtype() or self.variable_dtype
        first_layer: dict[int, int] = {}
        for index, cell in enumerate(self.cells):
            core = _unwrapped(cell)
            if id(core) in first_layer:
                _check_shared_depth(core, index, first_layer[id(core)], depth)
            first_layer.setdefault(id(core), index)
            with tf.compat.v1.variable_scope(f"cell_{index}", auxiliary_name_scope=False):
                build_cell(cell, depth, dtype)  # a cell built for an earlier layer stays as it is
            depth = cell.output_size

    def tf1_variables(self) -> dict[str, Any]:
        variables: dict[str, Any] = {}
        for cell in self.cells:
            variables.update(cell.tf1_variables())
        return variables

    def call(self, inputs: Any, states: Any, training: bool = False, **kwargs: Any) -> Any:
        """One step through every cell; a TF1 tuple state comes back as a TF1 tuple."""
        new_states = []
        for cell, cell_state in zip(self.cells, states):
            inputs, cell_state = cell(inputs, cell_state, training=training)
            new_states.append(cell_state)
        return inputs, (tuple(new_states) if isinstance(states, tuple) else new_states)

    def get_config(self) -> dict:
        """The distinct cells, and per layer which of them it runs when one cell serves several."""
        distinct = list({id(cell): cell for cell in self.cells}.values())
        config = {**self._base_config(), "cells": distinct}
        if len(distinct) < len(self.cells):
            config["layer_cells"] = [next(k for k, cell in enumerate(distinct) if cell is layer) for layer in self.cells]
        return config

    @classmethod
    def from_config(cls, config: dict) -> "MultiRNNCell":
        config = dict(config)
        check_layout(cls.__name__, config)
        cells = [cell_from_config(cell) for cell in config["cells"]]
        layers = config.pop("layer_cells", None)
        config["cells"] = cells if layers is None else [cells[index] for index in layers]
        return cls(**config)


def _unwrapped(cell: Any) -> Any:
    """The cell that owns the variables: a DropoutWrapper runs its cell's."""
    while getattr(cell, "wrapped_cell", None) is not None:
        cell = cell.wrapped_cell
    return cell


def _check_shared_depth(cell: Any, index: int, first: int, depth: int) -> None:
    """TF 1.15 runs one cell object in every layer it fills with the same kernel, so the depths must agree."""
    built_for = cell.input_depth() if hasattr(cell, "input_depth") else depth
    if depth == built_for:
        return
    name = type(cell).__name__
    raise ValueError(
        f"MultiRNNCell: layer {index} runs the same {name} object as layer {first}, whose variables were "
        f"built for inputs of depth {built_for}, but its inputs have depth {depth}; TF 1.15 shares the "
        f"kernel the same way and fails at graph build (\"Dimensions must be equal\"). Give each layer "
        f"its own cell ([{name}(...) for _ in range(n)]) for separate weights"
    )
