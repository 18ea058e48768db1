"""Keras 2 ``CuDNNLSTM`` / ``CuDNNGRU`` weights (``.h5``) as Keras 3 ``LSTM`` / ``GRU(reset_after=True)`` weights.

Keras 2 stored a cuDNN layer's weights as ``kernel [d, g*u]``, ``recurrent_kernel
[u, g*u]`` and ``bias [2*g*u]`` (cuDNN's input biases, then its recurrent ones),
gates in Keras's order (i, f, c, o; z, r, h).  Each gate's input block holds
cuDNN's ``[u, d]`` matrix flattened row by row and read back as ``[d, u]``; each
recurrent block is cuDNN's matrix as it is (``h @ R.T`` in cuDNN is ``h @ R`` read
transposed).  So per gate: ``kernel = block.reshape(u, d).T``, ``recurrent =
block.T``; the LSTM's two bias sets are summed (Keras's LSTM has one), the GRU's
become the two rows of Keras's ``[2, 3u]`` bias.  That is what tf-keras's legacy
HDF5 loader does when it loads such weights into an ``LSTM`` / ``GRU``
(``_convert_rnn_weights``), the tests' oracle; this module is written from the
layout, not from that code.  Tooling, not runtime: it needs h5py (which Keras installs) and
no TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _gate_blocks(array: np.ndarray, gates: int) -> list[np.ndarray]:
    return np.split(np.asarray(array), gates, axis=1)


def convert_cudnn_weights(kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[str, list]:
    """One CuDNNLSTM/CuDNNGRU's three arrays -> (``"lstm"`` or ``"gru"``, Keras 3 ``[kernel, recurrent_kernel, bias]``)."""
    units = int(np.shape(recurrent_kernel)[0])
    bias = np.asarray(bias).reshape(-1)
    kinds = {8 * units: ("lstm", 4), 6 * units: ("gru", 3)}
    if bias.size not in kinds:
        raise ValueError(f"a bias of {bias.size} values with {units} units is neither CuDNNLSTM's (8u) nor CuDNNGRU's (6u)")
    kind, gates = kinds[bias.size]
    depth = int(np.shape(kernel)[0])
    inputs = [block.reshape(units, depth).T for block in _gate_blocks(kernel, gates)]
    recurrent = [block.T for block in _gate_blocks(recurrent_kernel, gates)]
    input_bias, recurrent_bias = np.split(bias, 2)
    keras_bias = input_bias + recurrent_bias if kind == "lstm" else np.stack([input_bias, recurrent_bias])
    return kind, [np.concatenate(inputs, axis=1), np.concatenate(recurrent, axis=1), keras_bias]


def read_h5_layer_weights(path: Any, layer_name: str) -> list[np.ndarray]:
    """The arrays a Keras 2 ``.h5`` file (full model or ``save_weights``) holds for ``layer_name``, in order."""
    import h5py

    with h5py.File(path, "r") as file:
        root = file["model_weights"] if "model_weights" in file else file
        if layer_name not in root:
            raise KeyError(f"{path}: no layer {layer_name!r}; layers: {', '.join(root.keys())}")
        group = root[layer_name]
        names = [n.decode("utf8") if isinstance(n, bytes) else str(n) for n in group.attrs.get("weight_names", [])]
        return [np.asarray(group[name]) for name in names]


def keras3_weights_from_keras2_h5(path: Any, layer_name: str) -> tuple[str, list[np.ndarray]]:
    """A CuDNNLSTM/CuDNNGRU layer of a Keras 2 ``.h5`` as weights for Keras 3 ``LSTM`` / ``GRU(reset_after=True)``.

    ``Bidirectional(CuDNNLSTM(...))`` (six arrays) gives the forward then the backward
    layer's weights, the order of Keras 3 ``Bidirectional(LSTM(...)).set_weights``.
    """
    arrays = read_h5_layer_weights(path, layer_name)
    if len(arrays) not in (3, 6):
        raise ValueError(f"{layer_name}: {len(arrays)} arrays; a CuDNNLSTM/CuDNNGRU has 3 (6 when Bidirectional)")
    kinds, weights = set(), []
    for start in range(0, len(arrays), 3):
        kind, converted = convert_cudnn_weights(*arrays[start:start + 3])
        kinds.add(kind)
        weights += converted
    return kinds.pop(), weights
