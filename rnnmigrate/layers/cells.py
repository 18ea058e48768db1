"""Keras 3 cells that take TF1's ``tf.nn.rnn_cell`` constructor arguments.

Each cell is (a subclass of) the Keras cell with the same math, so its weights
are ordinary Keras weights.  Two extra methods split a step so that
``DynamicRNN`` can schedule its parts, with the weights read (and sliced) once,
outside the loop:

* ``make_input_projection()``: ``project(x) = x @ kernel + bias``, which does
  not depend on the state;
* ``make_recurrent_step()``: ``step(projected_x, states) -> (output, states)``.

``call`` is ``step(project(x), states)``, so the cells also work unchanged
inside ``keras.layers.RNN``.  DynamicRNN's loop runs several steps per
iteration; the input projections are off the recurrent chain there, so they
overlap with it.  ``project_unrolled_steps_together`` (LSTM, basic RNN)
projects the inputs of all steps of an iteration in one matmul; for the GRU one
matmul per step was measured faster.
(Projecting every time step before the loop, or TF1's per-step
``concat([x, h]) @ W``, were both measured slower on CPU; bench/bench_layers.py.)

``output_is_first_state``: the step's output is ``states[0]`` (h), which lets
``DynamicRNN`` skip recording it twice.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.states import LSTMStateTuple, to_tf1_state, zero_keras_state

_SERIALIZATION_PACKAGE = "rnnmigrate"


def register(cls: type) -> type:
    """Register a class for ``.keras`` serialization under the package name."""
    return keras.saving.register_keras_serializable(package=_SERIALIZATION_PACKAGE)(cls)


def _tf_activation_names() -> dict[int, str]:
    """TF functions that TF1 code passes as ``activation``, by Keras name."""
    candidates = {
        "tanh": [tf.tanh, tf.nn.tanh, tf.math.tanh],
        "sigmoid": [tf.sigmoid, tf.nn.sigmoid, tf.math.sigmoid],
        "relu": [tf.nn.relu],
        "relu6": [tf.nn.relu6],
        "elu": [tf.nn.elu],
        "selu": [tf.nn.selu],
        "softplus": [tf.nn.softplus, tf.math.softplus],
        "softsign": [tf.nn.softsign, tf.math.softsign],
        "linear": [tf.identity],
    }
    return {id(fn): name for name, fns in candidates.items() for fn in fns}


_TF_ACTIVATION_NAMES = _tf_activation_names()


def keras_activation(activation: Any, default: str = "tanh") -> Any:
    """TF1 ``activation`` argument -> a Keras activation (a name when one exists).

    A name keeps the cell serializable; an unknown callable is used as given.
    """
    if activation is None:
        return default
    if isinstance(activation, str):
        return activation
    return _TF_ACTIVATION_NAMES.get(id(activation), activation)


def keras_dtype(dtype: Any) -> Any:
    """TF1 ``dtype=tf.float32`` -> Keras's ``"float32"``; Keras policies pass through."""
    if isinstance(dtype, tf.DType):
        return dtype.name
    return dtype


def serializable_initializer(initializer: Any) -> Any:
    """The part of an initializer argument that a ``.keras`` config can hold.

    TF1 initializer objects are not Keras-serializable; they only shape fresh
    weights, and the saved file stores the trained weights anyway, so they are
    left out of the config.
    """
    if initializer is None or isinstance(initializer, (str, dict)):
        return initializer
    if isinstance(initializer, keras.initializers.Initializer):
        return keras.initializers.serialize(initializer)
    return None


def cell_from_config(value: Any) -> Any:
    """The cell for ``from_config``: deserialized from a dict, or a fresh copy of a live cell.

    ``get_config`` holds the cell object itself rather than its serialized dict:
    Keras serializes config values on its own, and only then is a cell shared by
    two layers saved as one object (a pre-serialized dict gets copied and loses
    Keras's shared-object marker, and loading then fails).  A live cell (from
    ``from_config(layer.get_config())``, e.g. ``clone_model``) is copied so the
    clone gets its own weights.
    """
    if not isinstance(value, dict):
        value = keras.saving.serialize_keras_object(value)
    return keras.saving.deserialize_keras_object(value)


def _require_tuple_state(state_is_tuple: bool) -> None:
    if not state_is_tuple:
        raise NotImplementedError(
            "state_is_tuple=False (the LSTM state as one concatenated tensor) is not "
            "supported; use the default state_is_tuple=True and read state.c / state.h."
        )


