"""Load either side of the comparison and describe its inputs and outputs.

Every kind of model file ends up as a `LoadedModel`: named input and output
signatures plus a `run(feed) -> outputs` function on numpy arrays, so the rest of
the pipeline never asks which kind it holds. TensorFlow is imported here, inside
the functions, never at module import.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.errors import VerifyError, describe, first_line

if TYPE_CHECKING:
    import numpy as np

DEFAULT_SIGNATURE = "serving_default"
DEFAULT_TAG_SET = "serve"
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")
_INTERNAL_SIGNATURES = ("__saved_model_init_op", "__saved_model_train_op")


@dataclass(frozen=True)
class TensorSignature:
    """Name, dtype (numpy name, e.g. ``int32``) and shape (None = unknown) of one tensor."""

    name: str
    dtype: str
    shape: tuple[int | None, ...] | None


@dataclass(frozen=True)
class ModelSource:
    """What the user said about one side: the path and the options that pick a signature."""

    label: str
    path: str
    tag_set: str | None = None
    signature: str | None = None
    tensor_inputs: str | None = None
    tensor_outputs: str | None = None
    unsafe: bool = False


@dataclass
class LoadedModel:
    """One side, ready to run: ``run`` takes and returns numpy arrays keyed by signature name."""

    label: str
    path: str
    kind: str
    entry_point: str
    inputs: dict[str, TensorSignature]
    outputs: dict[str, TensorSignature]
    run: Callable[[Mapping[str, "np.ndarray"]], dict[str, "np.ndarray"]]
    embedding_rows: dict[str, int] = field(default_factory=dict)


def import_tensorflow() -> Any:
    """TensorFlow, quietly: its C++ start-up chatter (oneDNN, CUDA probing) would bury the report."""
    import sys

    if sys.modules.get("tensorflow") is not None:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with native_stderr_silenced():
        try:
            import tensorflow as tf
        except ImportError:
            raise VerifyError("verify runs both models and needs TensorFlow: pip install 'rnnmigrate[tf]'") from None

        tf.constant(0)
    tf.get_logger().setLevel("ERROR")
    return tf


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null: TF's C++ logging ignores TF_CPP_MIN_LOG_LEVEL set from
    Python, and its oneDNN and CUDA chatter would bury the report. Python errors still surface as
    exceptions; they are printed after the descriptor is restored."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load_model(source: ModelSource) -> LoadedModel:
    """Dispatch on what the path is: SavedModel directory, .keras file, or checkpoint prefix."""
    path = Path(source.path)
    if path.is_dir():
        _refuse_options(source, "a SavedModel", tensor_lists=True)
        return _load_saved_model(source)
    if path.suffix in KERAS_SUFFIXES and path.is_file():
        _refuse_options(source, "a Keras file", tensor_lists=True, entry_point=True)
        return _load_keras(source)
    prefix = _checkpoint_prefix(source.path)
    if prefix is not None:
        _refuse_options(source, "a checkpoint", tag_set=True)
        return _load_checkpoint(source, prefix)
    if path.exists():
        raise VerifyError(
            f"{source.path}: not a SavedModel directory, a .keras file or a checkpoint prefix "
            "with a .meta graph"
        )
    raise VerifyError(f"{source.path}: no such file or directory")


def _refuse_options(
    source: ModelSource, kind: str, tensor_lists: bool = False, entry_point: bool = False, tag_set: bool = False
) -> None:
    """An option that cannot apply to this kind of model is a misunderstanding worth stopping on."""
    side = source.label.lower()
    given = []
    if (entry_point or tag_set) and source.tag_set:
        given.append(f"--{side}-tag-set")
    if entry_point and source.signature:
        given.append(f"--{side}-signature-def")
    if tensor_lists and (source.tensor_inputs or source.tensor_outputs):
        given.append(f"--{side}-inputs/--{side}-outputs")
    if given:
        raise VerifyError(f"{source.path}: {' and '.join(given)} cannot be used with {kind}")


def _checkpoint_prefix(path: str) -> str | None:
    for suffix in (".meta", ".index"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return path if Path(path + ".meta").is_file() else None


# --- SavedModel ---------------------------------------------------------------------------


def _load_saved_model(source: ModelSource) -> LoadedModel:
    tf = import_tensorflow()
    meta_graph = _pick_meta_graph(source)
    tags = list(meta_graph.meta_info_def.tags)
    signature_key = _pick_signature(source, meta_graph)
    kind = "TF1 SavedModel" if not meta_graph.object_graph_def.nodes else "SavedModel"
    try:
        loaded = tf.saved_model.load(source.path, tags=tags)
        function = loaded.signatures[signature_key]
    except Exception as error:
        raise VerifyError(f"{source.path}: cannot load the SavedModel: {describe(error)}") from None

    input_specs = function.structured_input_signature[1]
    inputs = {name: _signature_of(name, spec) for name, spec in sorted(input_specs.items())}
    outputs = {name: _signature_of(name, spec) for name, spec in sorted(function.structured_outputs.items())}

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        result = function(**{name: tf.constant(value) for name, value in feed.items()})
        return {name: value.numpy() for name, value in result.items()}

    embedding_rows = _embedding_tables((v.name, v.shape) for v in getattr(loaded, "variables", ()))
    return LoadedModel(
        label=source.label,
        path=source.path,
        kind=kind,
        entry_point=f"tags {','.join(tags)}, signature {signature_key}",
        inputs=inputs,
        outputs=outputs,
        run=run,
        embedding_rows=embedding_rows,
    )


def _read_saved_model_proto(path: str) -> Any:
    import_tensorflow()
    from google.protobuf import text_format
    from tensorflow.core.protobuf import saved_model_pb2

    directory = Path(path)
    proto = saved_model_pb2.SavedModel()
    binary, text = directory / "saved_model.pb", directory / "saved_model.pbtxt"
    try:
        if binary.is_file():
            proto.ParseFromString(binary.read_bytes())
        elif text.is_file():
            text_format.Parse(text.read_text(), proto)
        else:
            raise VerifyError(f"{path}: directory is not a SavedModel (no saved_model.pb)")
    except VerifyError:
        raise
    except Exception as error:
        raise VerifyError(f"{path}: corrupt saved_model.pb ({describe(error)})") from None
    if not proto.meta_graphs:
        raise VerifyError(f"{path}: saved_model.pb holds no MetaGraph")
    return proto


def _pick_meta_graph(source: ModelSource) -> Any:
    """The MetaGraph for ``--*-tag-set``; without it the only one, or the ``serve`` one."""
    meta_graphs = _read_saved_model_proto(source.path).meta_graphs
    available = [",".join(sorted(mg.meta_info_def.tags)) for mg in meta_graphs]
    if source.tag_set is None and len(meta_graphs) == 1:
        return meta_graphs[0]
    wanted = {tag.strip() for tag in (source.tag_set or DEFAULT_TAG_SET).split(",") if tag.strip()}
    for meta_graph in meta_graphs:
        if set(meta_graph.meta_info_def.tags) == wanted:
            return meta_graph
    raise VerifyError(
        f"{source.path}: no MetaGraph with tag set '{','.join(sorted(wanted))}'; "
        f"available: {', '.join(repr(tags) for tags in available)}"
    )


def _pick_signature(source: ModelSource, meta_graph: Any) -> str:
    available = [key for key in meta_graph.signature_def if key not in _INTERNAL_SIGNATURES]
    wanted = source.signature or DEFAULT_SIGNATURE
    if wanted in available:
        return wanted
    if source.signature is None and len(available) == 1:
        return available[0]
    listed = ", ".join(sorted(available)) or "none"
    raise VerifyError(f"{source.path}: no signature '{wanted}'; available: {listed}")


# --- Keras --------------------------------------------------------------------------------


def _load_keras(source: ModelSource) -> LoadedModel:
    tf = import_tensorflow()
    import keras

    _register_rnnmigrate_layers()
    try:
        model = keras.saving.load_model(source.path, compile=False, safe_mode=not source.unsafe)
    except Exception as error:
        if "safe_mode" in str(error) or "unsafe" in str(error).lower():
            raise VerifyError(
                f"{source.path}: holds Python code (a Lambda layer or a lambda), which safe mode refuses "
                "because it can run anything; pass --unsafe if you trust the file"
            ) from None
        missing = re.search(r"Could not locate (?:class|function) '([^']+)'", str(error))
        if missing:
            raise VerifyError(
                f"{source.path}: Keras could not locate class {missing.group(1)!r}; rnnmigrate.layers was "
                "imported, so it is a class of your own: import its module before loading (see the README, "
                "'Deploying a migrated model')"
            ) from None
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

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if isinstance(input_structure, dict):
            structure: Any = {name: feed[name] for name in input_names}
        elif isinstance(input_structure, (list, tuple)):
            structure = [feed[name] for name in input_names]
        else:
            structure = feed[input_names[0]]
        result = call(structure)
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


# --- TF1 checkpoint + .meta ---------------------------------------------------------------


def _load_checkpoint(source: ModelSource, prefix: str) -> LoadedModel:
    """``import_meta_graph`` into a fresh graph and session: TF1 semantics with eager left on."""
    tf = import_tensorflow()
    meta_path = prefix + ".meta"
    graph = tf.Graph()
    with graph.as_default():
        try:
            saver = tf.compat.v1.train.import_meta_graph(meta_path, clear_devices=True)
        except Exception as error:
            raise VerifyError(f"{meta_path}: cannot import the graph: {describe(error)}") from None
        session = tf.compat.v1.Session(graph=graph)
        if saver is not None:
            try:
                saver.restore(session, prefix)
            except Exception as error:
                raise VerifyError(f"{prefix}: cannot restore the checkpoint: {describe(error)}") from None

    input_names = _tensor_names(source, prefix, "inputs", graph)
    output_names = _tensor_names(source, prefix, "outputs", graph)
    input_tensors = {key: _graph_tensor(graph, prefix, name) for key, name in input_names.items()}
    output_tensors = {key: _graph_tensor(graph, prefix, name) for key, name in output_names.items()}

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        feed_dict = {input_tensors[name]: value for name, value in feed.items()}
        return session.run(output_tensors, feed_dict=feed_dict)

    try:
        variables = tf.train.list_variables(prefix)
    except Exception:
        variables = []
    return LoadedModel(
        label=source.label,
        path=source.path,
        kind="TF1 checkpoint",
        entry_point=f"graph {Path(meta_path).name}",
        inputs={key: _signature_of(key, t) for key, t in sorted(input_tensors.items())},
        outputs={key: _signature_of(key, t) for key, t in sorted(output_tensors.items())},
        run=run,
        embedding_rows=_embedding_tables(variables),
    )


def _tensor_names(source: ModelSource, prefix: str, which: str, graph: Any) -> dict[str, str]:
    """``name=tensor:0,...`` from the options, else the .meta file's own signature, if any."""
    text = source.tensor_inputs if which == "inputs" else source.tensor_outputs
    option = f"--{source.label.lower()}-{which}"
    if text:
        return parse_tensor_list(text, option)
    signature = _meta_graph_signature(source, prefix)
    if signature is None:
        raise VerifyError(f"{prefix}.meta: no signature to read {which} from; pass {option} name=tensor:0,...")
    infos = signature.inputs if which == "inputs" else signature.outputs
    return {key: info.name for key, info in infos.items()}


