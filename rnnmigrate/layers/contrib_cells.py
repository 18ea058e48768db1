"""``tf.contrib.rnn``'s ``LayerNormBasicLSTMCell`` and ``NASCell``: TF1's variables and math.

Written from the TF 1.15 sources (``tensorflow/contrib/rnn/python/ops/rnn_cell.py`` and
``contrib.layers.layer_norm``); no TF kernel of theirs survives, so the math is spelled out.

LayerNormBasicLSTMCell (gate columns i, j, f, o of ``kernel [input + units, 4u]``; ``bias [4u]``
exists only with ``layer_norm=False``; ``<gate>/gamma`` and ``<gate>/beta`` [u] for the scopes
``input``, ``transform``, ``forget``, ``output`` and ``state`` only with ``layer_norm=True``)::

    i, j, f, o = split([x, h] @ kernel (+ bias), 4);  i, j, f, o = LN_input(i), LN_transform(j), ...
    g = dropout(act(j), dropout_keep_prob)                      # recurrent dropout on the candidate
    c = LN_state(c_prev * sigmoid(f + forget_bias) + sigmoid(i) * g)
    h = act(c) * sigmoid(o)
    LN(x) = batch_normalization(x, mean, variance, beta, gamma, 1e-12)   # moments over the units

NASCell (``kernel [input, 8u]``, ``recurrent_kernel [p, 8u]``, ``bias [8u]`` added to the
recurrent part only, with ``use_biases``; ``projection_weights [u, p]`` with ``num_proj``)::

    x_k, m_k = split(x @ kernel, 8), split(m_prev @ recurrent_kernel + bias, 8)
    l0..l7 = sig(x0+m0), relu(x1+m1), sig(x2+m2), relu(x3*m3), tanh(x4+m4), sig(x5+m5), tanh(x6+m6), sig(x7+m7)
    c = tanh(tanh(l0*l1) + c_prev) * tanh(l2+l3)
    m = tanh(c * tanh(tanh(l4*l5) + sig(l6+l7)));  m = m @ projection_weights

Both carry ``LSTMStateTuple(c, h)`` (Keras order ``[h, c]`` inside).  When the recurrent
dropout runs follows ``DropoutWrapper``'s table (``dropout``): a number below 1 always in a
TF1 graph and with ``training=True`` in Keras, a tensor always.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import SplitStepCell, dense
from rnnmigrate.layers.config import keras_activation, register
from rnnmigrate.layers.states import LSTMStateTuple, ProjectedLSTMSizes
from rnnmigrate.layers.variables import in_tf1_graph

NORMALIZED_GATES = ("input", "transform", "forget", "output")
STATE_NORM = "state"


def layer_norm(values: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) -> tf.Tensor:
    """``contrib.layers.layer_norm`` on ``[batch, units]``: TF1's epsilon and the ops of its
    ``nn.moments`` + ``nn.batch_normalization``, spelled out (their wrappers' extra ops made the
    training graph through the time loop markedly slower to build)."""
    statistics = tf.cast(values, tf.float32) if values.dtype == tf.float16 else values
    mean = tf.reduce_mean(statistics, axis=1, keepdims=True)
    variance = tf.reduce_mean(tf.math.squared_difference(statistics, tf.stop_gradient(mean)), axis=1, keepdims=True)
    if values.dtype == tf.float16:
        mean, variance = tf.cast(mean, values.dtype), tf.cast(variance, values.dtype)
    epsilon = 1e-3 if values.dtype == tf.float16 else 1e-12
    scale = tf.math.rsqrt(variance + epsilon) * gamma
    return values * scale + (beta - mean * scale)


def _keep_prob(value: Any) -> Any:
    if isinstance(value, numbers.Real):
        return float(value)
    if tf.is_tensor(value) or isinstance(value, (tf.Variable, keras.Variable)):
        return value
    raise TypeError(f"LayerNormBasicLSTMCell(dropout_keep_prob=...) must be a number or a tensor; got {value!r}.")


class _TF1StateCell(SplitStepCell):
    """An LSTM-shaped state, and a step that knows whether it trains (for dropout)."""

    state_is_lstm_tuple = True
    project_unrolled_steps_together = True
    recurrent_step_takes_training = True

    def step_once(self, inputs: tf.Tensor, states: list, training: bool = False) -> tuple[tf.Tensor, list]:
        inputs = tf.cast(inputs, self.compute_dtype)
        return self.make_recurrent_step(training)(self.make_input_projection()(inputs), states)

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        if isinstance(states, LSTMStateTuple):
            output, new_states = self.step_once(inputs, [states.h, states.c], training)
            return output, LSTMStateTuple(c=new_states[1], h=new_states[0])
        output, new_states = self.step_once(inputs, list(states), training)
        return output, new_states


@register
class LayerNormBasicLSTMCell(_TF1StateCell):
    """TF1 ``tf.contrib.rnn.LayerNormBasicLSTMCell``; ``input_size`` and ``reuse`` are accepted and unused."""

    default_tf1_scope_name = "layer_norm_basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, input_size: Any = None, activation: Any = None,
                 layer_norm: bool = True, norm_gain: float = 1.0, norm_shift: float = 0.0,
                 dropout_keep_prob: Any = 1.0, dropout_prob_seed: int | None = None, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = int(num_units)
        self.forget_bias = float(forget_bias)
        self.activation = keras.activations.get(keras_activation(activation))
        self.layer_norm = bool(layer_norm)
        self.norm_gain = float(norm_gain)
        self.norm_shift = float(norm_shift)
        self.dropout_keep_prob = _keep_prob(dropout_keep_prob)
        self.dropout_prob_seed = dropout_prob_seed

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(c=self.units, h=self.units)

    def create_variables(self, depth: int, dtype: Any) -> None:
        units = self.units
        self.add_tf1_variable("kernel", (depth + units, 4 * units))
        if not self.layer_norm:
            self.add_tf1_variable("bias", (4 * units,))
            return
        for scope in (*NORMALIZED_GATES, STATE_NORM):
            self.add_tf1_variable(f"{scope}/gamma", (units,), tf.compat.v1.constant_initializer(self.norm_gain))
            self.add_tf1_variable(f"{scope}/beta", (units,), tf.compat.v1.constant_initializer(self.norm_shift))

    def projection_bias(self) -> tf.Tensor | None:
        return None if self.layer_norm else self.weight("bias")

    def active_keep_prob(self, training: Any) -> Any:
        """The keep probability when recurrent dropout runs now, else None (``DropoutWrapper``'s table)."""
        keep = self.dropout_keep_prob
        if not isinstance(keep, float):
            return keep
        return keep if keep < 1.0 and (bool(training) or in_tf1_graph()) else None

    def make_recurrent_step(self, training: Any = False) -> Callable:
        _, recurrent_kernel = self.split_kernel("kernel")
        activation, forget_bias, seed = self.activation, self.forget_bias, self.dropout_prob_seed
        norms = None
        if self.layer_norm:
            scopes = (*NORMALIZED_GATES, STATE_NORM)
            norms = [(self.weight(f"{scope}/gamma"), self.weight(f"{scope}/beta")) for scope in scopes]
        keep = self.active_keep_prob(training)

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            h_prev, c_prev = states
            gates = tf.split(projected + tf.matmul(h_prev, recurrent_kernel), 4, axis=1)
            if norms is not None:
                gates = [layer_norm(gate, *norm) for gate, norm in zip(gates, norms)]
            i, j, f, o = gates
            g = activation(j)
            if keep is not None:
                g = tf.nn.dropout(g, rate=1.0 - tf.cast(keep, g.dtype), seed=seed)
            c = c_prev * tf.sigmoid(f + forget_bias) + tf.sigmoid(i) * g
            if norms is not None:
                c = layer_norm(c, *norms[-1])
            h = activation(c) * tf.sigmoid(o)
            return h, [h, c]

        return step

    def get_config(self) -> dict:
        if not isinstance(self.dropout_keep_prob, float):
            raise ValueError(
                "A LayerNormBasicLSTMCell whose dropout_keep_prob is a tensor cannot be saved in a Keras "
                "config; pass it as a number (dropout then follows `training`)."
            )
        return {
            **self._base_config(),
            "num_units": self.units,
            "forget_bias": self.forget_bias,
            "activation": keras.activations.serialize(self.activation),
            "layer_norm": self.layer_norm,
            "norm_gain": self.norm_gain,
            "norm_shift": self.norm_shift,
            "dropout_keep_prob": self.dropout_keep_prob,
            "dropout_prob_seed": self.dropout_prob_seed,
        }


@register
class NASCell(ProjectedLSTMSizes, _TF1StateCell):
    """TF1 ``tf.contrib.rnn.NASCell`` (Zoph & Le's searched cell); ``reuse`` is accepted and unused."""

    default_tf1_scope_name = "nas_cell"
    recurrent_step_takes_training = False

    def __init__(self, num_units: int, num_proj: int | None = None, use_biases: bool = False, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = int(num_units)
        self.num_proj = None if num_proj is None else int(num_proj)
        self.use_biases = bool(use_biases)

    def recurrent_depth(self) -> int:
        """Rows of ``kernel`` that multiply the state: none (they are ``recurrent_kernel``)."""
        return 0

    def create_variables(self, depth: int, dtype: Any) -> None:
        gates = 8 * self.units
        self.add_tf1_variable("recurrent_kernel", (self.output_units, gates))
        self.add_tf1_variable("kernel", (depth, gates))
        if self.use_biases:
            self.add_tf1_variable("bias", (gates,), tf.compat.v1.zeros_initializer())
        if self.num_proj is not None:
            self.add_tf1_variable("projection_weights", (self.units, self.num_proj))

    def make_input_projection(self) -> Callable:
        kernel = self.weight("kernel")
        return lambda inputs: tf.matmul(inputs, kernel)

    def make_recurrent_step(self, training: Any = False) -> Callable:
        recurrent_kernel = self.weight("recurrent_kernel")
        bias = self.weight("bias") if self.use_biases else None
        projection = self.weight("projection_weights") if self.num_proj is not None else None
        sigmoid, tanh, relu = tf.sigmoid, tf.tanh, tf.nn.relu

        def step(projected: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
            m_prev, c_prev = states
            x = tf.split(projected, 8, axis=1)
            m = tf.split(dense(m_prev, recurrent_kernel, bias), 8, axis=1)
            layer1 = (
                sigmoid(x[0] + m[0]), relu(x[1] + m[1]), sigmoid(x[2] + m[2]), relu(x[3] * m[3]),
                tanh(x[4] + m[4]), sigmoid(x[5] + m[5]), tanh(x[6] + m[6]), sigmoid(x[7] + m[7]),
            )
            injected = tanh(tanh(layer1[0] * layer1[1]) + c_prev)
            c = injected * tanh(layer1[2] + layer1[3])
            new_m = tanh(c * tanh(tanh(layer1[4] * layer1[5]) + sigmoid(layer1[6] + layer1[7])))
            if projection is not None:
                new_m = tf.matmul(new_m, projection)
            return new_m, [new_m, c]

        return step

    def get_config(self) -> dict:
        config = {"num_units": self.units, "num_proj": self.num_proj, "use_biases": self.use_biases}
        return {**self._base_config(), **config}
