"""A SavedModel directory: a TF1 one (a graph and its signatures) or a TF2 export."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.divergence import tf1_saved_model_taps
from rnnmigrate.verify.errors import VerifyError, describe
from rnnmigrate.verify.models import (
    DEFAULT_SIGNATURE,
    LoadedModel,
    ModelSource,
    embedding_tables,
    import_tensorflow,
    signature_of,
    variable_parameters,
)

if TYPE_CHECKING:
    import numpy as np

DEFAULT_TAG_SET = "serve"
_INTERNAL_SIGNATURES = ("__saved_model_init_op", "__saved_model_train_op")


def load_saved_model(source: ModelSource) -> LoadedModel:
    tf = import_tensorflow()
    meta_graph = _pick_meta_graph(source)
    tags = list(meta_graph.meta_info_def.tags)
    signature_key = _pick_signature(source, meta_graph)
    kind = "TF1 SavedModel" if not meta_graph.object_graph_def.nodes else "SavedModel"
    try:
        loaded = tf.saved_model.load(source.path, tags=tags)
        function = loaded.signatures[signature_key]
    except Exception as error:
        raise VerifyError(f"{source.path}: {_load_failure(source.path, error)}") from None

    input_specs = function.structured_input_signature[1]
    inputs = {name: signature_of(name, spec) for name, spec in sorted(input_specs.items())}
    outputs = {name: signature_of(name, spec) for name, spec in sorted(function.structured_outputs.items())}

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        result = function(**{name: tf.constant(value) for name, value in feed.items()})
        return {name: value.numpy() for name, value in result.items()}

    embedding_rows = embedding_tables((v.name, v.shape) for v in getattr(loaded, "variables", ()))
    return LoadedModel(
        label=source.label,
        path=source.path,
        kind=kind,
        entry_point=f"tags {','.join(tags)}, signature {signature_key}",
        inputs=inputs,
        outputs=outputs,
        run=run,
        embedding_rows=embedding_rows,
        parameters=lambda: variable_parameters(_trainable_variables(loaded)),
        rnn_taps=(
            (lambda: tf1_saved_model_taps(loaded, meta_graph.signature_def[signature_key], _whole_graph(loaded, function)))
            if kind == "TF1 SavedModel"
            else None
        ),
    )


def _whole_graph(loaded: Any, function: Any) -> Any:
    """The imported TF1 graph, not the signature's pruned copy: an RNN whose outputs the signature
    does not use (only its final state) keeps them there."""
    return getattr(loaded, "graph", None) or function.graph


def _trainable_variables(loaded: Any) -> list[Any]:
    """A TF1 SavedModel's variables carry its trainable collection as ``trainable``; a TF2
    export lists its own. Optimizer slots are not trainable in either."""
    listed = getattr(loaded, "trainable_variables", None)
    if listed:
        return list(listed)
    return [variable for variable in getattr(loaded, "variables", ()) if variable.trainable]


def _load_failure(path: str, error: Exception) -> str:
    """A missing variables/ directory is the usual cause (saved_model.pb copied alone)."""
    variables = Path(path) / "variables"
    if "variables" in str(error) and not (variables / "variables.index").is_file():
        return (
            f"no {variables.name}/variables.index: the SavedModel's variables are missing "
            "(copy its variables/ directory along with saved_model.pb)"
        )
    return f"cannot load the SavedModel: {describe(error)}"


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