@register
class PerGateConstant(keras.initializers.Initializer):
    """A bias initializer with one constant per gate block.

    TF1 added ``forget_bias`` at every step and started GRU gate biases at 1.0;
    here those constants live in the bias itself, so fresh cells train like TF1.
    """

    def __init__(self, gate_values: list[float]):
        self.gate_values = [float(value) for value in gate_values]

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        block = shape[-1] // len(self.gate_values)
        blocks = [tf.fill([block], value) for value in self.gate_values]
        return tf.cast(tf.concat(blocks, axis=0), dtype or "float32")

    def get_config(self) -> dict:
        return {"gate_values": self.gate_values}


def dense(inputs: tf.Tensor, kernel: tf.Tensor, bias: Any) -> tf.Tensor:
    outputs = tf.matmul(inputs, kernel)
    return outputs if bias is None else tf.nn.bias_add(outputs, bias)


def _read(variable: Any) -> Any:
    return None if variable is None else tf.convert_to_tensor(variable)


class TF1CellMixin:
    """What every runtime cell adds to its Keras base: TF1 naming and ``zero_state``."""

    default_tf1_scope_name = ""

    def _init_tf1(self, name: str | None, tf1_scope_name: str | None) -> None:
        self.tf1_scope_name = tf1_scope_name or name or self.default_tf1_scope_name

    def zero_state(self, batch_size: Any, dtype: Any = "float32") -> Any:
        """TF1's ``cell.zero_state(batch_size, dtype)``: zeros in TF1's structure."""
        return to_tf1_state(self, zero_keras_state(self, batch_size, tf.as_dtype(keras_dtype(dtype))))

    def _base_config(self) -> dict:
        config = keras.layers.Layer.get_config(self)
        config["tf1_scope_name"] = self.tf1_scope_name
        return config


class SplitStepMixin(TF1CellMixin):
    """A single (non-stacked) cell whose step splits into input projection and recurrent step.

    Each cell class defines ``make_recurrent_step()``.
    """

    output_is_first_state = True
    project_unrolled_steps_together = False

    @property
    def has_fast_path(self) -> bool:
        """False when Keras's own ``dropout``/``recurrent_dropout`` are in use."""
        return not (getattr(self, "dropout", 0.0) or getattr(self, "recurrent_dropout", 0.0))

    def make_input_projection(self) -> Callable:
        kernel, bias = _read(self.kernel), _read(self.bias)
        return lambda inputs: dense(inputs, kernel, bias)

    def step_once(self, inputs: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
        """One whole step on Keras-ordered ``states``."""
        return self.make_recurrent_step()(self.make_input_projection()(inputs), states)


class SingleStateMixin(SplitStepMixin):
    """A split-step cell whose state is its output ``h`` (basic RNN, GRU)."""

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        if not self.has_fast_path:
            return super().call(inputs, states, training=training)
        nested = isinstance(states, (list, tuple))
        h, new_states = self.step_once(inputs, list(states) if nested else [states])
        return h, (new_states if nested else h)


@register
class BasicRNNCell(SingleStateMixin, keras.layers.SimpleRNNCell):
    """TF1 ``BasicRNNCell``: ``h = activation(x K + h R + b)``; state is ``h``."""

    default_tf1_scope_name = "basic_rnn_cell"
    project_unrolled_steps_together = True

    def __init__(
        self,
        num_units: int,
        activation: Any = None,
        reuse: Any = None,
        name: str | None = None,
        dtype: Any = None,
        tf1_scope_name: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(
            units=num_units,
            activation=keras_activation(activation),
            name=name,
            dtype=keras_dtype(dtype),
            **kwargs,
        )
        self._init_tf1(name, tf1_scope_name)

    def make_recurrent_step(self) -> Callable:
        recurrent_kernel, activation = _read(self.recurrent_kernel), self.activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h = activation(projected + tf.matmul(states[0], recurrent_kernel))
            return h, [h]

        return step

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "activation": keras.activations.serialize(self.activation),
        }


class _LSTMBase(SplitStepMixin, keras.layers.LSTMCell):
    """Shared math of TF1's BasicLSTMCell and plain LSTMCell (Keras gate order i, f, c, o)."""

    project_unrolled_steps_together = True

    def _init_lstm(
        self,
        num_units: int,
        forget_bias: float,
        state_is_tuple: bool,
        activation: Any,
        name: str | None,
        dtype: Any,
        tf1_scope_name: str | None,
        kernel_initializer: Any = None,
        **kwargs: Any,
    ) -> None:
        _require_tuple_state(state_is_tuple)
        kernel_initializer = kernel_initializer if kernel_initializer is not None else "glorot_uniform"
        keras.layers.LSTMCell.__init__(
            self,
            units=num_units,
            activation=keras_activation(activation),
            unit_forget_bias=False,
            bias_initializer=PerGateConstant([0.0, forget_bias, 0.0, 0.0]),
            kernel_initializer=kernel_initializer,
            recurrent_initializer=kernel_initializer if kernel_initializer != "glorot_uniform" else "orthogonal",
            name=name,
            dtype=keras_dtype(dtype),
            **kwargs,
        )
        self.forget_bias = float(forget_bias)
        self._init_tf1(name, tf1_scope_name)

    def make_recurrent_step(self) -> Callable:
        recurrent_kernel = _read(self.recurrent_kernel)
        sigmoid, activation = self.recurrent_activation, self.activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h_prev, c_prev = states
            z_i, z_f, z_c, z_o = tf.split(projected + tf.matmul(h_prev, recurrent_kernel), 4, axis=1)
            c = sigmoid(z_f) * c_prev + sigmoid(z_i) * activation(z_c)
            h = sigmoid(z_o) * activation(c)
            return h, [h, c]

        return step

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        """One step; ``states`` is Keras's ``[h, c]`` or TF1's ``LSTMStateTuple(c, h)``.

        A TF1 state comes back as a TF1 state, so hand-written TF1 loops
        (``output, state = cell(x, state)``) keep their meaning.
        """
        tf1_style = isinstance(states, LSTMStateTuple)
        keras_states = [states.h, states.c] if tf1_style else list(states)
        if self.has_fast_path:
            output, new_states = self.step_once(inputs, keras_states)
        else:
            output, new_states = super().call(inputs, keras_states, training=training)
        if tf1_style:
            return output, LSTMStateTuple(c=new_states[1], h=new_states[0])
        return output, new_states


@register
class BasicLSTMCell(_LSTMBase):
    """TF1 ``BasicLSTMCell``; ``forget_bias`` lives in the bias (fresh cells start there)."""

    default_tf1_scope_name = "basic_lstm_cell"

    def __init__(
        self,
        num_units: int,
        forget_bias: float = 1.0,
        state_is_tuple: bool = True,
        activation: Any = None,
        reuse: Any = None,
        name: str | None = None,
        dtype: Any = None,
        tf1_scope_name: str | None = None,
        **kwargs: Any,
    ):
        self._init_lstm(num_units, forget_bias, state_is_tuple, activation, name, dtype, tf1_scope_name, **kwargs)

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "forget_bias": self.forget_bias,
            "activation": keras.activations.serialize(self.activation),
        }


