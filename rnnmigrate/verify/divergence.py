"""Where a failing migration first goes wrong: the outputs of each RNN, OLD against NEW, in order.

OLD's RNN outputs are found by scope in the TF1 graph: each ``dynamic_rnn`` leaves a while loop
(a ``While`` op named ``<scope>/while`` with TF2 control flow, ``Enter``/``Exit`` ops in a
``<scope>/while/`` frame with TF1's) and its batch-major outputs as ``<scope>/transpose_1`` (time-major: the stacked TensorArray).
A ``bidirectional_dynamic_rnn`` is two of them, ``<scope>/fw/fw`` and ``<scope>/bw/bw``, tapped
as ``<scope>/fw`` and ``<scope>/bw`` (bw after its outputs are reversed back into forward order).
NEW's are the first outputs of its RNN layers (a functional model's Keras RNN layers, rnnmigrate's
``DynamicRNN``; ``Bidirectional`` and ``BidirectionalDynamicRNN`` as ``<layer>/fw`` and
``<layer>/bw``, a concatenated output split at the forward layer's units). They pair in order, or by
``--map-layer old_scope=new_layer``; only valid steps count, since a correct port may leave
anything at padded steps of an intermediate output that its final outputs zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.errors import describe

if TYPE_CHECKING:
    import numpy as np

_RNN_LAYER_CLASSES = ("DynamicRNN", "BidirectionalDynamicRNN")
_TIME_MAJOR_STACKS = ("TensorArrayStack/TensorArrayGatherV3", "TensorArrayV2Stack/TensorListStack")


@dataclass
class RnnTaps:
    """One side's RNN outputs by name (TF1 scope or NEW layer), and a way to compute them."""

    names: list[str]
    run: Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]]


@dataclass
class BoundaryResult:
    old: str
    new: str
    max_abs_diff: float = 0.0
    out_of_tolerance: int = 0
    elements: int = 0
    problem: str | None = None

    @property
    def diverges(self) -> bool:
        return self.problem is not None or self.out_of_tolerance > 0


@dataclass
class Divergence:
    boundaries: list[BoundaryResult] = field(default_factory=list)
    note: str | None = None

    @property
    def first(self) -> BoundaryResult | None:
        return next((b for b in self.boundaries if b.diverges), None)


# --- OLD: a TF1 graph ----------------------------------------------------------------------


def tf1_rnn_scopes(graph: Any) -> dict[str, tuple[str, bool]]:
    """Scope -> (output tensor, time-major) of the graph's dynamic_rnn loops, in graph order;
    a bidirectional_dynamic_rnn's two as ``<scope>/fw`` and ``<scope>/bw``."""
    return _bidirectional_scopes(graph, _loop_scopes(graph))


def _loop_scopes(graph: Any) -> dict[str, tuple[str, bool]]:
    scopes: dict[str, tuple[str, bool]] = {}
    names = {op.name for op in graph.get_operations()}
    for op in graph.get_operations():
        if op.type in ("While", "StatelessWhile") and op.name.endswith("/while"):
            scope = op.name[: -len("/while")]
        elif op.type in ("Exit", "RefExit") and "/while/" in op.name:
            scope = op.name.split("/while/")[0]
        else:
            continue
        if scope in scopes:
            continue
        if f"{scope}/transpose_1" in names:
            scopes[scope] = (f"{scope}/transpose_1:0", False)
        else:
            stacked = [f"{scope}/{name}" for name in _TIME_MAJOR_STACKS if f"{scope}/{name}" in names]
            if stacked:
                scopes[scope] = (f"{stacked[0]}:0", True)
    return scopes


