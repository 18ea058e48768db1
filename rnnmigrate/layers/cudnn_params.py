"""cuDNN's opaque RNN parameter buffer <-> its canonical tensors <-> the compatible cells' TF1 variables.

The buffer is the canonical tensors flattened end to end: every weight matrix,
then every bias, per layer and per direction (layer-major, forward first).  Per
pseudo-layer there are ``g`` input matrices ``[num_units, width]`` then ``g``
recurrent ones ``[num_units, num_units]`` (row-major, i.e. ``x @ W.T``), and
``2 g`` biases ``[num_units]`` (input set, then recurrent set).  Gates: LSTM
``i, f, c, o``; GRU ``r, z, h``; tanh/relu RNN one.  ``width`` is the input size
for the first layer, ``num_units * num_dirs`` after it.

The mapping to the cells' variables is TF 1.15's
(``CudnnParamsFormatConverter{LSTM,GRU,Basic}``, written from its source): an
LSTM ``kernel [width + u, 4u]`` in gates i, c(j), f, o and one ``bias`` (the two
sets summed); a GRU ``gates/kernel`` (r, z), ``gates/bias`` (summed),
``candidate/input_projection`` and ``candidate/hidden_projection`` (weights and
the candidate's two biases kept apart).  Going back, summed biases are split in
halves, as TF did: the sum, the only thing the math reads, is exact.

What is proven here (CPU only): the single-layer unidirectional layout equals the
buffer Keras 3 builds for ``tf.raw_ops.CudnnRNNV3`` (its cuDNN weight
standardisation), and the converted variables reproduce Keras's LSTM/GRU.  Not
proven: that a GPU's cuDNN reads the buffer that way (Keras relies on it; TF 1.x
warned the layout may change between cuDNN versions), nor the multi-layer and
bidirectional order, which follows TF's converter.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

_GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}
_CELL_NAMES = {"lstm": "cudnn_compatible_lstm_cell", "gru": "cudnn_compatible_gru_cell",
               "rnn_tanh": "basic_rnn_cell", "rnn_relu": "basic_rnn_cell"}


def _directions(direction: str) -> int:
    if direction not in ("unidirectional", "bidirectional"):
        raise ValueError(f"Invalid direction: {direction}")
    return 1 if direction == "unidirectional" else 2


def canonical_shapes(rnn_mode: str, num_layers: int, num_units: int, input_size: int,
                     direction: str = "unidirectional") -> tuple[list[tuple], list[tuple]]:
    """The canonical weight and bias shapes, in buffer order."""
    gates, dirs = _GATES[rnn_mode], _directions(direction)
    weights, biases = [], []
    for layer in range(num_layers):
        width = input_size if layer == 0 else num_units * dirs
        for _ in range(dirs):
            weights += [(num_units, width)] * gates + [(num_units, num_units)] * gates
            biases += [(num_units,)] * (2 * gates)
    return weights, biases


def opaque_to_canonical(params: np.ndarray, rnn_mode: str, num_layers: int, num_units: int, input_size: int,
                        direction: str = "unidirectional") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Split a flat cuDNN buffer into its canonical weights and biases."""
    params = np.asarray(params).reshape(-1)
    weight_shapes, bias_shapes = canonical_shapes(rnn_mode, num_layers, num_units, input_size, direction)
    sizes = [int(np.prod(shape)) for shape in weight_shapes + bias_shapes]
    if sum(sizes) != params.size:
        raise ValueError(f"the buffer holds {params.size} values; {rnn_mode} with {num_layers} layers of "
                         f"{num_units} units on inputs of {input_size} ({direction}) needs {sum(sizes)}")
    pieces = np.split(params, np.cumsum(sizes)[:-1])
    tensors = [piece.reshape(shape) for piece, shape in zip(pieces, weight_shapes + bias_shapes)]
    return tensors[: len(weight_shapes)], tensors[len(weight_shapes):]