_TF1_FORMULA_ARGUMENTS = ("use_peepholes", "cell_clip", "num_proj", "proj_clip")


@register
class LSTMCell(_LSTMBase):
    """TF1 ``LSTMCell``.

    Without peepholes, projection or clipping this is Keras's LSTMCell.  With
    any of them, construction returns a ``CompatLSTMCell`` (a subclass) that
    runs TF1's formulas, because Keras has no such cell.
    ``num_unit_shards``/``num_proj_shards`` only partitioned TF1's variables and
    are accepted for that reason.
    """

    default_tf1_scope_name = "lstm_cell"

    def __new__(cls, *args: Any, **kwargs: Any) -> "LSTMCell":
        if cls is LSTMCell and _needs_tf1_formulas(args, kwargs):
            from rnnmigrate.layers.compat_lstm import CompatLSTMCell  # compat_lstm imports this module

            cls = CompatLSTMCell
        return super().__new__(cls, *args, **kwargs)

    def __init__(
        self,
        num_units: int,
        use_peepholes: bool = False,
        cell_clip: float | None = None,
        initializer: Any = None,
        num_proj: int | None = None,
        proj_clip: float | None = None,
        num_unit_shards: int | None = None,
        num_proj_shards: int | None = None,
        forget_bias: float = 1.0,
        state_is_tuple: bool = True,
        activation: Any = None,
        reuse: Any = None,
        name: str | None = None,
        dtype: Any = None,
        tf1_scope_name: str | None = None,
        **kwargs: Any,
    ):
        self.use_peepholes = bool(use_peepholes)
        self.cell_clip = cell_clip
        self.num_proj = num_proj
        self.proj_clip = proj_clip
        self.initializer = initializer
        self._init_lstm(
            num_units,
            forget_bias,
            state_is_tuple,
            activation,
            name,
            dtype,
            tf1_scope_name,
            kernel_initializer=keras.initializers.get(initializer) if initializer is not None else None,
            **kwargs,
        )

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "use_peepholes": self.use_peepholes,
            "cell_clip": self.cell_clip,
            "initializer": serializable_initializer(self.initializer),
            "num_proj": self.num_proj,
            "proj_clip": self.proj_clip,
            "forget_bias": self.forget_bias,
            "activation": keras.activations.serialize(self.activation),
        }


