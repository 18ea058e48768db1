"""The weights part of the report: counts, where each OLD variable went, and what is wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnmigrate.verify.pipeline import VerifyResult


def weights_document(result: VerifyResult) -> dict[str, Any]:
    weights = result.weights
    if weights is None:
        return {"result": "not compared", "note": result.weights_note}
    if weights.problems and not weights.inference_only:
        verdict = "FAIL"
    else:
        verdict = "WARN" if weights.warnings else "PASS"
    return {
        "result": verdict,
        "inference_only": weights.inference_only,
        "old_variables": weights.old_variables,
        "old_parameters": weights.old_parameters,
        "new_weights": weights.new_weights,
        "new_parameters": weights.new_parameters,
        "new_redundant_parameters": weights.redundant_new,
        "mapping": [
            {
                "old": mapping.old,
                "shape": list(mapping.shape),
                "new": list(mapping.new),
                "how": mapping.how or None,
                "copies": mapping.copies,
                "mapped": mapping.mapped,
            }
            for mapping in weights.mappings
        ],
        "unused_new": list(weights.unused_new),
        "problems": [] if weights.inference_only else list(weights.problems),
        "warnings": list(weights.warnings),
    }


def weight_lines(document: dict[str, Any]) -> list[str]:
    """The lines printed under the outputs table."""
    if document["result"] == "not compared":
        return [f"weights  {document['note']}"]
    lines = [
        f"weights  OLD {document['old_variables']} trainable variables, {document['old_parameters']:,} parameters; "
        f"NEW {document['new_weights']} trainable weights, {document['new_parameters']:,} parameters"
    ]
    for mapping in document["mapping"]:
        shape = "[" + ", ".join(str(dim) for dim in mapping["shape"]) + "]"
        target = ", ".join(mapping["new"]) if mapping["new"] else "not found"
        how = f" ({mapping['how']})" if mapping["how"] else ""
        lines.append(f"  {mapping['old']} {shape} -> {target}{how}")
    lines += [f"weights: {problem}" for problem in document["problems"]]
    lines += [f"weights warning: {warning}" for warning in document["warnings"]]
    return lines


def weights_verdict(document: dict[str, Any]) -> str | None:
    """What the verdict line adds for the weights, if anything."""
    if document["result"] == "FAIL":
        parts = []
        untied = [m for m in document["mapping"] if m["copies"] > 1]
        if untied:
            times = max(m["copies"] for m in untied)
            parts.append(f"{', '.join(m['old'] for m in untied)} held {times} times in NEW")
        effective = document["new_parameters"] - document.get("new_redundant_parameters", 0)
        if effective > document["old_parameters"]:
            parts.append(f"NEW has {document['new_parameters']} trainable parameters, OLD {document['old_parameters']}")
        return "weights: " + "; ".join(parts)
    if document["result"] == "WARN":
        count = len(document["warnings"])
        return f"weights: {count} warning{'s' if count != 1 else ''}"
    return None


def divergence_document(result: VerifyResult) -> dict[str, Any] | None:
    divergence = result.divergence
    if divergence is None:
        return None
    first = divergence.first
    return {
        "note": divergence.note,
        "first": None if first is None else {"old": first.old, "new": first.new},
        "boundaries": [
            {
                "old": b.old,
                "new": b.new,
                "diverges": b.diverges,
                "max_abs_diff": b.max_abs_diff,
                "out_of_tolerance": b.out_of_tolerance,
                "elements": b.elements,
                "problem": b.problem,
            }
            for b in divergence.boundaries
        ],
    }


def divergence_lines(document: dict[str, Any] | None) -> list[str]:
    if document is None:
        return []
    if document["note"]:
        return [f"diverges  not located: {document['note']}"]
    lines = []
    for boundary in document["boundaries"]:
        if boundary["problem"]:
            state = boundary["problem"]
        elif boundary["diverges"]:
            share = boundary["out_of_tolerance"] / boundary["elements"] if boundary["elements"] else 0.0
            state = f"differs on valid steps: max abs {boundary['max_abs_diff']:.3g}, {share:.2%} out of tolerance"
        else:
            state = f"agrees on valid steps (max abs {boundary['max_abs_diff']:.3g})"
        lines.append(f"  RNN OLD {boundary['old']} -> NEW {boundary['new']}: {state}")
    first = document["first"]
    head = (
        f"diverges  first at OLD scope {first['old']} / NEW layer {first['new']}"
        if first
        else "diverges  not at an RNN: every RNN's outputs agree on valid steps (look at padded steps and after the RNNs)"
    )
    return [head, *lines]
