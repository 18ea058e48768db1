"""One line per site, a summary, and the same as JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any

from real_code.orchestrate import SiteResult

CONTEXTS = {"tf1": "TF1 as written", "graph": "(a) TF1 session + own Saver.restore",
            "graph_tf1_weights": "(a') TF1 session + tf1_weights (diagnostic)",
            "keras": "(b) Keras 3 Model.call x2 + tf1_weights",
            "keras_function": "(b) same, the two calls in one tf.function",
            "keras_only": "(b) same, eager, process without tf-keras"}


def describe_context(result: dict) -> str:
    status = result.get("status", "ERROR")
    if status == "OK":
        cases = result.get("taps", [])
        per_case = len(cases[0]) if cases else 0
        return f"OK ({len(result.get('calls', []))} RNN calls, {per_case} tensors, {len(cases)} input cases)"
    if status in ("PASS", "FAIL"):
        text = f"{status} {result['max_abs_diff']:.1e} ({result['worst']})"
        return text + "".join(f"; {note}" for note in model_notes(result))
    return f"{status}: {result.get('reason', '')}"


def model_notes(result: dict) -> list[str]:
    """What the Keras context saw beyond the numbers: tracking and rebuilding (issue 8, item 4)."""
    notes = []
    tracked = result.get("tracked_weights", [])
    if tracked:
        notes.append("model.weights after calls 1, 2: " + ", ".join(map(str, tracked)))
    loaded = result.get("loaded_variables_after_each_call", [])
    if loaded:
        notes.append("tf1_weights loads after calls 1, 2: " + ", ".join(map(str, loaded)))
    return notes


def site_line(result: SiteResult) -> str:
    site = result.site
    parts = [f"{site.project}@{result.commit} {site.path}:{site.line} {result.scan.get('api', site.api)}",
             f"rewrite: {result.rewrite}"]
    parts += [f"{name}: {describe_context(result.contexts.get(name, {}))}" for name in CONTEXTS]
    parts.append("hand edits: " + ("; ".join(result.edits) if result.edits else "none"))
    if result.stubs:
        parts.append("stubs: " + "; ".join(result.stubs))
    return "\n    ".join(parts)


def summary(results: list[SiteResult]) -> dict[str, Any]:
    passes = {name: sum(1 for r in results if r.contexts.get(name, {}).get("status") in ("OK", "PASS"))
              for name in CONTEXTS}
    return {"sites": len(results), "projects": len({r.site.project for r in results}),
            "rewritten": sum(1 for r in results if r.rewrite.startswith("rewritten")),
            "passes": passes,
            "statuses": {name: dict(Counter(r.contexts.get(name, {}).get("status", "?") for r in results))
                         for name in CONTEXTS}}


def header(results: list[SiteResult], runtime: str) -> str:
    used = sorted({c["runtime"] for r in results for c in r.contexts.values() if "runtime" in c})
    return f"rnnmigrate runtime: {runtime}; imported by the runs from: {', '.join(used) or '-'}"


def text(results: list[SiteResult], runtime: str) -> str:
    return "\n".join([header(results, runtime)] + [site_line(r) for r in results] + [summary_text(results)])


def summary_text(results: list[SiteResult]) -> str:
    lines = []
    numbers = summary(results)
    lines.append(f"{numbers['sites']} sites in {numbers['projects']} projects; {numbers['rewritten']} rewritten")
    for name, title in CONTEXTS.items():
        counts = ", ".join(f"{status} {count}" for status, count in sorted(numbers["statuses"][name].items()))
        lines.append(f"  {title}: {counts}")
    return "\n".join(lines)


def as_json(results: list[SiteResult], runtime: str) -> dict[str, Any]:
    def context(value: dict) -> dict:
        keep = ("status", "reason", "max_abs_diff", "worst", "compared", "diffs", "calls", "tracked_weights",
                "loaded_variables_after_each_call")
        return {key: value[key] for key in keep if key in value}

    return {"runtime": runtime, "summary": summary(results), "sites": [
        {"id": r.site.id, "project": r.site.project, "commit": r.commit, "path": r.site.path,
         "line": r.site.line, "api": r.scan.get("api", r.site.api), "scan": r.scan, "rewrite": r.rewrite,
         "contexts": {name: context(r.contexts.get(name, {})) for name in CONTEXTS},
         "hand_edits": r.edits, "stubs": r.stubs}
        for r in results]}


def _cell(context: dict) -> str:
    """A short table cell: PASS/FAIL with the diff, ERROR with its message, SKIP as a dash."""
    status = context.get("status", "?")
    if status == "SKIP":
        return "-"
    if status == "OK":
        return "OK"
    if status in ("PASS", "FAIL"):
        text = f"{status} {context['max_abs_diff']:.1e}"
        if context.get("tracked_weights"):
            text += " (weights " + ", ".join(map(str, context["tracked_weights"])) + ")"
        return text
    reason = context.get("reason", "")
    return f"{status}: {reason[:110]}{'...' if len(reason) > 110 else ''}".replace("|", "/")


def markdown_table(document: dict) -> str:
    """The README table, from the JSON document (so a saved run can be rendered again)."""
    rows = ["| project | commit | site | rewrite | TF1 | (a) session + own restore | (a') session + tf1_weights "
            "| (b) Keras Model x2 | (b) in tf.function | (b) without tf-keras |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for site in document["sites"]:
        cells = [_cell(site["contexts"].get(name, {})) for name in CONTEXTS]
        rewrite = site["rewrite"].replace("|", "/")
        rows.append(f"| {site['project']} | {site['commit']} | `{site['path']}:{site['line']}` | {rewrite} | "
                    + " | ".join(cells) + " |")
    return "\n".join(rows)
