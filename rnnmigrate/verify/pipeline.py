"""The whole comparison, top to bottom: load, pair, sample, run both, compare."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rnnmigrate.verify.axes import OutputLayout, check_time_major_names, output_layout
from rnnmigrate.verify.compare import OutputComparison, add_batch, default_tolerance, new_comparison
from rnnmigrate.verify.divergence import Divergence, find_divergence
from rnnmigrate.verify.errors import VerifyError, describe
from rnnmigrate.verify.models import (
    LoadedModel,
    ModelSource,
    TensorSignature,
    check_exists,
    import_tensorflow,
    load_model,
    native_stderr_silenced,
)
from rnnmigrate.verify.pairing import Pairing, pair_models
from rnnmigrate.verify.samples import (
    SampleBatch,
    SamplePlan,
    SampleSettings,
    generate_samples,
    load_input_files,
    step_mask,
)
from rnnmigrate.verify.weights import WeightComparison, compare_weights

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class VerifyRequest:
    old: ModelSource
    new: ModelSource
    name_map: dict[str, str] = field(default_factory=dict)
    input_files: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    samples: SampleSettings = field(default_factory=SampleSettings)
    atol: float | None = None
    rtol: float | None = None
    skip: frozenset[str] = frozenset()
    constants: dict[str, str] = field(default_factory=dict)
    time_major: frozenset[str] = frozenset()
    inference_only: bool = False
    layer_map: dict[str, str] = field(default_factory=dict)


@dataclass
class VerifyResult:
    old: LoadedModel
    new: LoadedModel
    pairing: Pairing
    plan: SamplePlan
    comparisons: list[OutputComparison]
    old_outputs: dict[str, list[np.ndarray]]
    new_outputs: dict[str, list[np.ndarray]]
    seconds: dict[str, float]
    weights: WeightComparison | None = None
    weights_note: str | None = None
    divergence: Divergence | None = None

    @property
    def passed(self) -> bool:
        weights_pass = self.weights is None or self.weights.passed
        return weights_pass and all(comparison.passed for comparison in self.comparisons)


def verify(request: VerifyRequest) -> VerifyResult:
    """Raises `VerifyError` for anything the user must fix; a mismatch is a result, not an error."""
    with native_stderr_silenced():
        return _verify(request)


def _verify(request: VerifyRequest) -> VerifyResult:
    clock = time.perf_counter()
    check_exists(request.old)
    check_exists(request.new)
    import_tensorflow()
    imported = time.perf_counter()
    old = load_model(request.old)
    new = load_model(request.new)
    loaded = time.perf_counter()

    pairing = pair_models(old, new, request.name_map, request.skip, frozenset(request.constants))
    check_time_major_names(request.time_major, pairing.outputs)
    plan = make_samples(request, pairing, old, new)
    comparisons = [new_comparison(pair, request.atol, request.rtol) for pair in pairing.outputs]
    old_outputs: dict[str, list[np.ndarray]] = {pair.old.name: [] for pair in pairing.outputs}
    new_outputs: dict[str, list[np.ndarray]] = {pair.new.name: [] for pair in pairing.outputs}

    row_offset = 0
    for index, batch in enumerate(plan.batches):
        old_result = run_on_batch(old, batch, pairing, index, side="old", constants=request.constants)
        new_result = run_on_batch(new, batch, pairing, index, side="new", constants=request.constants)
        for comparison in comparisons:
            pair = comparison.pair
            old_value, new_value = old_result[pair.old.name], new_result[pair.new.name]
            old_outputs[pair.old.name].append(old_value)
            new_outputs[pair.new.name].append(new_value)
            if index == 0:
                _set_layout(comparison, old_value, batch, request.time_major)
            valid_steps = _valid_steps(comparison.layout, old_value, batch)
            add_batch(comparison, old_value, new_value, row_offset, valid_steps)
        row_offset += batch.rows

    divergence = None
    if not all(comparison.passed for comparison in comparisons):
        divergence = locate_divergence(request, old, new, pairing, plan)
    compared = time.perf_counter()
    weights, weights_note = compare_model_weights(old, new, request.inference_only)
    finished = time.perf_counter()
    return VerifyResult(
        old=old,
        new=new,
        pairing=pairing,
        plan=plan,
        comparisons=comparisons,
        old_outputs=old_outputs,
        new_outputs=new_outputs,
        weights=weights,
        weights_note=weights_note,
        divergence=divergence,
        seconds={
            "import_tensorflow": imported - clock,
            "load_models": loaded - imported,
            "run_and_compare": compared - loaded,
            "compare_weights": finished - compared,
            "total": finished - clock,
        },
    )


def compare_model_weights(
    old: LoadedModel, new: LoadedModel, inference_only: bool
) -> tuple[WeightComparison | None, str | None]:
    """OLD's trainable variables against NEW's trainable weights, or why they cannot be read."""
    if old.parameters is None or new.parameters is None:
        side = old if old.parameters is None else new
        return None, f"weights not compared: {side.path} ({side.kind}) does not expose its trainable variables"
    try:
        old_parameters, new_parameters = old.parameters(), new.parameters()
    except Exception as error:
        return None, f"weights not compared: reading them raised {describe(error)}"
    if not old_parameters or not new_parameters:
        side = old if not old_parameters else new
        return None, f"weights not compared: {side.path} has no trainable variables"
    return compare_weights(old_parameters, new_parameters, inference_only), None


def make_samples(request: VerifyRequest, pairing: Pairing, old: LoadedModel, new: LoadedModel) -> SamplePlan:
    if request.input_files:
        return load_input_files(pairing, request.input_files, request.samples)
    tables = {f"{table} ({old.label})": rows for table, rows in old.embedding_rows.items()}
    tables.update({f"{table} ({new.label})": rows for table, rows in new.embedding_rows.items()})
    return generate_samples(pairing, request.samples, tables)


def run_on_batch(
    model: LoadedModel,
    batch: SampleBatch,
    pairing: Pairing,
    index: int,
    side: str,
    constants: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """Feed one batch, cast to this side's dtypes; a model that raises is the user's error."""
    feed = batch_feed(model, batch, pairing, side, constants)
    try:
        return model.run(feed)
    except Exception as error:
        raise VerifyError(f"{model.path}: raised on sample batch {index}: {describe(error)}") from None


def batch_feed(
    model: LoadedModel, batch: SampleBatch, pairing: Pairing, side: str, constants: dict[str, str] | None = None
) -> dict[str, np.ndarray]:
    """One batch keyed by this side's input names, in its dtypes, ``--set`` values included."""
    feed = {}
    for pair in pairing.inputs:
        signature: TensorSignature = getattr(pair, side)
        feed[signature.name] = batch.inputs[pair.old.name].astype(numpy_dtype(signature.dtype))
    for name, text in (constants or {}).items():
        if name in model.inputs:
            feed[name] = constant_input(model, model.inputs[name], text, batch.rows)
    return feed


