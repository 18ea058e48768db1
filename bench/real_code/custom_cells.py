"""RNNCell subclasses in a corpus: what the scan says of each, and whether it runs on the runtime base.

    python bench/real_code/custom_cells.py CORPUS_DIR [--json FILE|-] [--work DIR]

1. `rnnmigrate scan PROJECT --format json`, per project, finds the classes (RNN106, a finding at
   a class's base class) and gives each one's verdict and reason.
2. Each project holding one is copied and rewritten with `rewrite --apply --unsafe-fixes`. A
   class the scan keeps manual but whose base is `RNNCell` / `LayerRNNCell` gets its base renamed
   by this script in a second copy (what RNN106's fix does), to see whether only the verdict stops it.
3. In a subprocess per class, the copy's module is imported with TF1's spellings mapped onto
   TF 2.21 (`real_code.shim`), an instance is built (required constructor arguments guessed from
   their names: units 4, a wrapped cell a runtime LSTMCell(4), ...) and run through
   `rnnmigrate.layers.DynamicRNN` eagerly on random inputs with lengths (5, 2). Third-party
   modules the environment lacks (sklearn, unidecode) are empty stand-ins while importing;
   each record lists them.

It measures and never fails (exit 0; 2 on bad usage). `PYTHONPATH` picks the rnnmigrate under
test. Numbers are not compared with TF1 here (the differential proof is tests/layers/
test_layers_custom_cells.py): "runs" means one eager DynamicRNN call returns finite outputs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNTIME_BASES = ("RNNCell", "LayerRNNCell")
TRIAL_TIMEOUT = 300


def scan(corpus: Path) -> list[dict]:
    """Each project scanned on its own and whole (its root for imports; the RNN calls that run a
    class decide its verdict, so nothing is left out with --select)."""
    found = []
    for project in sorted(path for path in corpus.iterdir() if path.is_dir()):
        done = subprocess.run([sys.executable, "-m", "rnnmigrate", "scan", str(project), "--format", "json",
                               "--exit-zero"], capture_output=True, text=True, cwd="/")
        found += [finding for finding in json.loads(done.stdout)["findings"] if finding["code"] == "RNN106"]
    return found


def _class_at(path: Path, line: int, column: int) -> str | None:
    """The class whose base class starts at (line, 1-based column), or None (a reference, not a class)."""
    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            if any(base.lineno == line and base.col_offset == column - 1 for base in node.bases):
                return node.name
    return None


def classes(corpus: Path) -> list[dict]:
    found = []
    for finding in scan(corpus):
        path = Path(finding["path"])
        name = _class_at(path, finding["line"], finding["column"])
        if name is None:
            continue
        relative = path.resolve().relative_to(corpus.resolve())
        found.append({
            "project": relative.parts[0],
            "path": str(relative),
            "line": finding["line"],
            "class": name,
            "base": finding["api"],
            "verdict": "unsafe" if finding["verdict"] == "auto" and finding["safety"] == "unsafe" else finding["verdict"],
            "reason": finding["reason"],
            "span": (finding["line"], finding["column"], finding["end_line"], finding["end_column"]),
        })
    return found


def _rewritten_copy(corpus: Path, project: str, work: Path) -> Path:
    copy = work / "rewritten" / project
    if not copy.exists():
        shutil.copytree(corpus / project, copy, symlinks=True)
        subprocess.run([sys.executable, "-m", "rnnmigrate", "rewrite", str(copy), "--apply", "--unsafe-fixes"],
                       capture_output=True, text=True, cwd="/")
    return copy


def _renamed_copy(corpus: Path, project: str, work: Path, wanted: list[dict]) -> Path:
    """The project with the given classes' base classes renamed to the runtime's, nothing else changed."""
    copy = work / "renamed" / project
    if not copy.exists():
        shutil.copytree(corpus / project, copy, symlinks=True)
    by_file: dict[str, list[dict]] = {}
    for record in wanted:
        by_file.setdefault(record["path"], []).append(record)
    for relative, records in by_file.items():
        path = corpus.parent / corpus.name / relative
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        for record in sorted(records, key=lambda r: r["span"], reverse=True):
            line, column, end_line, end_column = record["span"]
            if line != end_line:
                continue
            text = lines[line - 1]
            short = record["base"].rsplit(".", 1)[-1]
            lines[line - 1] = text[: column - 1] + f"_rnnmigrate_layers.{short}" + text[end_column - 1 :]
        insert = _after_future_imports(lines)
        lines.insert(insert, "import rnnmigrate.layers as _rnnmigrate_layers\n")
        (work / "renamed" / relative).write_text("".join(lines), encoding="utf-8")
    return copy


def _after_future_imports(lines: list[str]) -> int:
    tree = ast.parse("".join(lines))
    last = 0
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            last = statement.end_lineno or statement.lineno
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and last == 0:
            last = statement.end_lineno or statement.lineno  # the module docstring
    return last


TRIAL = r'''
import inspect, json, os, sys, traceback
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
root, module_name, class_name, own_dir = sys.argv[1:5]
sys.path[:0] = [root, own_dir, HERE]  # own_dir: Python 2's implicit relative imports
result = {"stage": "import", "stubbed_modules": []}

import importlib.abc, importlib.machinery, types


class _Stubs(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Third-party modules the environment lacks (sklearn, unidecode...): empty stand-ins, recorded."""

    roots = set()

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__getattr__ = lambda attribute: type(attribute, (), {})
        return module

    def exec_module(self, module):
        pass


