"""Every corpus project rewritten whole, with `--unsafe-fixes`, and the rewrite's promises checked.

For each project, on a copy of its Python files and notebooks (and `pyproject.toml` /
`setup.cfg`, which decide the project root): `rnnmigrate rewrite --apply --unsafe-fixes .`, then
* every `.py` file it changed parses (a notebook's cells are checked by the rewrite itself);
* a second run changes nothing (the rewrite is a fixed point);
* `scan` afterwards reports no fix left (`auto` findings), safe or unsafe.
The numbers are measured, never asserted: the table shows what broke, if anything.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT_FILES = ("pyproject.toml", "setup.cfg")


def copy_sources(source: Path, target: Path) -> dict[Path, bytes]:
    """The project's Python files and root markers, copied; their bytes by path in the copy."""
    if target.exists():
        shutil.rmtree(target)
    copied = {}
    for path in (*source.rglob("*.py"), *source.rglob("*.ipynb"), *(source / name for name in ROOT_FILES)):
        if ".git" in path.parts or not path.is_file():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied[destination] = path.read_bytes()
    return copied


def _rnnmigrate(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnmigrate", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=1800)


def _changed(files: dict[Path, bytes]) -> list[Path]:
    return [path for path, data in files.items() if path.read_bytes() != data]


def rewrite_project(source: Path, copy: Path) -> dict:
    original = copy_sources(source, copy)
    first = _rnnmigrate("rewrite", "--apply", "--unsafe-fixes", ".", cwd=copy)
    sites = re.search(r"rewrote (\d+) sites?", first.stdout + first.stderr)
    changed = _changed(original)
    unparsable = []
    for path in (path for path in changed if path.suffix == ".py"):
        try:
            ast.parse(path.read_bytes())
        except SyntaxError:
            unparsable.append(str(path.relative_to(copy)))
    after_first = {path: path.read_bytes() for path in original}
    _rnnmigrate("rewrite", "--apply", "--unsafe-fixes", ".", cwd=copy)
    again = [str(path.relative_to(copy)) for path in _changed(after_first)]
    scanned = _rnnmigrate("scan", "--format", "json", "--exit-zero", ".", cwd=copy)
    left = [f"{f['path']}:{f['line']} {f['code']}" for f in json.loads(scanned.stdout)["findings"] if f["verdict"] == "auto"]
    return {"files_changed": len(changed), "sites_rewritten": int(sites.group(1)) if sites else 0,
            "unparsable": unparsable, "changed_again": again, "fixes_left": left,
            "exit_code": first.returncode}


def rewrite_corpus(corpus: Path, work: Path) -> dict[str, dict]:
    return {path.name: rewrite_project(path, work / "rewrite-all" / path.name)
            for path in sorted(corpus.iterdir()) if path.is_dir() and not path.name.startswith(".")}


def table(results: dict[str, dict]) -> str:
    rows = ["| project | files changed | sites rewritten | changed files that do not parse | "
            "files a second run changes | fixes left after |", "|---|---|---|---|---|---|"]
    totals = [0, 0, 0, 0, 0]
    for name, result in results.items():
        numbers = [result["files_changed"], result["sites_rewritten"], len(result["unparsable"]),
                   len(result["changed_again"]), len(result["fixes_left"])]
        totals = [total + number for total, number in zip(totals, numbers)]
        rows.append(f"| {name} | " + " | ".join(map(str, numbers)) + " |")
    rows.append("| **total** | " + " | ".join(map(str, totals)) + " |")
    return "\n".join(rows)