def canonical_to_opaque(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> np.ndarray:
    """The flat buffer: every weight, then every bias."""
    return np.concatenate([np.asarray(t).reshape(-1) for t in list(weights) + list(biases)])


def _prefix(layer: int, dirs: int, forward: bool, cell_name: str) -> str:
    if dirs == 1:
        return f"rnn/multi_rnn_cell/cell_{layer}/{cell_name}"
    side = "fw" if forward else "bw"
    return f"stack_bidirectional_rnn/cell_{layer}/bidirectional_rnn/{side}/{cell_name}"


def _join(scope: str, name: str) -> str:
    return f"{scope}/{name}" if scope else name


def canonical_to_tf1(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], rnn_mode: str, num_layers: int,
                     direction: str = "unidirectional", scope: str = "") -> dict[str, np.ndarray]:
    """The compatible cells' variables, by the names ``CudnnLSTMSaveable`` & co. wrote (under ``scope``)."""
    gates, dirs = _GATES[rnn_mode], _directions(direction)
    variables: dict[str, np.ndarray] = {}
    for pseudo in range(num_layers * dirs):
        w = weights[pseudo * 2 * gates:(pseudo + 1) * 2 * gates]
        b = biases[pseudo * 2 * gates:(pseudo + 1) * 2 * gates]
        prefix = _join(scope, _prefix(pseudo // dirs, dirs, pseudo % dirs == 0, _CELL_NAMES[rnn_mode]))
        variables.update({f"{prefix}/{name}": value for name, value in _to_cell(rnn_mode, gates, w, b).items()})
    return variables


def _to_cell(rnn_mode: str, gates: int, w: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    stitched = [np.concatenate([w[g], w[gates + g]], axis=1) for g in range(gates)]  # [u, width + u] per gate
    summed = [b[g] + b[gates + g] for g in range(gates)]
    if rnn_mode == "lstm":
        i, f, c, o = range(4)
        order = (i, c, f, o)
        return {"kernel": np.concatenate([stitched[g] for g in order], axis=0).T,
                "bias": np.concatenate([summed[g] for g in order])}
    if rnn_mode == "gru":
        return {
            "gates/kernel": np.concatenate(stitched[:2], axis=0).T,
            "gates/bias": np.concatenate(summed[:2]),
            "candidate/input_projection/kernel": w[2].T,
            "candidate/hidden_projection/kernel": w[5].T,
            "candidate/input_projection/bias": b[2],
            "candidate/hidden_projection/bias": b[5],
        }
    return {"kernel": stitched[0].T, "bias": summed[0]}


def tf1_to_canonical(variables: dict[str, np.ndarray], rnn_mode: str, num_layers: int, num_units: int,
                     input_size: int, direction: str = "unidirectional",
                     scope: str = "") -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The inverse of ``canonical_to_tf1``; summed biases come back as two halves (TF 1.15's choice)."""
    gates, dirs = _GATES[rnn_mode], _directions(direction)
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    for pseudo in range(num_layers * dirs):
        layer = pseudo // dirs
        width = input_size if layer == 0 else num_units * dirs
        prefix = _join(scope, _prefix(layer, dirs, pseudo % dirs == 0, _CELL_NAMES[rnn_mode]))
        cell = {name[len(prefix) + 1:]: np.asarray(value) for name, value in variables.items()
                if name.startswith(prefix + "/")}
        w, b = _from_cell(rnn_mode, gates, cell, width)
        weights += w
        biases += b
    return weights, biases


def _from_cell(rnn_mode: str, gates: int, cell: dict, width: int) -> tuple[list, list]:
    if rnn_mode == "gru":
        stitched = np.split(cell["gates/kernel"].T, 2, axis=0)
        halves = np.split(cell["gates/bias"] * 0.5, 2)
        w = [s[:, :width] for s in stitched] + [cell["candidate/input_projection/kernel"].T]
        w += [s[:, width:] for s in stitched] + [cell["candidate/hidden_projection/kernel"].T]
        b = halves + [cell["candidate/input_projection/bias"]] + halves + [cell["candidate/hidden_projection/bias"]]
        return w, b
    blocks = np.split(cell["kernel"].T, gates, axis=0)
    bias_blocks = np.split(cell["bias"] * 0.5, gates)
    if rnn_mode == "lstm":
        i, c, f, o = range(4)
        blocks = [blocks[g] for g in (i, f, c, o)]
        bias_blocks = [bias_blocks[g] for g in (i, f, c, o)]
    w = [block[:, :width] for block in blocks] + [block[:, width:] for block in blocks]
    return w, bias_blocks + bias_blocks


def opaque_to_tf1_variables(params: np.ndarray, rnn_mode: str, num_layers: int, num_units: int, input_size: int,
                            direction: str = "unidirectional", scope: str = "") -> dict[str, np.ndarray]:
    """A flat cuDNN buffer as the compatible cells' variables (load them with ``load_tf1_weights``)."""
    weights, biases = opaque_to_canonical(params, rnn_mode, num_layers, num_units, input_size, direction)
    return canonical_to_tf1(weights, biases, rnn_mode, num_layers, direction, scope)
