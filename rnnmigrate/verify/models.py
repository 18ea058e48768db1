"""Load either side of the comparison and describe its inputs and outputs.

Every kind of model file ends up as a `LoadedModel` (saved_model.py, keras_file.py and
checkpoint.py build one): named input and output
signatures plus a `run(feed) -> outputs` function on numpy arrays, so the rest of
the pipeline never asks which kind it holds. TensorFlow is imported here, inside
the functions, never at module import.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.errors import VerifyError

if TYPE_CHECKING:
    import numpy as np

    from rnnmigrate.verify.divergence import RnnTaps
    from rnnmigrate.verify.weights import Parameter

DEFAULT_SIGNATURE = "serving_default"
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


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
    imports: tuple[str, ...] = ()


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
    parameters: Callable[[], list[Parameter]] | None = None
    rnn_taps: Callable[[], RnnTaps | None] | None = None


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


def check_exists(source: ModelSource) -> None:
    """A path that is nothing is said at once, before TensorFlow takes seconds to import."""
    if not Path(source.path).exists() and _checkpoint_prefix(source.path) is None:
        raise VerifyError(f"{source.path}: no such file or directory")


def load_model(source: ModelSource) -> LoadedModel:
    """Dispatch on what the path is: SavedModel directory, .keras file, or checkpoint prefix."""
    path = Path(source.path)
    if path.is_dir():
        from rnnmigrate.verify.saved_model import load_saved_model

        _refuse_options(source, "a SavedModel", tensor_lists=True)
        return load_saved_model(source)
    if path.suffix in KERAS_SUFFIXES and path.is_file():
        from rnnmigrate.verify.keras_file import load_keras

        _refuse_options(source, "a Keras file", tensor_lists=True, entry_point=True)
        return load_keras(source)
    prefix = _checkpoint_prefix(source.path)
    if prefix is not None:
        from rnnmigrate.verify.checkpoint import load_checkpoint

        _refuse_options(source, "a checkpoint", tag_set=True)
        return load_checkpoint(source, prefix)
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


def signature_of(name: str, tensor_or_spec: Any) -> TensorSignature:
    shape = tensor_or_spec.shape
    dims = None if shape.rank is None else tuple(shape.as_list())
    return TensorSignature(name=name, dtype=tensor_or_spec.dtype.name, shape=dims)


def variable_parameters(variables: Any) -> list[Parameter]:
    """TF variables as parameters named without ``:0``; ``global_step`` is a counter, not a weight."""
    from rnnmigrate.verify.divergence import RnnTaps
    from rnnmigrate.verify.weights import Parameter

    found = []
    for variable in variables:
        name = variable.name[:-2] if variable.name.endswith(":0") else variable.name
        if name.rsplit("/", 1)[-1] != "global_step":
            found.append(Parameter(name, variable.numpy()))
    return found


def embedding_tables(variables: Any) -> dict[str, int]:
    """Row counts of 2-D variables named like an embedding: the token-id range a model accepts."""
    tables: dict[str, int] = {}
    for name, shape in variables:
        dims = list(shape)
        if "embedding" in name.lower() and len(dims) == 2 and dims[0] is not None:
            tables[name.split(":")[0]] = int(dims[0])
    return tables