def _bidirectional_scopes(graph: Any, scopes: dict[str, tuple[str, bool]]) -> dict[str, tuple[str, bool]]:
    """bidirectional_dynamic_rnn runs ``<scope>/fw/fw`` on the inputs and ``<scope>/bw/bw`` on them
    reversed within each row's length, then reverses bw's outputs back: that reverse is bw's tap,
    so both directions read in forward time order, as Keras's Bidirectional gives them."""
    renamed: dict[str, tuple[str, bool]] = {}
    for scope, (tensor, time_major) in scopes.items():
        prefix, _, direction = scope.rpartition("/")
        if scope.endswith(("/fw/fw", "/bw/bw")) and direction == prefix.rpartition("/")[2]:
            outer = prefix.rpartition("/")[0]
            other = "bw" if direction == "fw" else "fw"
            forward_order = tensor if direction == "fw" else _reversed_back(graph, tensor)
            if f"{outer}/{other}/{other}" in scopes and forward_order is not None:
                renamed[f"{outer}/{direction}"] = (forward_order, time_major)
                continue
        renamed[scope] = (tensor, time_major)
    return renamed


def _reversed_back(graph: Any, tensor_name: str) -> str | None:
    """The ReverseSequence (with sequence_length) or ReverseV2 that bidirectional_dynamic_rnn applies
    to the backward outputs."""
    consumers = graph.get_tensor_by_name(tensor_name).consumers()
    reverse = [op for op in consumers if op.type in ("ReverseSequence", "ReverseV2")]
    return f"{reverse[0].name}:0" if reverse else None


def tf1_saved_model_taps(loaded: Any, signature_def: Any, graph: Any) -> RnnTaps | None:
    """Prune the TF1 SavedModel's graph from its signature inputs to each RNN's outputs."""
    scopes = tf1_rnn_scopes(graph)
    if not scopes:
        return None
    feeds = {name: info.name for name, info in signature_def.inputs.items()}
    pruned = loaded.prune(feeds=list(feeds.values()), fetches=[tensor for tensor, _ in scopes.values()])

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        import numpy as np
        import tensorflow as tf

        values = pruned(*[tf.constant(feed[name]) for name in feeds])
        return {
            scope: np.swapaxes(value.numpy(), 0, 1) if time_major else value.numpy()
            for (scope, (_, time_major)), value in zip(scopes.items(), values)
        }

    return RnnTaps(names=list(scopes), run=run)


# --- NEW: a functional Keras model ---------------------------------------------------------


def keras_taps(model: Any, feed_structure: Callable[[Mapping[str, np.ndarray]], Any]) -> RnnTaps | None:
    """A model from NEW's inputs to the first output of each RNN layer called once."""
    import keras

    layers = [
        layer
        for layer in model._flatten_layers(include_self=False)
        if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
        or type(layer).__name__ in _RNN_LAYER_CLASSES
    ]
    tapped: list[tuple[str, Any, Callable[[np.ndarray], np.ndarray]]] = []
    for layer in layers:
        try:
            output = layer.output
        except Exception:
            continue
        tapped += _layer_taps(layer, output)
    if not tapped:
        return None
    tensors = list({id(tensor): tensor for _, tensor, _ in tapped}.values())  # a split output once
    position = {id(tensor): index for index, tensor in enumerate(tensors)}
    tap_model = keras.Model(model.input, tensors)

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        values = tap_model(feed_structure(feed), training=False)
        values = values if isinstance(values, (list, tuple)) else [values]
        arrays = [keras.ops.convert_to_numpy(value) for value in values]
        return {name: view(arrays[position[id(tensor)]]) for name, tensor, view in tapped}

    return RnnTaps(names=[name for name, _, _ in tapped], run=run)


def _layer_taps(layer: Any, output: Any) -> list[tuple[str, Any, Callable[[np.ndarray], np.ndarray]]]:
    """(name, tensor, to batch-major) of one RNN layer's outputs; a bidirectional layer's two
    directions as ``<layer>/fw`` and ``<layer>/bw`` when they can be told apart."""
    import numpy as np

    def same(value: np.ndarray) -> np.ndarray:
        return value

    def swapped(value: np.ndarray) -> np.ndarray:
        return np.swapaxes(value, 0, 1)

    to_batch_major = swapped if getattr(layer, "time_major", False) else same
    if type(layer).__name__ == "BidirectionalDynamicRNN":  # ((out_fw, out_bw), (state_fw, state_bw)), maybe flat
        import keras

        out_fw, out_bw = keras.tree.flatten(output)[:2]
        return [(f"{layer.name}/fw", out_fw, to_batch_major), (f"{layer.name}/bw", out_bw, to_batch_major)]
    if hasattr(layer, "forward_layer") and hasattr(layer, "merge_mode"):  # keras.layers.Bidirectional
        return _keras_bidirectional_taps(layer, output)
    while isinstance(output, (list, tuple)):
        output = output[0]
    return [(layer.name, output, to_batch_major)]


