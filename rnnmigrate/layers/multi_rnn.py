"""TF1's ``MultiRNNCell``: cells in a stack, each under ``multi_rnn_cell/cell_<k>``."""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from rnnmigrate.layers.cells import TF1Cell, require_tuple_state, build_cell, current_build_dtype
from rnnmigrate.layers.config import cell_from_config, check_layout, register
from rnnmigrate.layers.variables import in_tf1_graph, join


@register
class MultiRNNCell(TF1Cell):
    """A stack of cells; the state is a tuple with one entry per cell, as in TF1."""

    default_tf1_scope_name = "multi_rnn_cell"
    is_tf1_stack = True

    def __init__(self, cells: list, state_is_tuple: bool = True, **kwargs: Any):
        require_tuple_state(state_is_tuple)
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
        for index, cell in enumerate(self.cells):
            with tf.compat.v1.variable_scope(f"cell_{index}", auxiliary_name_scope=False):
                build_cell(cell, depth, dtype)
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
        return {**self._base_config(), "cells": list(self.cells)}

    @classmethod
    def from_config(cls, config: dict) -> "MultiRNNCell":
        config = dict(config)
        check_layout(cls.__name__, config)
        config["cells"] = [cell_from_config(cell) for cell in config["cells"]]
        return cls(**config)