def locate_divergence(
    request: VerifyRequest, old: LoadedModel, new: LoadedModel, pairing: Pairing, plan: SamplePlan
) -> Divergence:
    """The RNN outputs of both sides on the same batches, to name the first RNN that differs."""
    if old.rnn_taps is None or new.rnn_taps is None:
        side = old if old.rnn_taps is None else new
        return Divergence(note=f"{side.path} ({side.kind}): its RNN outputs cannot be reached, only its signature")
    try:
        old_taps, new_taps = old.rnn_taps(), new.rnn_taps()
    except Exception as error:
        return Divergence(note=f"the RNN outputs could not be reached: {describe(error)}")
    if old_taps is None or new_taps is None:
        side = old if old_taps is None else new
        what = "dynamic_rnn loop" if side is old else "RNN layer called once"
        return Divergence(note=f"{side.path}: no {what} found, so the model's structure does not tell where it diverges")
    batches = [
        (
            batch_feed(old, batch, pairing, "old", request.constants),
            batch_feed(new, batch, pairing, "new", request.constants),
            step_mask(batch.lengths, batch.time_steps) if batch.lengths is not None and batch.time_steps else None,
        )
        for batch in plan.batches
    ]
    tolerance = default_tolerance("float32", "float32", request.atol, request.rtol)
    return find_divergence(old_taps, new_taps, request.layer_map, batches, tolerance.atol, tolerance.rtol)


def constant_input(model: LoadedModel, signature: TensorSignature, text: str, rows: int) -> np.ndarray:
    """``--set`` value in the input's dtype: a scalar, or filled to its shape with the batch as axis 0."""
    import numpy as np

    dtype = numpy_dtype(signature.dtype)
    try:
        value = np.asarray(text == "true" if dtype == np.bool_ else float(text)).astype(dtype)
    except ValueError:
        raise VerifyError(f"--set {signature.name}={text}: not a number for {model.path}'s {signature.dtype} input") from None
    shape = signature.shape or ()
    if any(dim is None for dim in shape[1:]):
        raise VerifyError(f"--set {signature.name}: {model.path} declares it with open dimensions {shape}; give it with --inputs")
    return np.full((rows if shape and shape[0] is None else shape[0], *shape[1:]) if shape else (), value, dtype=dtype)


def numpy_dtype(name: str) -> np.dtype:
    import numpy as np

    try:
        return np.dtype(name)
    except TypeError:
        import ml_dtypes

        return np.dtype(getattr(ml_dtypes, name))


def _set_layout(comparison: OutputComparison, output: np.ndarray, batch: SampleBatch, time_major: frozenset[str]) -> None:
    layout = output_layout(comparison.pair, tuple(output.shape), batch.rows, batch.time_steps, time_major)
    comparison.layout = layout
    if layout.note:
        comparison.notes.append(layout.note)


def _valid_steps(layout: OutputLayout, output: np.ndarray, batch: SampleBatch) -> np.ndarray | None:
    """[rows, time] mask of valid steps when the lengths are known and this output has the time axis."""
    if batch.lengths is None or batch.time_steps is None or layout.time_axis is None:
        return None
    if output.shape[layout.batch_axis] != batch.rows or output.shape[layout.time_axis] != batch.time_steps:
        return None
    return step_mask(batch.lengths, batch.time_steps)