def _keras_bidirectional_taps(layer: Any, output: Any) -> list[tuple[str, Any, Callable[[np.ndarray], np.ndarray]]]:
    """merge_mode None gives both directions; "concat" is split at the forward layer's units;
    sum, mul and ave cannot be split, so the layer is one tap."""
    if layer.merge_mode is None:
        return [(f"{layer.name}/fw", output[0], lambda v: v), (f"{layer.name}/bw", output[1], lambda v: v)]
    while isinstance(output, (list, tuple)):
        output = output[0]
    units = getattr(layer.forward_layer, "units", None)
    if layer.merge_mode != "concat" or units is None:
        return [(layer.name, output, lambda v: v)]
    return [(f"{layer.name}/fw", output, lambda v: v[..., :units]), (f"{layer.name}/bw", output, lambda v: v[..., units:])]


# --- comparing -----------------------------------------------------------------------------


def pair_boundaries(old: RnnTaps, new: RnnTaps, layer_map: dict[str, str]) -> tuple[list[tuple[str, str]], str | None]:
    """By ``--map-layer``, else in order when both sides have as many RNNs."""
    if layer_map:
        unknown = [f"OLD scope {o!r}" for o in layer_map if o not in old.names]
        unknown += [f"NEW layer {n!r}" for n in layer_map.values() if n not in new.names]
        if unknown:
            return [], f"--map-layer: no {', '.join(unknown)}; OLD has {', '.join(old.names)}, NEW has {', '.join(new.names)}"
        return list(layer_map.items()), None
    if len(old.names) != len(new.names):
        return [], (
            f"OLD has {len(old.names)} RNNs ({', '.join(old.names)}), NEW {len(new.names)} "
            f"({', '.join(new.names)}): pair them with --map-layer old_scope=new_layer"
        )
    return list(zip(old.names, new.names)), None


def find_divergence(
    old: RnnTaps,
    new: RnnTaps,
    layer_map: dict[str, str],
    batches: list[tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray | None]],
    atol: float,
    rtol: float,
) -> Divergence:
    """``batches``: (OLD feed, NEW feed, [rows, time] valid steps or None) per sample batch."""
    import numpy as np

    pairs, note = pair_boundaries(old, new, layer_map)
    if note:
        return Divergence(note=note)
    results = [BoundaryResult(old=o, new=n) for o, n in pairs]
    for old_feed, new_feed, valid in batches:
        try:
            old_values, new_values = old.run(old_feed), new.run(new_feed)
        except Exception as error:
            return Divergence(note=f"intermediate outputs could not be computed: {describe(error)}")
        for result in results:
            a, b = old_values[result.old], new_values[result.new]
            if a.shape != b.shape:
                result.problem = f"shape {a.shape} vs {b.shape}"
                continue
            selected = np.ones(a.shape, dtype=bool)
            if valid is not None and a.ndim >= 2 and a.shape[:2] == valid.shape:
                selected = np.broadcast_to(valid.reshape(valid.shape + (1,) * (a.ndim - 2)), a.shape)
            diff = np.abs(b.astype(np.float64) - a.astype(np.float64))
            outside = selected & ~(diff <= atol + rtol * np.abs(a))
            result.elements += int(selected.sum())
            result.out_of_tolerance += int(outside.sum())
            if selected.any():
                result.max_abs_diff = max(result.max_abs_diff, float(diff[selected].max()))
    return Divergence(boundaries=results)