def _needs_tf1_formulas(args: tuple, kwargs: dict) -> bool:
    """Whether LSTMCell(*args, **kwargs) asks for peepholes, projection or clipping."""
    try:
        bound = inspect.signature(LSTMCell.__init__).bind(None, *args, **kwargs)
    except TypeError:
        return False
    chosen = bound.arguments
    return bool(chosen.get("use_peepholes")) or any(
        chosen.get(name) is not None for name in _TF1_FORMULA_ARGUMENTS[1:]
    )


@register
class GRUCell(SingleStateMixin, keras.layers.GRUCell):
    """TF1 ``GRUCell``: Keras's GRUCell with ``reset_after=False`` (reset before the matmul).

    Fresh gate biases start at 1.0 and the candidate bias at 0.0, as in TF1.
    """

    default_tf1_scope_name = "gru_cell"

    def __init__(
        self,
        num_units: int,
        activation: Any = None,
        reuse: Any = None,
        kernel_initializer: Any = None,
        bias_initializer: Any = None,
        name: str | None = None,
        dtype: Any = None,
        tf1_scope_name: str | None = None,
        **kwargs: Any,
    ):
        kwargs.pop("reset_after", None)
        super().__init__(
            units=num_units,
            activation=keras_activation(activation),
            reset_after=False,
            kernel_initializer=kernel_initializer if kernel_initializer is not None else "glorot_uniform",
            recurrent_initializer=kernel_initializer if kernel_initializer is not None else "orthogonal",
            bias_initializer=bias_initializer if bias_initializer is not None else PerGateConstant([1.0, 1.0, 0.0]),
            name=name,
            dtype=keras_dtype(dtype),
            **kwargs,
        )
        self.tf1_kernel_initializer = kernel_initializer
        self.tf1_bias_initializer = bias_initializer
        self._init_tf1(name, tf1_scope_name)

    def make_recurrent_step(self) -> Callable:
        """Reset before the matmul: gates from ``h``, candidate from ``r * h``."""
        gates = 2 * self.units
        recurrent_kernel = _read(self.recurrent_kernel)
        recurrent_gates_kernel, recurrent_candidate_kernel = recurrent_kernel[:, :gates], recurrent_kernel[:, gates:]
        sigmoid, activation = self.recurrent_activation, self.activation

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h_prev = states[0]
            z, r = tf.split(sigmoid(projected[:, :gates] + tf.matmul(h_prev, recurrent_gates_kernel)), 2, axis=1)
            candidate = activation(projected[:, gates:] + tf.matmul(r * h_prev, recurrent_candidate_kernel))
            h = z * h_prev + (1 - z) * candidate
            return h, [h]

        return step

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": serializable_initializer(self.tf1_kernel_initializer),
            "bias_initializer": serializable_initializer(self.tf1_bias_initializer),
        }


@register
class MultiRNNCell(TF1CellMixin, keras.layers.StackedRNNCells):
    """TF1 ``MultiRNNCell``: Keras's StackedRNNCells; state is a tuple with one entry per cell."""

    default_tf1_scope_name = "multi_rnn_cell"

    def __init__(self, cells: list, state_is_tuple: bool = True, **kwargs: Any):
        _require_tuple_state(state_is_tuple)
        tf1_scope_name = kwargs.pop("tf1_scope_name", None)
        super().__init__(list(cells), **kwargs)
        self._init_tf1(None, tf1_scope_name)

    def call(self, inputs: Any, states: Any, training: bool = False, **kwargs: Any) -> Any:
        """One step through every cell; a TF1 tuple state comes back as a TF1 tuple."""
        new_states = []
        for cell, cell_state in zip(self.cells, states):
            inputs, cell_state = cell(inputs, cell_state, training=training)
            new_states.append(cell_state)
        return inputs, (tuple(new_states) if isinstance(states, tuple) else new_states)

    def get_config(self) -> dict:
        return {**keras.layers.Layer.get_config(self), "cells": list(self.cells), "tf1_scope_name": self.tf1_scope_name}

    @classmethod
    def from_config(cls, config: dict) -> "MultiRNNCell":
        config = dict(config)
        config["cells"] = [cell_from_config(cell) for cell in config["cells"]]
        return cls(**config)

