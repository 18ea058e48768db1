"""A .keras (or legacy HDF5) file: a functional model whose inputs and outputs have names."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.divergence import keras_taps
from rnnmigrate.verify.errors import VerifyError, describe
from rnnmigrate.verify.keras_archive import check_keras_file, import_custom_objects, unknown_class_message
from rnnmigrate.verify.models import LoadedModel, ModelSource, TensorSignature, import_tensorflow
from rnnmigrate.verify.weights import Parameter

if TYPE_CHECKING:
    import numpy as np


def load_keras(source: ModelSource) -> LoadedModel:
    tf = import_tensorflow()
    import keras

    _register_rnnmigrate_layers()
    check_keras_file(source.path)
    custom_objects = import_custom_objects(source.imports)
    try:
        model = keras.saving.load_model(
            source.path, custom_objects=custom_objects, compile=False, safe_mode=not source.unsafe
        )
    except Exception as error:
        if "safe_mode" in str(error) or "unsafe" in str(error).lower():
            raise VerifyError(
                f"{source.path}: holds Python code (a Lambda layer or a lambda), which safe mode refuses "
                "because it can run anything; pass --unsafe if you trust the file"
            ) from None
        missing = re.search(r"Could not locate (?:class|function) '([^']+)'", str(error))
        if missing:
            raise VerifyError(unknown_class_message(source.path, missing.group(1))) from None
        raise VerifyError(f"{source.path}: cannot load the Keras model: {describe(error)}") from None

    try:
        input_structure, output_structure = model.input, model.output
    except Exception:
        raise VerifyError(
            f"{source.path}: the model has no input signature (a subclassed model?); "
            "export it with model.export() and verify the SavedModel"
        ) from None

    input_names, input_tensors = _keras_names(input_structure, "input", fallback=None)
    output_names, output_tensors = _keras_names(output_structure, "output", fallback=list(model.output_names))
    inputs = {name: _keras_signature(name, t) for name, t in zip(input_names, input_tensors)}
    outputs = {name: _keras_signature(name, t) for name, t in zip(output_names, output_tensors)}
    call = tf.function(lambda structure: model(structure, training=False), reduce_retracing=True)

    def structure_of(feed: Mapping[str, np.ndarray]) -> Any:
        if isinstance(input_structure, dict):
            return {name: feed[name] for name in input_names}
        if isinstance(input_structure, (list, tuple)):
            return [feed[name] for name in input_names]
        return feed[input_names[0]]

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        result = call(structure_of(feed))
        if isinstance(result, dict):
            values = [result[name] for name in output_names]
        elif isinstance(result, (list, tuple)):
            values = list(result)
        else:
            values = [result]
        return {name: keras.ops.convert_to_numpy(value) for name, value in zip(output_names, values)}

    return LoadedModel(
        label=source.label,
        path=source.path,
        kind="Keras model",
        entry_point=f"{type(model).__name__} '{model.name}'",
        inputs=inputs,
        outputs=outputs,
        run=run,
        embedding_rows=_keras_embedding_tables(model),
        parameters=lambda: [Parameter(w.path, keras.ops.convert_to_numpy(w)) for w in model.trainable_weights],
        rnn_taps=lambda: keras_taps(model, structure_of),
    )


def _register_rnnmigrate_layers() -> None:
    """A migrated model holds rnnmigrate's own layers; loading needs them registered."""
    try:
        importlib.import_module("rnnmigrate.layers")
    except ImportError:
        pass


def _keras_names(structure: Any, role: str, fallback: list[str] | None) -> tuple[list[str], list[Any]]:
    """Signature names of a functional model's inputs or outputs, unique and in call order.

    Dict structures name themselves. Otherwise inputs use their ``keras.Input`` names and
    outputs their layer names; duplicates fall back to ``output_<i>`` as ``model.export`` does.
    """
    if isinstance(structure, dict):
        return list(structure), list(structure.values())
    tensors = list(structure) if isinstance(structure, (list, tuple)) else [structure]
    names = list(fallback) if fallback is not None else [t.name for t in tensors]
    if len(set(names)) != len(names) or len(names) != len(tensors):
        names = [f"{role}_{i}" for i in range(len(tensors))]
    return names, tensors


def _keras_signature(name: str, tensor: Any) -> TensorSignature:
    import keras

    dtype = keras.backend.standardize_dtype(tensor.dtype)
    return TensorSignature(name=name, dtype=dtype, shape=tuple(tensor.shape))


def _keras_embedding_tables(model: Any) -> dict[str, int]:
    import keras

    tables: dict[str, int] = {}
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Embedding):
            tables[layer.name] = int(layer.input_dim)
    return tables
