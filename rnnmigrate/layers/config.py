"""Serialization and argument conversion shared by the runtime's layers and cells.

``LAYOUT_VERSION`` versions the variables' layout in ``.keras`` configs: files
written before variables kept TF1's layout (Keras-ordered, split kernels) are
refused with one line instead of loading wrong numbers.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

_SERIALIZATION_PACKAGE = "rnnmigrate"
LAYOUT_KEY = "rnnmigrate_layout"
LAYOUT_VERSION = 2


def register(cls: type) -> type:
    """Register a class for ``.keras`` serialization under the package name."""
    return keras.saving.register_keras_serializable(package=_SERIALIZATION_PACKAGE)(cls)


def check_layout(class_name: str, config: dict) -> None:
    """Refuse configs from an rnnmigrate whose variables had another layout; drop the marker."""
    version = config.pop(LAYOUT_KEY, None)
    if version != LAYOUT_VERSION:
        raise ValueError(
            f"{class_name}: this .keras file was written by an older rnnmigrate (weights in Keras's "
            f"layout, layout version {version or 1}); this rnnmigrate stores TF1's layout (version "
            f"{LAYOUT_VERSION}). Re-export the model with this version from its TF1 checkpoint."
        )


def _tf_activation_names() -> dict[int, str]:
    """TF functions that TF1 code passes as ``activation``, by Keras name."""
    candidates = {
        "tanh": [tf.tanh, tf.nn.tanh, tf.math.tanh],
        "sigmoid": [tf.sigmoid, tf.nn.sigmoid, tf.math.sigmoid],
        "relu": [tf.nn.relu],
        "relu6": [tf.nn.relu6],
        "elu": [tf.nn.elu],
        "selu": [tf.nn.selu],
        "softplus": [tf.nn.softplus, tf.math.softplus],
        "softsign": [tf.nn.softsign, tf.math.softsign],
        "linear": [tf.identity],
    }
    return {id(fn): name for name, fns in candidates.items() for fn in fns}


_TF_ACTIVATION_NAMES = _tf_activation_names()


def keras_activation(activation: Any, default: str = "tanh") -> Any:
    """TF1 ``activation`` argument -> a Keras activation (a name when one exists, so configs serialize)."""
    if activation is None:
        return default
    if isinstance(activation, str):
        return activation
    return _TF_ACTIVATION_NAMES.get(id(activation), activation)


def keras_dtype(dtype: Any) -> Any:
    """TF1 ``dtype=tf.float32`` -> Keras's ``"float32"``; Keras policies pass through."""
    if isinstance(dtype, tf.DType):
        return dtype.name
    return dtype


def serializable_initializer(initializer: Any) -> Any:
    """The part of an initializer argument that a ``.keras`` config can hold.

    TF1 initializer objects are not Keras-serializable; they only shape fresh
    weights, and the saved file stores the trained weights anyway.
    """
    if initializer is None or isinstance(initializer, (str, dict)):
        return initializer
    if isinstance(initializer, keras.initializers.Initializer):
        return keras.initializers.serialize(initializer)
    return None


def cell_from_config(value: Any) -> Any:
    """The cell for ``from_config``: deserialized from a dict, or a fresh copy of a live cell.

    ``get_config`` holds the cell object itself: Keras serializes config values
    on its own, and only then is a cell shared by two layers saved as one
    object.  A live cell (``clone_model``) is copied so the clone gets its own weights.
    """
    if not isinstance(value, dict):
        value = keras.saving.serialize_keras_object(value)
    return keras.saving.deserialize_keras_object(value)