sys.meta_path.append(_Stubs())
try:
    import numpy as np
    import tensorflow as tf
    import rnnmigrate.layers as runtime
    from real_code import shim

    for attempt in range(12):
        try:
            with shim.installed(eager=True):
                module = importlib.import_module(module_name)
            break
        except ModuleNotFoundError as missing:
            top = (missing.name or "").split(".")[0]
            project_module = os.path.exists(os.path.join(root, top)) or os.path.exists(os.path.join(root, top + ".py"))
            if not top or top in _Stubs.roots or project_module or top in ("tensorflow", "rnnmigrate"):
                raise
            _Stubs.roots.add(top)
            result["stubbed_modules"].append(top)
            for name in [name for name in sys.modules if name.split(".")[0] == module_name.split(".")[0]]:
                del sys.modules[name]
    cls = getattr(module, class_name)
    result["on_runtime_base"] = issubclass(cls, runtime.RNNCell)
    result["stage"] = "construct"

    def guess(name):
        lowered = name.lower()
        if lowered == "cells":
            return [runtime.LSTMCell(4), runtime.LSTMCell(4)]
        if "cell" in lowered:
            return runtime.LSTMCell(4)
        if lowered in ("is_train", "is_training", "training", "train"):
            return False
        if "prob" in lowered or "keep" in lowered:
            return 1.0
        if lowered == "recurrent_activation":
            return tf.sigmoid
        if "activation" in lowered:
            return tf.tanh
        if "init" in lowered:
            return tf.compat.v1.glorot_uniform_initializer()
        if lowered.endswith(("sizes", "depths")):
            return [4, 4]
        if any(part in lowered for part in ("unit", "size", "dim", "num", "depth")):
            return 4
        raise TypeError(f"cannot guess constructor argument {name!r}")

    arguments = {}
    for parameter in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if parameter.default is inspect.Parameter.empty and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            arguments[parameter.name] = guess(parameter.name)
    result["arguments"] = {key: repr(value)[:40] for key, value in arguments.items()}
    cell = cls(**arguments)
    result["stage"] = "run"
    inputs = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    outputs, state = runtime.DynamicRNN(cell)(inputs, sequence_length=np.array([5, 2], "int32"))
    result["output_shape"] = list(outputs.shape)
    result["finite"] = bool(np.all(np.isfinite(np.asarray(outputs))))
    result["variables"] = sorted(cell.tf1_variables())
    result["stage"] = "ran"
