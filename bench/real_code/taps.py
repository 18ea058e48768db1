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


@dataclass
class TapLog:
    """Taps in call order. `injections`, when set, are per-call (inputs, lengths) to feed instead."""

    taps: list[Tap] = field(default_factory=list)
    injections: list[tuple[Any, Any]] | None = None
    depth: int = 0

    def caller(self, depth: int = 2) -> tuple[str, int]:
        """File and line of the corpus code that made the call (skipping our wrappers)."""
        frame = sys._getframe(depth)
        while frame is not None and "/bench/real_code/" in frame.f_code.co_filename:
            frame = frame.f_back
        if frame is None:
            return "?", 0
        return frame.f_code.co_filename, frame.f_lineno

    def next_injection(self) -> tuple[Any, Any] | None:
        if self.injections is None:
            return None
        index = len(self.taps)
        if index >= len(self.injections):
            raise RuntimeError(f"the rewritten code made more RNN calls than TF1 ({index + 1} > {len(self.injections)})")
        return self.injections[index]


LOG = TapLog()


def _arguments(function: Callable, args: tuple, kwargs: dict) -> dict:
    """The call's arguments by name (document-qa passes `sequence_length` positionally)."""
    try:
        return dict(inspect.signature(function).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return dict(kwargs)


def tap_tf1_function(function: Callable, api: str) -> Callable:
    """Wrap a TF1 RNN function (`dynamic_rnn`, `bidirectional_dynamic_rnn`, ...) so each call is logged."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        filename, line = LOG.caller()
        LOG.depth += 1
        try:
            result = function(*args, **kwargs)
        finally:
            LOG.depth -= 1
        if LOG.depth == 0:  # a call made by another tapped call (stack_bidirectional) is not a site
            named = _arguments(function, args, kwargs)
            LOG.taps.append(Tap(api, filename, line, named.get("inputs"), named.get("sequence_length"), result))
        return result

    return wrapper


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
            inputs = injected[0]
            if "sequence_length" in kwargs or injected[1] is not None:
                kwargs["sequence_length"] = injected[1]
        result = original(self, inputs, *args, **kwargs)
        LOG.taps.append(Tap(api, filename, line, inputs, kwargs.get("sequence_length"), result))
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
