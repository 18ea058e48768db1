"""LayerNormBasicLSTMCell and NASCell in float64 NumPy, written from the TF 1.15 sources.

Independent of TensorFlow: the layer norm is the textbook ``(x - mean) / sqrt(var + 1e-12) * gamma
+ beta`` (population variance over the units, as ``tf.nn.moments``), and ``dynamic_rnn`` is a plain
loop that zeroes outputs at ``t >= length`` and keeps each row's state from its last valid step.
Weights are ``{name: array}`` by the TF1 names below the cell's scope (``kernel``, ``input/gamma``...).
"""

from __future__ import annotations

import numpy as np

EPSILON = 1e-12


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(variance + EPSILON) * gamma + beta


def layer_norm_lstm_step(weights: dict, x, c, h, forget_bias=1.0, layer_norm_on=True, activation=np.tanh,
                         skip_norm=()):
    """One step; returns (output, c, h)."""
    z = np.concatenate([x, h], axis=1) @ weights["kernel"]
    if not layer_norm_on:
        z = z + weights["bias"]
    i, j, f, o = np.split(z, 4, axis=1)

    def norm(values, scope):
        if not layer_norm_on or scope in skip_norm:
            return values
        return layer_norm(values, weights[f"{scope}/gamma"], weights[f"{scope}/beta"])

    i, j, f, o = norm(i, "input"), norm(j, "transform"), norm(f, "forget"), norm(o, "output")
    new_c = norm(c * sigmoid(f + forget_bias) + sigmoid(i) * activation(j), "state")
    new_h = activation(new_c) * sigmoid(o)
    return new_h, new_c, new_h


def nas_step(weights: dict, x, c, m):
    """One step of NASCell; returns (output, c, m)."""
    xs = np.split(x @ weights["kernel"], 8, axis=1)
    recurrent = m @ weights["recurrent_kernel"]
    if "bias" in weights:
        recurrent = recurrent + weights["bias"]
    ms = np.split(recurrent, 8, axis=1)
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    l1 = [
        sigmoid(xs[0] + ms[0]), relu(xs[1] + ms[1]), sigmoid(xs[2] + ms[2]), relu(xs[3] * ms[3]),
        np.tanh(xs[4] + ms[4]), sigmoid(xs[5] + ms[5]), np.tanh(xs[6] + ms[6]), sigmoid(xs[7] + ms[7]),
    ]
    l2 = [np.tanh(l1[0] * l1[1]), np.tanh(l1[2] + l1[3]), np.tanh(l1[4] * l1[5]), sigmoid(l1[6] + l1[7])]
    new_c = np.tanh(l2[0] + c) * l2[1]
    new_m = np.tanh(new_c * np.tanh(l2[2] + l2[3]))
    if "projection_weights" in weights:
        new_m = new_m @ weights["projection_weights"]
    return new_m, new_c, new_m


def dynamic_rnn(step, inputs: np.ndarray, lengths: np.ndarray | None, c0: np.ndarray, h0: np.ndarray):
    """``tf.nn.dynamic_rnn`` over batch-major inputs: (outputs, (c, h))."""
    batch, time = inputs.shape[:2]
    lengths = np.full(batch, time) if lengths is None else np.asarray(lengths)
    c, h = c0.copy(), h0.copy()
    outputs = []
    for t in range(time):
        output, new_c, new_h = step(inputs[:, t], c, h)
        running = (t < lengths)[:, None]
        outputs.append(np.where(running, output, 0.0))
        c, h = np.where(running, new_c, c), np.where(running, new_h, h)
    return np.stack(outputs, axis=1), (c, h)
