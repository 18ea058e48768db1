"""TF1's cell wrappers ``ResidualWrapper`` and ``DeviceWrapper`` (the projection wrappers, which
have variables of their own, are in ``projection_wrappers``).

Read from TF 1.15 (``rnn_cell_impl`` / ``rnn_cell_wrapper_impl``; ``core_rnn_cell.py`` for the
projections, summarised here beside them):

* ``ResidualWrapper(cell, residual_fn=None)``: ``output = residual_fn(inputs, cell_output)``, by
  default ``inputs + cell_output`` (same structure asserted); the state is the cell's. No scope.
* ``DeviceWrapper(cell, device)``: the cell's ops (and its variables, created at its first call)
  under ``tf.device(device)``. No scope.
* ``OutputProjectionWrapper(cell, output_size, activation=None)``: a layer scope
  ``output_projection_wrapper`` holding ``kernel [cell output, output_size]`` and ``bias`` (zeros),
  with the wrapped cell's scope inside it (TF1 called the cell from within the wrapper's scope);
  ``output = activation(cell_output @ kernel + bias)``.
* ``InputProjectionWrapper(cell, num_proj, activation=None, input_size=None)``: scope
  ``input_projection_wrapper``, ``kernel [input, num_proj]``, ``bias``; the cell runs on
  ``activation(inputs @ kernel + bias)``, its scope inside the wrapper's.

Each composes the wrapped cell's fast path (input projection, recurrent step) when it has one, so
DynamicRNN runs them in its loop; ``call`` is the same math one step at a time.
"""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import CellWrapper, TF1Cell, build_cell, current_build_dtype
from rnnmigrate.layers.config import LAYOUT_KEY, LAYOUT_VERSION, cell_from_config, check_layout, register
from rnnmigrate.layers.protocol import require_cell
from rnnmigrate.layers.states import LSTMStateTuple


def _fast_path(cell: Any) -> bool:
    return bool(getattr(cell, "has_fast_path", False)) and hasattr(cell, "make_recurrent_step")


def _keras_states(states: Any) -> tuple[list, Callable]:
    """A step's states as the Keras-ordered list a fast path takes, and the way back."""
    if isinstance(states, LSTMStateTuple):
        return [states.h, states.c], lambda new: LSTMStateTuple(c=new[1], h=new[0])
    if isinstance(states, (list, tuple)):
        return list(states), lambda new: type(states)(new) if isinstance(states, tuple) else new
    return [states], lambda new: new[0]


class _Wrapper(CellWrapper, keras.layers.Layer):
    """A wrapper without variables: it builds and runs its cell, whose state it keeps."""

    is_rnnmigrate_runtime = True
    zero_state = TF1Cell.zero_state

    def __init__(self, cell: Any, **kwargs: Any):
        require_cell(cell, type(self).__name__)
        super().__init__(**kwargs)
        self.cell = cell

    @property
    def has_fast_path(self) -> bool:
        return _fast_path(self.cell)

    @property
    def output_is_first_state(self) -> bool:
        return getattr(self.cell, "output_is_first_state", False)

    @property
    def project_unrolled_steps_together(self) -> bool:
        return getattr(self.cell, "project_unrolled_steps_together", False)

    def build(self, input_shape: Any) -> None:
        self.input_depth = int(input_shape[-1])
        build_cell(self.cell, input_shape[-1], current_build_dtype() or self.cell.variable_dtype)

    def tf1_variables(self) -> dict[str, Any]:
        return self.cell.tf1_variables()

    def _base_config(self) -> dict:
        return {**keras.layers.Layer.get_config(self), "cell": self.cell, LAYOUT_KEY: LAYOUT_VERSION}

    @classmethod
    def from_config(cls, config: dict) -> "_Wrapper":
        config = dict(config)
        check_layout(cls.__name__, config)
        config["cell"] = cell_from_config(config["cell"])
        return cls(**config)


def _add_same_structure(inputs: Any, outputs: Any) -> Any:
    """TF1's default residual: ``nest.assert_same_structure`` then elementwise ``inputs + outputs``."""
    tf.nest.assert_same_structure(inputs, outputs)
    tf.nest.map_structure(lambda i, o: i.shape.assert_is_compatible_with(o.shape), inputs, outputs)
    return tf.nest.map_structure(lambda i, o: i + o, inputs, outputs)


@register
class ResidualWrapper(_Wrapper):
    """TF1 ``ResidualWrapper(cell, residual_fn=None)``: the output is ``residual_fn(inputs, cell_output)``.

    A ``residual_fn`` of your own runs step by step (it might mix batch rows); the default runs in the loop.
    """

    output_is_first_state = False

    def __init__(self, cell: Any, residual_fn: Callable | None = None, **kwargs: Any):
        super().__init__(cell, **kwargs)
        self.residual_fn = residual_fn

    @property
    def has_fast_path(self) -> bool:
        return self.residual_fn is None and _fast_path(self.cell)

    def make_input_projection(self) -> Callable:
        """The raw inputs ride along the cell's projection: the residual needs them."""
        project = self.cell.make_input_projection()
        return lambda inputs: tf.concat([project(inputs), inputs], axis=1)

    def make_recurrent_step(self) -> Callable:
        step, depth = self.cell.make_recurrent_step(), self.input_depth

        def residual_step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            output, new_states = step(projected[:, :-depth], states)
            return _add_same_structure(projected[:, -depth:], output), new_states

        return residual_step

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        output, new_states = self.cell(inputs, states, training=training)
        residual = self.residual_fn or _add_same_structure
        return residual(inputs, output), new_states

    def get_config(self) -> dict:
        function = self.residual_fn
        return {
            **self._base_config(),
            "residual_fn": None if function is None else keras.saving.serialize_keras_object(function),
        }

    @classmethod
    def from_config(cls, config: dict) -> "ResidualWrapper":
        config = dict(config)
        if config.get("residual_fn") is not None:
            config["residual_fn"] = keras.saving.deserialize_keras_object(config["residual_fn"])
        return super().from_config(config)


@register
class DeviceWrapper(_Wrapper):
    """TF1 ``DeviceWrapper(cell, device)``: the cell's ops and variables on ``device``."""

    def __init__(self, cell: Any, device: str, **kwargs: Any):
        super().__init__(cell, **kwargs)
        self.device = device

    def build(self, input_shape: Any) -> None:
        with tf.device(self.device):
            super().build(input_shape)

    def make_input_projection(self) -> Callable:
        with tf.device(self.device):
            project = self.cell.make_input_projection()

        def on_device(inputs: tf.Tensor) -> tf.Tensor:
            with tf.device(self.device):
                return project(inputs)

        return on_device

    def make_recurrent_step(self) -> Callable:
        with tf.device(self.device):
            step = self.cell.make_recurrent_step()

        def on_device(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            with tf.device(self.device):
                return step(projected, states)

        return on_device

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        with tf.device(self.device):
            return self.cell(inputs, states, training=training)

    def get_config(self) -> dict:
        return {**self._base_config(), "device": self.device}
