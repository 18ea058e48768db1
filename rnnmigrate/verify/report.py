"""Present a `VerifyResult`: one JSON document, and the rich table rendered from it.

The table is drawn from the document so ``--json`` and the screen never disagree.
Non-finite numbers are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"``:
strict JSON has no such numbers.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnmigrate.verify.errors import VerifyError, describe
from rnnmigrate.verify.report_weights import (
    divergence_document,
    divergence_lines,
    weight_lines,
    weights_document,
    weights_verdict,
)
from rnnmigrate.verify.steps import steps_lines

if TYPE_CHECKING:
    from rich.console import Console

    from rnnmigrate.verify.compare import OutputComparison, RegionStats
    from rnnmigrate.verify.models import LoadedModel
    from rnnmigrate.verify.pipeline import VerifyResult


def result_document(result: VerifyResult) -> dict[str, Any]:
    return {
        "verdict": "PASS" if result.passed else "FAIL",
        "old": _model_document(result.old),
        "new": _model_document(result.new),
        "pairs": {
            "inputs": [{"old": p.old.name, "new": p.new.name} for p in result.pairing.inputs],
            "outputs": [{"old": p.old.name, "new": p.new.name} for p in result.pairing.outputs],
        },
        "samples": {
            "source": result.plan.source,
            "batches": len(result.plan.batches),
            "rows": result.plan.rows,
            "lengths_input": result.plan.lengths_input,
        },
        "notes": result.pairing.notes + result.plan.notes,
        "outputs": [_output_document(comparison) for comparison in result.comparisons],
        "weights": weights_document(result),
        "divergence": divergence_document(result),
        "steps": None,  # filled in by --outdir: steps.steps_document
        "seconds": {key: round(value, 3) for key, value in result.seconds.items()},
    }


def _model_document(model: LoadedModel) -> dict[str, Any]:
    def signatures(specs: dict) -> dict[str, Any]:
        return {
            name: {"dtype": spec.dtype, "shape": None if spec.shape is None else list(spec.shape)}
            for name, spec in specs.items()
        }

    return {
        "path": model.path,
        "kind": model.kind,
        "entry_point": model.entry_point,
        "inputs": signatures(model.inputs),
        "outputs": signatures(model.outputs),
    }


def _output_document(comparison: OutputComparison) -> dict[str, Any]:
    return {
        "old": comparison.pair.old.name,
        "new": comparison.pair.new.name,
        "result": "PASS" if comparison.passed else "FAIL",
        "old_shape": _list_or_none(comparison.old_shape),
        "new_shape": _list_or_none(comparison.new_shape),
        "old_dtype": comparison.old_dtype,
        "new_dtype": comparison.new_dtype,
        "tolerance": {
            "atol": comparison.tolerance.atol,
            "rtol": comparison.tolerance.rtol,
            "source": comparison.tolerance.source,
        },
        "layout": "time-major" if comparison.layout.time_major else "batch-major",
        "batch_axis": comparison.layout.batch_axis,
        "time_axis": comparison.layout.time_axis,
        "problems": list(comparison.problems),
        "notes": list(comparison.notes),
        "all": _stats_document(comparison.overall) if not comparison.problems else None,
        "valid_steps": _stats_document(comparison.valid) if comparison.valid and not comparison.problems else None,
        "padded_steps": _stats_document(comparison.padded) if comparison.padded and not comparison.problems else None,
    }


def _stats_document(stats: RegionStats) -> dict[str, Any]:
    return {
        "elements": stats.elements,
        "out_of_tolerance": stats.out_of_tolerance,
        "share_out_of_tolerance": stats.share_out_of_tolerance,
        "max_abs_diff": _number(stats.max_abs_diff),
        "max_rel_diff": _number(stats.max_rel_diff),
        "nan_both": stats.nan_both,
        "nan_one_side": stats.nan_one_side,
        "worst_index": _list_or_none(stats.worst_index),
        "worst_old": _number(stats.worst_old),
        "worst_new": _number(stats.worst_new),
    }


def _number(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _list_or_none(values: tuple | None) -> list | None:
    return None if values is None else list(values)


def write_json(document: dict[str, Any], path: str) -> None:
    try:
        Path(path).write_text(json.dumps(document, indent=2) + "\n")
    except OSError as error:
        raise VerifyError(f"{path}: cannot write the JSON report ({describe(error)})") from None


# --- the table ----------------------------------------------------------------------------


def render(document: dict[str, Any], console: Console) -> None:
    from rich.table import Table

    old, new = document["old"], document["new"]
    console.print(f"OLD  {old['path']}  ({old['kind']}; {old['entry_point']})")
    console.print(f"NEW  {new['path']}  ({new['kind']}; {new['entry_point']})")
    inputs = ", ".join(_pair_text(pair) for pair in document["pairs"]["inputs"])
    console.print(f"inputs   {inputs}")
    console.print(f"samples  {document['samples']['source']}")
    for note in document["notes"]:
        console.print(f"note     {note}")

    from rich import box

    table = Table(show_lines=False, highlight=False, box=box.HEAVY_HEAD if console.is_terminal else None)
    for header, justify in (
        ("output", "left"),
        ("shape", "left"),
        ("dtype", "left"),
        ("max abs", "right"),
        ("max rel", "right"),
        ("out of tol", "right"),
        ("worst at (old / new)", "left"),
        ("valid steps\nmax abs / out", "right"),
        ("padded steps\nmax abs / out", "right"),
        ("result", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for output in document["outputs"]:
        table.add_row(*_output_row(output))
    console.print(table)

    for output in document["outputs"]:
        for line in output["problems"] + output["notes"] + _nan_lines(output["all"]):
            console.print(f"{_pair_text(output)}: {line}")
    for line in divergence_lines(document.get("divergence")) + weight_lines(document["weights"]):
        console.print(line)
    for line in steps_lines(document.get("steps")):
        console.print(line, markup=False)  # "rnnmigrate[plot]" is not a style
    console.print(verdict_line(document), style="bold green" if document["verdict"] == "PASS" else "bold red")


def _nan_lines(stats: dict[str, Any] | None) -> list[str]:
    if not stats or not (stats["nan_both"] or stats["nan_one_side"]):
        return []
    return [
        f"NaN on both sides at {stats['nan_both']} elements (equal), "
        f"on one side only at {stats['nan_one_side']} (mismatch)"
    ]


def _output_row(output: dict[str, Any]) -> list[str]:
    shape = _shape_text(output["old_shape"], output["new_shape"])
    dtype = output["old_dtype"] if output["old_dtype"] == output["new_dtype"] else f"{output['old_dtype']} / {output['new_dtype']}"
    result = output["result"]
    stats = output["all"]
    if stats is None:
        return [_pair_text(output), shape, dtype, "-", "-", "-", "; ".join(output["problems"]), "-", "-", result]
    return [
        _pair_text(output),
        shape,
        dtype,
        _format(stats["max_abs_diff"]),
        _format(stats["max_rel_diff"]),
        _share(stats),
        _worst(stats),
        _region_cell(output["valid_steps"]),
        _region_cell(output["padded_steps"]),
        result,
    ]


def _pair_text(pair: dict[str, Any]) -> str:
    return pair["old"] if pair["old"] == pair["new"] else f"{pair['old']} -> {pair['new']}"


def _shape_text(old: list | None, new: list | None) -> str:
    def text(shape: list | None) -> str:
        return "?" if shape is None else "(" + ", ".join(str(d) for d in shape) + ")"

    return text(old) if old == new else f"{text(old)} / {text(new)}"


def _format(value: float | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return "0" if value == 0 else f"{value:.3g}"


def _share(stats: dict[str, Any]) -> str:
    if stats["out_of_tolerance"] == 0:
        return "0"
    return f"{stats['share_out_of_tolerance']:.2%}"


def _worst(stats: dict[str, Any]) -> str:
    if stats["worst_index"] is None:
        return "-"
    index = "(" + ", ".join(str(i) for i in stats["worst_index"]) + ")"
    return f"{index} {_format(stats['worst_old'])} / {_format(stats['worst_new'])}"


def _region_cell(stats: dict[str, Any] | None) -> str:
    if stats is None:
        return "n/a"
    if stats["elements"] == 0:
        return "none"
    return f"{_format(stats['max_abs_diff'])} / {_share(stats)}"


def verdict_line(document: dict[str, Any]) -> str:
    outputs = document["outputs"]
    rows, batches = document["samples"]["rows"], document["samples"]["batches"]
    weights = weights_verdict(document["weights"]) if "weights" in document else None
    failing = [output for output in outputs if output["result"] == "FAIL"]
    if not failing:
        agree = f"{len(outputs)} outputs agree within tolerance on {rows} rows in {batches} batches"
        return f"{document['verdict']}: {agree}" + (f"; {weights}" if weights else "")
    described = ", ".join(f"{_pair_text(output)} ({_where(output)})" for output in failing)
    first = (document.get("divergence") or {}).get("first")
    where = f"; first diverges at OLD {first['old']} / NEW {first['new']}" if first else ""
    return f"FAIL: {len(failing)} of {len(outputs)} outputs differ: {described}{where}" + (f"; {weights}" if weights else "")


def _where(output: dict[str, Any]) -> str:
    if output["problems"]:
        return "; ".join(output["problems"])
    regions = [
        name
        for name, key in (("valid steps", "valid_steps"), ("padded steps", "padded_steps"))
        if output[key] and output[key]["out_of_tolerance"]
    ]
    return " and ".join(regions) if regions else f"{_share(output['all'])} out of tolerance"


# --- saved arrays -------------------------------------------------------------------------


def save_arrays(result: VerifyResult, outdir: str) -> list[Path]:
    """Both sides' outputs and the inputs fed to them, as .npy files: rerun with ``--inputs``.

    Batches are joined on each output's rows' axis (axis 1 of a time-major output)."""
    import numpy as np

    root = Path(outdir)
    groups = {
        "inputs": {name: [batch.inputs[name] for batch in result.plan.batches] for name in result.plan.batches[0].inputs},
        "old": result.old_outputs,
        "new": result.new_outputs,
    }
    row_axes = {("old", c.pair.old.name): c.layout.batch_axis for c in result.comparisons}
    row_axes.update({("new", c.pair.new.name): c.layout.batch_axis for c in result.comparisons})
    written: list[Path] = []
    try:
        for group, arrays in groups.items():
            (root / group).mkdir(parents=True, exist_ok=True)
            for name, batches in arrays.items():
                stem = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
                axis = row_axes.get((group, name), 0)
                if _stackable(batches, axis):
                    written.append(_save(np, root / group / f"{stem}.npy", np.concatenate(batches, axis=axis)))
                else:
                    for index, array in enumerate(batches):
                        written.append(_save(np, root / group / f"{stem}.batch{index}.npy", array))
    except OSError as error:
        raise VerifyError(f"{outdir}: cannot write the outputs ({describe(error)})") from None
    return written


def _stackable(batches: list, axis: int = 0) -> bool:
    def others(shape: tuple) -> tuple:
        return shape[:axis] + shape[axis + 1 :]

    return all(b.ndim > axis and others(b.shape) == others(batches[0].shape) for b in batches)


def _save(np: Any, path: Path, array: Any) -> Path:
    np.save(path, array)
    return path
