"""A TF1 checkpoint prefix and its .meta graph, run in a session of its own graph."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.errors import VerifyError, describe, first_line
from rnnmigrate.verify.models import (
    DEFAULT_SIGNATURE,
    LoadedModel,
    ModelSource,
    embedding_tables,
    import_tensorflow,
    parse_tensor_list,
    signature_of,
)
from rnnmigrate.verify.weights import Parameter

if TYPE_CHECKING:
    import numpy as np


def load_checkpoint(source: ModelSource, prefix: str) -> LoadedModel:
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
            _check_checkpoint_files(prefix)
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
        inputs={key: signature_of(key, t) for key, t in sorted(input_tensors.items())},
        outputs={key: signature_of(key, t) for key, t in sorted(output_tensors.items())},
        run=run,
        embedding_rows=embedding_tables(variables),
        parameters=lambda: _trainable_parameters(graph, session),
    )


def _check_checkpoint_files(prefix: str) -> None:
    """The .meta file is there; the values need the .index and every .data shard beside it."""
    if not Path(prefix + ".index").is_file():
        raise VerifyError(f"{prefix}: the checkpoint has a .meta graph but no {Path(prefix).name}.index: its values are missing")
    shards = sorted(Path(prefix).parent.glob(Path(prefix).name + ".data-*-of-*"))
    if not shards:
        raise VerifyError(f"{prefix}: the checkpoint has no {Path(prefix).name}.data-* file: its values are missing")
    expected = int(shards[0].name.rsplit("-of-", 1)[1])
    if len(shards) < expected:
        raise VerifyError(f"{prefix}: {len(shards)} of the checkpoint's {expected} .data shards are there")


def _trainable_parameters(graph: Any, session: Any) -> list[Parameter]:
    """The graph's trainable collection with the restored values (no optimizer slots in it)."""
    tf = import_tensorflow()
    variables = graph.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)
    values = session.run(variables)
    return [
        Parameter(variable.op.name, value)
        for variable, value in zip(variables, values)
        if variable.op.name.rsplit("/", 1)[-1] != "global_step"
    ]


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


def _graph_tensor(graph: Any, prefix: str, name: str) -> Any:
    try:
        return graph.get_tensor_by_name(name)
    except (KeyError, ValueError) as error:
        raise VerifyError(f"{prefix}.meta: {first_line(error)}") from None