def _meta_graph_signature(source: ModelSource, prefix: str) -> Any:
    tf = import_tensorflow()
    from tensorflow.core.protobuf import meta_graph_pb2

    meta_graph = meta_graph_pb2.MetaGraphDef()
    meta_graph.ParseFromString(tf.io.gfile.GFile(prefix + ".meta", "rb").read())
    wanted = source.signature or DEFAULT_SIGNATURE
    return meta_graph.signature_def[wanted] if wanted in meta_graph.signature_def else None


def parse_tensor_list(text: str, option: str) -> dict[str, str]:
    """``tokens=tokens:0,lengths=len:0`` -> ``{"tokens": "tokens:0", "lengths": "len:0"}``."""
    pairs: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, tensor = item.partition("=")
        if not sep or not key.strip() or not tensor.strip():
            raise VerifyError(f"{option}: expected name=tensor:0, got '{item}'")
        tensor = tensor.strip()
        pairs[key.strip()] = tensor if ":" in tensor else tensor + ":0"
    return pairs


def _graph_tensor(graph: Any, prefix: str, name: str) -> Any:
    try:
        return graph.get_tensor_by_name(name)
    except (KeyError, ValueError) as error:
        raise VerifyError(f"{prefix}.meta: {first_line(error)}") from None


# --- shared helpers -----------------------------------------------------------------------


def _signature_of(name: str, tensor_or_spec: Any) -> TensorSignature:
    shape = tensor_or_spec.shape
    dims = None if shape.rank is None else tuple(shape.as_list())
    return TensorSignature(name=name, dtype=tensor_or_spec.dtype.name, shape=dims)


def _embedding_tables(variables: Any) -> dict[str, int]:
    """Row counts of 2-D variables named like an embedding: the token-id range a model accepts."""
    tables: dict[str, int] = {}
    for name, shape in variables:
        dims = list(shape)
        if "embedding" in name.lower() and len(dims) == 2 and dims[0] is not None:
            tables[name.split(":")[0]] = int(dims[0])
    return tables
