"""Per-project scan numbers over the whole corpus (issue 10's table), from the real CLI.

Call sites are the findings issue 10 counts: RNN001-RNN004 (`dynamic_rnn`,
`bidirectional_dynamic_rnn`, `static_rnn`, `static_bidirectional_rnn`). `scan` is read-only,
so it runs on the corpus directories themselves. `safe` fixes are what `rewrite --apply`
rewrites, `unsafe` ones need `--unsafe-fixes`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

CALL_CODES = ("RNN001", "RNN002", "RNN003", "RNN004")
# issue 11's constructs: wrappers, custom RNNCell subclasses, contrib-only cells, cuDNN, block and
# layer-norm/NAS cells
CONSTRUCT_CODES = ("RNN105", "RNN106", "RNN107", "RNN108", "RNN109", "RNN111", "RNN112")
MANUAL_BY_RULE = ("RNN005", "RNN006", "RNN007", "RNN008")  # state saver, raw_rnn, stacked bi, seq2seq


def scan_project(directory: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "rnnmigrate", "scan", "--format", "json", "--exit-zero", "."],
                          cwd=directory, capture_output=True, text=True, timeout=600)
    try:
        document = json.loads(done.stdout)
    except ValueError:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]}
    calls = [f for f in document["findings"] if f["code"] in CALL_CODES]
    constructs = [{"construct": construct_name(f), "verdict": f["verdict"], "safety": f.get("safety"),
                   "reason": f.get("reason")} for f in document["findings"] if f["code"] in CONSTRUCT_CODES]
    reasons = Counter(f["reason"] for f in calls if f["verdict"] != "auto")
    return {"call_sites": len(calls), "auto": sum(1 for f in calls if f["verdict"] == "auto"),
            "safe": sum(1 for f in calls if f["verdict"] == "auto" and f.get("safety") == "safe"),
            "unsafe": sum(1 for f in calls if f["verdict"] == "auto" and f.get("safety") == "unsafe"),
            "manual": sum(1 for f in calls if f["verdict"] != "auto"),
            "manual_reasons": dict(reasons.most_common()),
            "manual_by_rule_calls": sum(1 for f in document["findings"] if f["code"] in MANUAL_BY_RULE),
            # RNN2xx: what else keeps the project from running on TF 2.21 (info findings)
            "other_blockers": document["summary"].get("info", 0),
            "files_with_other_blockers": document["summary"].get("files_with_blockers", 0),
            "unscannable_files": [e["path"] for e in document.get("errors", [])],
            "constructs": constructs}


def scan_corpus(corpus: Path, commit_of) -> dict[str, dict]:
    """Every project directory of the corpus, by name, with its commit."""
    return {path.name: {"commit": commit_of(path), **scan_project(path)}
            for path in sorted(corpus.iterdir()) if path.is_dir() and not path.name.startswith(".")}


def table(projects: dict[str, dict]) -> str:
    rows = ["| project | commit | RNN call sites | rewritten: safe / unsafe | left manual | manual reasons | "
            "RNN005-008 uses | other TF1 blockers (RNN2xx uses / files) | files scan cannot read |",
            "|---|---|---|---|---|---|---|---|---|"]
    totals = Counter()
    for name, numbers in projects.items():
        if "error" in numbers:
            rows.append(f"| {name} | {numbers['commit']} | scan failed: {numbers['error']} | | | | | | |")
            continue
        totals.update({key: numbers[key] for key in ("call_sites", "auto", "manual", "safe", "unsafe")})
        totals.update({key: numbers.get(key, 0) for key in ("other_blockers", "files_with_other_blockers")})
        blockers = f"{numbers['other_blockers']} / {numbers['files_with_other_blockers']}" if "other_blockers" in numbers else "-"
        reasons = "; ".join(f"{count}x {reason}" for reason, count in numbers["manual_reasons"].items())
        rows.append(f"| {name} | {numbers['commit']} | {numbers['call_sites']} | {numbers['safe']} / {numbers['unsafe']} | "
                    f"{numbers['manual']} | {reasons.replace('|', '/')} | {numbers['manual_by_rule_calls']} | "
                    f"{blockers} | {len(numbers['unscannable_files'])} |")
    calls = totals["call_sites"] or 1
    share = f"{totals['safe']} / {totals['unsafe']} ({100 * totals['auto'] / calls:.0f}%: {100 * totals['safe'] / calls:.0f}% safe)"
    rows.append(f"| **total** | | {totals['call_sites']} | {share} | {totals['manual']} | | | "
                f"{totals['other_blockers']} / {totals['files_with_other_blockers']} | |")
    return "\n".join(rows)


def construct_name(finding: dict) -> str:
    """The class a construct finding is about; a class statement subclassing a TF1 cell counts as one kind."""
    name = finding["api"].rsplit(".", 1)[-1]
    if finding["code"] == "RNN106":
        return "class subclassing a TF1 cell"
    return name


def constructs_table(projects: dict[str, dict]) -> str:
    """Per construct over the whole corpus: how many uses, how many now migrate, why the rest do not."""
    counts: dict[str, Counter] = {}
    reasons: dict[str, Counter] = {}
    for numbers in projects.values():
        for use in numbers.get("constructs", []):
            kind = counts.setdefault(use["construct"], Counter())
            kind["uses"] += 1
            kind[use["safety"] if use["verdict"] == "auto" else "manual"] += 1
            if use["verdict"] != "auto":
                reasons.setdefault(use["construct"], Counter())[use["reason"]] += 1
    rows = ["| construct | uses | migrate: safe / unsafe | left manual | main reason left manual |", "|---|---|---|---|---|"]
    for name, kind in sorted(counts.items(), key=lambda item: (-item[1]["uses"], item[0])):
        top = reasons.get(name, Counter()).most_common(1)
        reason = f"{top[0][1]}x {top[0][0]}".replace("|", "/") if top else ""
        rows.append(f"| {name} | {kind['uses']} | {kind['safe']} / {kind['unsafe']} | {kind['manual']} | {reason} |")
    return "\n".join(rows)
