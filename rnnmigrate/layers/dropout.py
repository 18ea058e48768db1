"""TF1's ``DropoutWrapper`` as a Keras cell.

At inference (``training`` not True) it is the identity, so migrated models give
TF1's numbers exactly.  In training it follows TF1's recipe:

* input dropout on the cell's inputs, output dropout on its outputs (the state
  is not touched by output dropout), state dropout on the new state except the
  ``c`` of an LSTM state (TF1's default ``dropout_state_filter_visitor``);
* ``variational_recurrent=True``: one mask per run, reused at every step.  As in
  TF1 the mask has shape ``[1, depth]``: it is shared by every row of the batch.

Where training differs from TF1:

* TF1 dropped whenever a keep probability was below 1, even at evaluation
  (code fed ``keep_prob=1.0`` to switch it off).  Here dropout runs only when
  the layer is called with ``training=True`` (Keras's ``fit`` does that).
* The random numbers differ (same distribution, different generator); ``seed``
  makes runs repeatable but does not reproduce TF1's masks.
* TF1 drew a variational mask once per ``session.run``, shared by every
  ``dynamic_rnn`` using the wrapper; here each RNN call draws its own mask.
* Keep probabilities must be Python numbers (TF1 also took tensors).
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import TF1CellMixin, cell_from_config, register
from rnnmigrate.layers.states import LSTMStateTuple, from_tf1_state, to_tf1_state

_SALT_INPUT, _SALT_STATE, _SALT_OUTPUT = 1, 2, 3


def default_dropout_state_filter_visitor(substate: Any) -> Any:
    """TF1's default: drop every state tensor except the ``c`` of an LSTM state."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


def _check_keep_prob(value: Any, argument: str) -> float:
    if not isinstance(value, numbers.Real):
        raise TypeError(
            f"DropoutWrapper({argument}=...) must be a Python number; got {value!r}. "
            "In Keras dropout follows the `training` flag, so pass the training-time "
            "keep probability instead of a placeholder."
        )
    if not 0.0 < value <= 1.0:
        raise ValueError(f"DropoutWrapper({argument}={value}) must be in (0, 1].")
    return float(value)


def keep_mask(shape: Any, keep_prob: float, seed: tf.Tensor, dtype: Any) -> tf.Tensor:
    """TF1's dropout: ``floor(keep_prob + uniform)`` scaled by ``1 / keep_prob``."""
    noise = tf.random.stateless_uniform(shape, seed=seed, dtype=dtype)
    return tf.floor(keep_prob + noise) / keep_prob


def fold_seed(seed: tf.Tensor, *salts: Any) -> tf.Tensor:
    for salt in salts:
        seed = tf.random.experimental.stateless_fold_in(seed, salt)
    return seed


@register
class DropoutWrapper(TF1CellMixin, keras.layers.Layer):
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
        super().__init__(**kwargs)
        self.cell = cell
        self.input_keep_prob = _check_keep_prob(input_keep_prob, "input_keep_prob")
        self.output_keep_prob = _check_keep_prob(output_keep_prob, "output_keep_prob")
        self.state_keep_prob = _check_keep_prob(state_keep_prob, "state_keep_prob")
        self.variational_recurrent = bool(variational_recurrent)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.dropout_state_filter_visitor = dropout_state_filter_visitor
        self.tf1_scope_name = ""

    @property
    def wrapped_cell(self) -> Any:
        return self.cell

    @property
    def state_size(self) -> Any:
        return self.cell.state_size

    @property
    def output_size(self) -> Any:
        return self.cell.output_size

    def build(self, input_shape: Any) -> None:
        if not self.cell.built:
            self.cell.build(input_shape)

    def is_active(self, training: Any) -> bool:
        return bool(training) and min(self.input_keep_prob, self.output_keep_prob, self.state_keep_prob) < 1.0

    def draw_seed(self) -> tf.Tensor:
        """A fresh seed for one RNN run; every mask of the run derives from it."""
        return tf.cast(self.seed_generator.next(), tf.int32)

    def drop_sequence(self, values: tf.Tensor, keep_prob: float, seed: tf.Tensor, salt: int) -> tf.Tensor:
        """Input or output dropout on a whole time-major ``[time, batch, depth]`` sequence.

        Independent masks per step and row equal TF1's per-step dropout; the
        variational mask is ``[1, 1, depth]``, TF1's ``[1, depth]`` reused every step.
        """
        if keep_prob >= 1.0:
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
        if self.input_keep_prob < 1.0:
            inputs = inputs * keep_mask(tf.shape(inputs), self.input_keep_prob, fold_seed(seed, _SALT_INPUT), inputs.dtype)
        output, new_states = self.cell(inputs, states, training=training)
        if self.state_keep_prob < 1.0:
            new_states = self._drop_state_step(new_states, seed)
        if self.output_keep_prob < 1.0:
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
        }

    @classmethod
    def from_config(cls, config: dict) -> "DropoutWrapper":
        config = dict(config)
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
