"""TF1's ``DropoutWrapper`` as a Keras cell.

At inference (``training`` not True) it is the identity, so migrated models give
TF1's numbers exactly.  In training it follows TF1's recipe:

* input dropout on the cell's inputs, output dropout on its outputs (the state
  is not touched by output dropout), state dropout on the new state except the
  ``c`` of an LSTM state (TF1's default ``dropout_state_filter_visitor``);
* ``variational_recurrent=True``: one mask per run, reused at every step.  As in
  TF1 the mask has shape ``[1, depth]``: it is shared by every row of the batch.

When dropout runs (TF1 dropped whenever a keep probability was below 1):

| keep probability | TF1 graph + session        | Keras (eager, tf.function, models) |
|------------------|----------------------------|------------------------------------|
| number < 1       | always                     | only with ``training=True``        |
| tensor           | always (1.0 is exact)      | always (1.0 is exact)              |
| 1.0 (number)     | never                      | never                              |

Where training differs from TF1: the random numbers differ (same
distribution, different generator; ``seed`` makes Keras runs repeatable), and
TF1 drew a variational mask once per ``session.run``, shared by every
``dynamic_rnn`` using the wrapper; here each RNN call draws its own mask.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import CellWrapper, TF1Cell, build_cell, current_build_dtype
from rnnmigrate.layers.config import LAYOUT_KEY, LAYOUT_VERSION, cell_from_config, check_layout, register
from rnnmigrate.layers.states import LSTMStateTuple, from_tf1_state, to_tf1_state
from rnnmigrate.layers.protocol import require_cell
from rnnmigrate.layers.variables import in_tf1_graph

_SALT_INPUT, _SALT_STATE, _SALT_OUTPUT = 1, 2, 3


def default_dropout_state_filter_visitor(substate: Any) -> Any:
    """TF1's default: drop every state tensor except the ``c`` of an LSTM state."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


def _check_keep_prob(value: Any, argument: str) -> Any:
    """A number in (0, 1], or a tensor (checked when it runs, as TF1 did)."""
    if isinstance(value, numbers.Real):
        if not 0.0 < value <= 1.0:
            raise ValueError(f"DropoutWrapper({argument}={value}) must be in (0, 1].")
        return float(value)
    if tf.is_tensor(value) or isinstance(value, (tf.Variable, keras.Variable)):
        return value
    raise TypeError(f"DropoutWrapper({argument}=...) must be a number or a tensor; got {value!r}.")


def may_drop(keep_prob: Any) -> bool:
    """Whether dropout ops are needed: a number below 1, or any tensor."""
    return not isinstance(keep_prob, float) or keep_prob < 1.0


def keep_mask(shape: Any, keep_prob: float, seed: tf.Tensor, dtype: Any) -> tf.Tensor:
    """TF1's dropout: ``floor(keep_prob + uniform)`` scaled by ``1 / keep_prob``."""
    keep_prob = tf.cast(keep_prob, dtype)
    noise = tf.random.stateless_uniform(shape, seed=seed, dtype=dtype)
    return tf.floor(keep_prob + noise) / keep_prob


def fold_seed(seed: tf.Tensor, *salts: Any) -> tf.Tensor:
    for salt in salts:
        seed = tf.random.experimental.stateless_fold_in(seed, salt)
    return seed


