"""TF1's ``OutputProjectionWrapper`` and ``InputProjectionWrapper`` (``tf.contrib.rnn``), TF 1.15's variables.

From TF 1.15's ``tensorflow/contrib/rnn/python/ops/core_rnn_cell.py``: each is a layer whose
scope (``output_projection_wrapper`` / ``input_projection_wrapper``, made unique like any TF1
layer's) holds ``kernel`` and ``bias`` (zeros) of a ``_Linear``, and the wrapped cell is called
from inside that scope, so its variables are nested in it
(``rnn/output_projection_wrapper/lstm_cell/kernel``).

* output: ``y = activation(cell_output @ kernel + bias)``, ``kernel [cell output size, output_size]``;
* input: the cell runs on ``activation(inputs @ kernel + bias)``, ``kernel [input depth, num_proj]``.

``activation=None`` means none (TF1's ``if self._activation``). The state is the cell's.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import CellWrapper, TF1Cell, build_cell, dense
from rnnmigrate.layers.config import cell_from_config, check_layout, keras_activation, register
from rnnmigrate.layers.protocol import require_cell
from rnnmigrate.layers.variables import in_tf1_graph
from rnnmigrate.layers.wrappers import _fast_path


def _activation(activation: Any) -> Callable | None:
    return None if activation is None else keras.activations.get(keras_activation(activation))


class _ProjectionWrapper(CellWrapper, TF1Cell):
    """A layer with a ``_Linear`` of its own around a cell built inside its scope."""

    scopes_wrapped_cell = True

    def __init__(self, cell: Any, activation: Any = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any):
        require_cell(cell, type(self).__name__)
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.cell = cell
        self.activation = _activation(activation)

    @property
    def has_fast_path(self) -> bool:
        return _fast_path(self.cell)

    @property
    def project_unrolled_steps_together(self) -> bool:
        return getattr(self.cell, "project_unrolled_steps_together", False)

    def _inside_scope(self) -> Any:
        """Where the wrapped cell is built: in a TF1 graph the open layer scope already is."""
        if in_tf1_graph():
            return contextlib.nullcontext()
        return tf.compat.v1.variable_scope(self.tf1_base_name, auxiliary_name_scope=False)

    def _build_cell(self, depth: int, dtype: Any) -> None:
        with self._inside_scope():
            build_cell(self.cell, depth, dtype)

    def _linear(self, inputs: tf.Tensor) -> tf.Tensor:
        projected = dense(inputs, self.weight("kernel"), self.weight("bias"))
        return projected if self.activation is None else self.activation(projected)

    def tf1_variables(self) -> dict[str, Any]:
        return {**self.cell.tf1_variables(), **super().tf1_variables()}

    def _wrapper_config(self) -> dict:
        activation = self.activation
        return {
            **self._base_config(),
            "cell": self.cell,
            "activation": None if activation is None else keras.activations.serialize(activation),
        }

    @classmethod
    def from_config(cls, config: dict) -> "_ProjectionWrapper":
        config = dict(config)
        check_layout(cls.__name__, config)
        config["cell"] = cell_from_config(config["cell"])
        return cls(**config)


@register
class OutputProjectionWrapper(_ProjectionWrapper):
    """TF1 ``OutputProjectionWrapper(cell, output_size, activation=None, reuse=None)``."""

    default_tf1_scope_name = "output_projection_wrapper"
    first_kernel_is_own = False
    output_is_first_state = False

    def __init__(self, cell: Any, output_size: int, activation: Any = None, reuse: Any = None, **kwargs: Any):
        if output_size < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        super().__init__(cell, activation, reuse, **kwargs)
        self.projected_size = int(output_size)

    @property
    def output_size(self) -> int:
        return self.projected_size

    def create_variables(self, depth: int, dtype: Any) -> None:
        self._build_cell(depth, dtype)
        self.add_tf1_variable("kernel", (int(self.cell.output_size), self.projected_size))
        self.add_tf1_variable("bias", (self.projected_size,), tf.compat.v1.zeros_initializer())

    def make_input_projection(self) -> Callable:
        return self.cell.make_input_projection()

    def make_recurrent_step(self) -> Callable:
        step = self.cell.make_recurrent_step()
        kernel, bias, activation = self.weight("kernel"), self.weight("bias"), self.activation

        def projected_step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            output, new_states = step(projected, states)
            output = dense(output, kernel, bias)
            return (output if activation is None else activation(output)), new_states

        return projected_step

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        output, new_states = self.cell(inputs, states, training=training)
        return self._linear(output), new_states

    def get_config(self) -> dict:
        return {**self._wrapper_config(), "output_size": self.projected_size}


@register
class InputProjectionWrapper(_ProjectionWrapper):
    """TF1 ``InputProjectionWrapper(cell, num_proj, activation=None, input_size=None, reuse=None)``."""

    default_tf1_scope_name = "input_projection_wrapper"
    first_kernel_is_own = True

    def __init__(self, cell: Any, num_proj: int, activation: Any = None, input_size: Any = None, reuse: Any = None,
                 **kwargs: Any):
        super().__init__(cell, activation, reuse, **kwargs)
        self.num_proj = int(num_proj)

    @property
    def output_is_first_state(self) -> bool:
        return getattr(self.cell, "output_is_first_state", False)

    def create_variables(self, depth: int, dtype: Any) -> None:
        self.add_tf1_variable("kernel", (depth, self.num_proj))
        self.add_tf1_variable("bias", (self.num_proj,), tf.compat.v1.zeros_initializer())
        self._build_cell(self.num_proj, dtype)

    def make_input_projection(self) -> Callable:
        project = self.cell.make_input_projection()
        kernel, bias, activation = self.weight("kernel"), self.weight("bias"), self.activation

        def project_twice(inputs: tf.Tensor) -> tf.Tensor:
            projected = dense(inputs, kernel, bias)
            return project(projected if activation is None else activation(projected))

        return project_twice

    def make_recurrent_step(self) -> Callable:
        return self.cell.make_recurrent_step()

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        return self.cell(self._linear(tf.cast(inputs, self.compute_dtype)), states, training=training)

    def get_config(self) -> dict:
        return {**self._wrapper_config(), "num_proj": self.num_proj}