except BaseException as error:  # noqa: BLE001 - the report says what stopped it
    lines = traceback.format_exception_only(type(error), error)
    result["error"] = (type(error).__name__ + ": " + str(error).strip().splitlines()[0][:200]) if str(error).strip() else lines[-1].strip()
print("TRIAL " + json.dumps(result))
'''


def trial(root: Path, relative: str, class_name: str) -> dict:
    module = ".".join(Path(relative).with_suffix("").parts[1:])
    script = TRIAL.replace("HERE", repr(str(HERE.parent)))
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        own_dir = str((root.parent / relative).parent)
        done = subprocess.run([sys.executable, "-c", script, str(root), module, class_name, own_dir],
                              capture_output=True, text=True, cwd=str(root), timeout=TRIAL_TIMEOUT, env=environment)
    except subprocess.TimeoutExpired:
        return {"stage": "run", "error": f"timed out after {TRIAL_TIMEOUT} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("TRIAL ")]
    if not lines:
        return {"stage": "import", "error": (done.stderr.strip().splitlines() or ["no output"])[-1][:200]}
    return json.loads(lines[-1][len("TRIAL "):])


def measure(corpus: Path, work: Path) -> list[dict]:
    records = classes(corpus)
    renamable = [record for record in records if record["verdict"] == "manual"
                 and record["base"].rsplit(".", 1)[-1] in RUNTIME_BASES]
    for record in records:
        if record["verdict"] == "unsafe":
            root, how = _rewritten_copy(corpus, record["project"], work), "rewritten by rnnmigrate --unsafe-fixes"
        elif record in renamable:
            wanted = [other for other in renamable if other["project"] == record["project"]]
            root, how = _renamed_copy(corpus, record["project"], work, wanted), "base renamed by this script"
        else:
            record["trial"] = None
            continue
        record["trial"] = {"copy": how, **trial(root, record["path"], record["class"])}
    return records


def summary(records: list[dict]) -> dict:
    migrates = [record for record in records if record["verdict"] != "manual"]
    ran = [record for record in records if record.get("trial") and record["trial"].get("stage") == "ran"
           and record["trial"].get("finite")]
    return {
        "subclasses": len(records),
        "migrate (auto, unsafe fix)": len(migrates),
        "run on the runtime base": len(ran),
        "run, rewritten by rnnmigrate": sum(1 for record in ran if record["verdict"] != "manual"),
    }


def markdown(records: list[dict]) -> str:
    rows = ["| class | file | verdict | reason | on the runtime base |", "|---|---|---|---|---|"]
    for record in records:
        outcome = "not tried (its base is a concrete cell)"
        if record.get("trial"):
            found = record["trial"]
            outcome = (f"runs ({found['copy']}; outputs {found.get('output_shape')})" if found.get("stage") == "ran"
                       else f"stops at {found.get('stage')}: {found.get('error')} ({found['copy']})")
        reason = (record["reason"] or "").replace("|", "\\|")
        rows.append(f"| {record['class']} | {record['path']}:{record['line']} | {record['verdict']} | {reason} | {outcome.replace('|', '/')} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--json", default=None, help="write the records as JSON to FILE ('-' for stdout)")
    parser.add_argument("--work", type=Path, default=None, help="keep the copies here (default: a temp dir)")
    options = parser.parse_args(argv)
    if not options.corpus.is_dir():
        parser.error(f"{options.corpus} is not a directory")
    work = options.work or Path(tempfile.mkdtemp(prefix="custom_cells_"))
    records = measure(options.corpus, work)
    for record in records:
        record.pop("span", None)
    document = {"summary": summary(records), "classes": records}
    if options.json == "-":
        print(json.dumps(document, indent=2))
    else:
        if options.json:
            Path(options.json).write_text(json.dumps(document, indent=2), encoding="utf-8")
        print(markdown(records))
        print()
        print(", ".join(f"{key}: {value}" for key, value in document["summary"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