@register
class DropoutWrapper(CellWrapper, keras.layers.Layer):
    """TF1 ``DropoutWrapper(cell, input_keep_prob, output_keep_prob, state_keep_prob, ...)``.

    Adds no variable scope (TF1's did not either).  ``input_size`` and ``dtype``
    were needed by TF1's variational mode and are accepted and not needed here.
    """

    def __init__(
        self,
        cell: Any,
        input_keep_prob: float = 1.0,
        output_keep_prob: float = 1.0,
        state_keep_prob: float = 1.0,
        variational_recurrent: bool = False,
        input_size: Any = None,
        dtype: Any = None,
        seed: int | None = None,
        dropout_state_filter_visitor: Callable | None = None,
        **kwargs: Any,
    ):
        require_cell(cell, "DropoutWrapper")
        super().__init__(**kwargs)
        self.cell = cell
        self.input_keep_prob = _check_keep_prob(input_keep_prob, "input_keep_prob")
        self.output_keep_prob = _check_keep_prob(output_keep_prob, "output_keep_prob")
        self.state_keep_prob = _check_keep_prob(state_keep_prob, "state_keep_prob")
        self.variational_recurrent = bool(variational_recurrent)
        self.seed = seed
        # In a TF1 graph a seed variable would join the program's Saver and break its restore; a
        # wrapper that never drops (keep 1.0 everywhere, as at inference) needs none, so a model
        # that builds it on every call can run in tf.function.
        can_drop = any(may_drop(keep) for keep in self.keep_probs)
        self.seed_generator = keras.random.SeedGenerator(seed) if can_drop and not in_tf1_graph() else None
        self.dropout_state_filter_visitor = dropout_state_filter_visitor

    is_rnnmigrate_runtime = True
    zero_state = TF1Cell.zero_state

    def build(self, input_shape: Any) -> None:
        build_cell(self.cell, input_shape[-1], current_build_dtype() or self.cell.variable_dtype)

    def tf1_variables(self) -> dict[str, Any]:
        return self.cell.tf1_variables()

    @property
    def keep_probs(self) -> tuple:
        return self.input_keep_prob, self.output_keep_prob, self.state_keep_prob

    def is_active(self, training: Any) -> bool:
        """The table in the module docstring."""
        if any(not isinstance(keep, float) for keep in self.keep_probs):
            return True
        return (bool(training) or in_tf1_graph()) and min(self.keep_probs) < 1.0

    def draw_seed(self) -> tf.Tensor:
        """A fresh seed for one RNN run; every mask of the run derives from it."""
        if self.seed_generator is None:
            return tf.random.uniform([2], maxval=2**31 - 1, dtype=tf.int32, seed=self.seed)
        return tf.cast(self.seed_generator.next(), tf.int32)

    def drop_sequence(self, values: tf.Tensor, keep_prob: float, seed: tf.Tensor, salt: int) -> tf.Tensor:
        """Input or output dropout on a whole time-major ``[time, batch, depth]`` sequence.

        Independent masks per step and row equal TF1's per-step dropout; the
        variational mask is ``[1, 1, depth]``, TF1's ``[1, depth]`` reused every step.
        """
        if not may_drop(keep_prob):
            return values
        if self.variational_recurrent:
            shape = tf.stack([1, 1, tf.shape(values)[-1]])
        else:
            shape = tf.shape(values)
        return values * keep_mask(shape, keep_prob, fold_seed(seed, salt), values.dtype)

    def state_dropout_selection(self, keras_state: Any) -> Any:
        """Booleans in the Keras state structure: which state tensors state dropout touches."""
        visitor = self.dropout_state_filter_visitor or default_dropout_state_filter_visitor
        tf1_state = to_tf1_state(self.cell, keras_state)
        selection = _expand_selection(tf.__internal__.nest.get_traverse_shallow_structure(visitor, tf1_state), tf1_state)
        return from_tf1_state(self.cell, selection)

    def state_dropout_function(self, seed: tf.Tensor, position: int, sample: tf.Tensor) -> Callable:
        """Dropout for one state tensor, as ``fn(value, step)``."""
        keep_prob = self.state_keep_prob
        seed = fold_seed(seed, _SALT_STATE, position)
        if self.variational_recurrent:
            mask = keep_mask(tf.stack([1, tf.shape(sample)[-1]]), keep_prob, seed, sample.dtype)
            return lambda value, step: value * mask
        return lambda value, step: value * keep_mask(tf.shape(value), keep_prob, fold_seed(seed, step), value.dtype)

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        """One step, for use inside ``keras.layers.RNN``; DynamicRNN does not call this."""
        if not self.is_active(training):
            return self.cell(inputs, states, training=training)
        if self.variational_recurrent:
            raise NotImplementedError(
                "variational_recurrent=True needs one mask per sequence, which a single "
                "step cannot know; run the wrapper through DynamicRNN or static_rnn."
            )
        seed = self.draw_seed()
        if may_drop(self.input_keep_prob):
            inputs = inputs * keep_mask(tf.shape(inputs), self.input_keep_prob, fold_seed(seed, _SALT_INPUT), inputs.dtype)
        output, new_states = self.cell(inputs, states, training=training)
        if may_drop(self.state_keep_prob):
            new_states = self._drop_state_step(new_states, seed)
        if may_drop(self.output_keep_prob):
            output = output * keep_mask(tf.shape(output), self.output_keep_prob, fold_seed(seed, _SALT_OUTPUT), output.dtype)
        return output, new_states

    def _drop_state_step(self, new_states: Any, seed: tf.Tensor) -> Any:
        tf1_style = not isinstance(new_states, list)
        keras_state = from_tf1_state(self.cell, new_states) if tf1_style else new_states
        selection = tf.nest.flatten(self.state_dropout_selection(keras_state))
        flat = tf.nest.flatten(keras_state)
        dropped = [
            self.state_dropout_function(seed, position, value)(value, 0) if selected else value
            for position, (selected, value) in enumerate(zip(selection, flat))
        ]
        keras_state = tf.nest.pack_sequence_as(keras_state, dropped)
        return to_tf1_state(self.cell, keras_state) if tf1_style else keras_state

    def get_config(self) -> dict:
        if any(not isinstance(keep, float) for keep in self.keep_probs):
            raise ValueError(
                "A DropoutWrapper whose keep probability is a tensor cannot be saved in a Keras "
                "config; pass the keep probability as a number (dropout then follows `training`)."
            )
        visitor = self.dropout_state_filter_visitor
        return {
            **keras.layers.Layer.get_config(self),
            "cell": self.cell,
            "input_keep_prob": self.input_keep_prob,
            "output_keep_prob": self.output_keep_prob,
            "state_keep_prob": self.state_keep_prob,
            "variational_recurrent": self.variational_recurrent,
            "seed": self.seed,
            "dropout_state_filter_visitor": None if visitor is None else keras.saving.serialize_keras_object(visitor),
            LAYOUT_KEY: LAYOUT_VERSION,
        }

    @classmethod
    def from_config(cls, config: dict) -> "DropoutWrapper":
        config = dict(config)
        check_layout(cls.__name__, config)
        config["cell"] = cell_from_config(config["cell"])
        if config.get("dropout_state_filter_visitor") is not None:
            config["dropout_state_filter_visitor"] = keras.saving.deserialize_keras_object(
                config["dropout_state_filter_visitor"]
            )
        return cls(**config)


def _expand_selection(shallow: Any, structure: Any) -> Any:
    """Spread TF1's shallow traverse structure down to one boolean per tensor."""
    if isinstance(shallow, bool):
        return tf.nest.map_structure(lambda _: shallow, structure)
    parts = [_expand_selection(flag, part) for flag, part in zip(shallow, structure)]
    return tf.nest.pack_sequence_as(structure, tf.nest.flatten(parts))
