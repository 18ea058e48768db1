"""Which cells the runtime runs, and the one-line error for any other.

An unsafe rewrite (``rnnmigrate rewrite --unsafe-fixes``) assumes that every cell reaching a
runtime layer was migrated too. A TF1 cell (``tf.compat.v1.nn.rnn_cell.LSTMCell``, tf-keras's
``legacy_cells``) or a Keras 2 cell has other variables, state order and math, so it is refused
here, before any step runs, rather than run approximately.
"""

from __future__ import annotations

from typing import Any

import keras

from rnnmigrate.layers.variables import is_runtime_object

_RUNTIME_NAMES = ("BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell", "DropoutWrapper",
                  "CudnnCompatibleLSTMCell", "CudnnCompatibleGRUCell", "LayerNormBasicLSTMCell", "NASCell",
                  "LSTMBlockCell", "GRUBlockCell", "GRUBlockCellV2", "ResidualWrapper", "DeviceWrapper",
                  "OutputProjectionWrapper", "InputProjectionWrapper")
_KERAS2_NAMES = ("LSTMCell", "GRUCell", "SimpleRNNCell")
_CUSTOM_BASES = ("RNNCell", "LayerRNNCell")
_TF1_MODULES = (
    "tensorflow.python.ops.rnn_cell",
    "tensorflow.python.keras.layers.legacy_rnn",
    "tensorflow.contrib.rnn",
    "tf_keras.src.layers.rnn.legacy_cell",
)
_KERAS2_PREFIXES = ("tf_keras.", "tensorflow.python.keras.")


def require_cell(cell: Any, owner: str) -> None:
    """Raise TypeError unless ``cell`` is a runtime cell or a Keras 3 RNN cell."""
    if is_runtime_object(cell):
        return
    if isinstance(cell, keras.layers.Layer) and hasattr(cell, "state_size"):
        return
    raise TypeError(not_a_runtime_cell(cell, owner))


def require_held_cells(cell: Any) -> None:
    """A custom cell's attributes (a wrapper given ``LSTMCell(n)``) hold no TF1 or Keras 2 cell."""
    for attribute, value in vars(cell).items():
        for held in value if isinstance(value, (list, tuple)) else (value,):
            cls = type(held)
            if cls.__module__.startswith((*_TF1_MODULES, *_KERAS2_PREFIXES)) and hasattr(held, "state_size"):
                raise TypeError(
                    f"{type(cell).__name__} holds {_kind(cls)} {_qualified(cls)} in `self.{attribute}`: migrate it "
                    f"to {_replacement(cls)}, or run `rnnmigrate rewrite` on the file that builds it"
                )


def not_a_runtime_cell(cell: Any, owner: str) -> str:
    cls = type(cell)
    return (
        f"rnnmigrate.layers.{owner} cannot run {_kind(cls)} {_qualified(cls)}: migrate it to "
        f"{_replacement(cls)}, or run `rnnmigrate rewrite` on the file that builds it"
    )


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _kind(cls: type) -> str:
    if cls.__module__.startswith(_TF1_MODULES):
        return "the TF1 cell"
    if cls.__module__.startswith(_KERAS2_PREFIXES):
        return "the Keras 2 object"
    return "the object of class"


def _replacement(cls: type) -> str:
    name = cls.__name__
    tf1_base = next((base for base in cls.__mro__[1:] if base.__module__.startswith(_TF1_MODULES)), None)
    if tf1_base is not None and not cls.__module__.startswith(_TF1_MODULES) and tf1_base.__name__ in _CUSTOM_BASES:
        return f"a subclass of rnnmigrate.layers.{tf1_base.__name__} (change its base class)"
    if cls.__module__.startswith(_TF1_MODULES) and name in _RUNTIME_NAMES:
        return f"rnnmigrate.layers.{name}"
    if cls.__module__.startswith(_KERAS2_PREFIXES) and name in _KERAS2_NAMES:
        return f"rnnmigrate.layers.Keras{name}"
    return "an rnnmigrate.layers cell (or a Keras 3 RNN cell)"
