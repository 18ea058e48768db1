"""Record every RNN call a driver makes, on the TF1 side and on the rewritten side.

Why taps: real call sites rarely return their RNN outputs and final states (they concatenate,
project, drop the state). Wrapping the RNN entry points lets the harness compare exactly what
each call returned, without editing the project's code. On the rewritten side the wrapper
also *injects*, in the eager Keras context, the inputs TF1 saw at that call: upstream
non-RNN variables (embeddings, dense layers) are fresh there, and the point is to measure
the migrated RNN, not the project's embedding initialiser.
"""

from __future__ import annotations

import functools
import inspect
import sys
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Tap:
    """One RNN call: where it was made, what went in, what came out (nested as returned)."""

    api: str
    filename: str
    line: int
    inputs: Any
    sequence_length: Any
    result: Any
    initial_states: dict[str, Any] = field(default_factory=dict)


INITIAL_STATE_ARGUMENTS = ("initial_state", "initial_state_fw", "initial_state_bw",
                           "initial_states_fw", "initial_states_bw")


@dataclass
class Injection:
    """What TF1 fed one RNN call: inputs, lengths, and each initial-state argument flattened."""

    inputs: Any
    sequence_length: Any
    initial_states: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class TapLog:
    """Taps in call order. `injections`, when set, are per-call inputs to feed instead."""

    taps: list[Tap] = field(default_factory=list)
    injections: list[Injection] | None = None
    depth: int = 0

    def caller(self, depth: int = 2) -> tuple[str, int]:
        """File and line of the corpus code that made the call (skipping our wrappers)."""
        frame = sys._getframe(depth)
        while frame is not None and "/bench/real_code/" in frame.f_code.co_filename:
            frame = frame.f_back
        if frame is None:
            return "?", 0
        return frame.f_code.co_filename, frame.f_lineno

    def next_injection(self) -> Injection | None:
        if self.injections is None:
            return None
        index = len(self.taps)
        if index >= len(self.injections):
            raise RuntimeError(f"the rewritten code made more RNN calls than TF1 ({index + 1} > {len(self.injections)})")
        return self.injections[index]


LOG = TapLog()


def _bound(function: Callable, args: tuple, kwargs: dict) -> inspect.BoundArguments | None:
    """The call's arguments by name (document-qa passes `sequence_length` positionally)."""
    try:
        return inspect.signature(function).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None


def tap_tf1_function(function: Callable, api: str) -> Callable:
    """Wrap an RNN function (TF1's `dynamic_rnn`, `bidirectional_dynamic_rnn`, ..., or the
    runtime's `static_rnn`) so each call is logged and, in the Keras context, fed TF1's inputs."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        filename, line = LOG.caller()
        bound = _bound(function, args, kwargs)
        named = dict(bound.arguments) if bound is not None else dict(kwargs)
        injected = LOG.next_injection() if LOG.depth == 0 else None
        if injected is not None:
            if bound is None:
                raise RuntimeError(f"{api}: cannot bind this call's arguments to inject TF1's inputs")
            bound.arguments.update(_injected(named, injected))
            named, args, kwargs = dict(bound.arguments), bound.args, bound.kwargs
        LOG.depth += 1
        try:
            result = function(*args, **kwargs)
        finally:
            LOG.depth -= 1
        if LOG.depth == 0:  # a call made by another tapped call (stack_bidirectional) is not a site
            LOG.taps.append(Tap(api, filename, line, named.get("inputs"), named.get("sequence_length"), result,
                                _initial_states(named)))
        return result

    return wrapper


def _initial_states(arguments: dict) -> dict[str, Any]:
    return {name: arguments[name] for name in INITIAL_STATE_ARGUMENTS if arguments.get(name) is not None}


def _injected(arguments: dict, injected: Injection) -> dict[str, Any]:
    """TF1's inputs, lengths and initial states, in the structure the rewritten call passes.

    Why the initial states too: one read from the project's own variables (bilm-tf's stateful
    LSTMs keep it in non-trainable `tf.Variable`s) is fresh zeros in the Keras context, as its
    embeddings are; the harness measures the migrated RNN, so it feeds what TF1 fed.
    """
    import tensorflow as tf

    fed = {"inputs": tf.nest.map_structure(tf.constant, injected.inputs)}  # static_rnn's is a list
    if arguments.get("sequence_length") is not None or injected.sequence_length is not None:
        fed["sequence_length"] = None if injected.sequence_length is None else tf.constant(injected.sequence_length)
    for name, flat in injected.initial_states.items():
        if arguments.get(name) is None:
            raise RuntimeError(f"TF1 passed {name} to this RNN call and the rewritten code does not")
        fed[name] = tf.nest.pack_sequence_as(arguments[name], [tf.constant(value) for value in flat])
    return fed


def tap_layer_class(cls: type, api: str) -> Callable[[], None]:
    """Log (and in the Keras context, inject inputs into) every call of a runtime layer class.

    Patches `cls.__call__` (instrumentation only: the original is called unchanged); returns
    the function that removes the patch.
    """
    original = cls.__call__

    def __call__(self: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if LOG.depth > 0:  # made by a tapped function (the runtime's static_rnn runs a DynamicRNN): not a site
            return original(self, inputs, *args, **kwargs)
        filename, line = LOG.caller()
        injected = LOG.next_injection()
        if injected is not None:
            fed = _injected(kwargs, injected)
            inputs = fed.pop("inputs")
            kwargs.update(fed)
        result = original(self, inputs, *args, **kwargs)
        LOG.taps.append(Tap(api, filename, line, inputs, kwargs.get("sequence_length"), result,
                            _initial_states(kwargs)))
        return result

    cls.__call__ = __call__

    def remove() -> None:
        cls.__call__ = original

    return remove


def tap_runtime() -> Callable[[], None]:
    """Tap rnnmigrate.layers' RNN entry points (whatever checkout PYTHONPATH selects)."""
    import rnnmigrate.layers as layers

    removers = [
        tap_layer_class(layers.DynamicRNN, "DynamicRNN"),
        tap_layer_class(layers.BidirectionalDynamicRNN, "BidirectionalDynamicRNN"),
    ]
    originals = {name: getattr(layers, name) for name in ("static_rnn", "static_bidirectional_rnn")}
    for name, function in originals.items():
        setattr(layers, name, tap_tf1_function(function, name))

    def remove() -> None:
        for remover in removers:
            remover()
        for name, function in originals.items():
            setattr(layers, name, function)

    return remove
