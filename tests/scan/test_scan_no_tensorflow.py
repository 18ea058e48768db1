"""The scanner never imports TensorFlow, Keras or NumPy: it must run where they are not installed.

Each command runs in a fresh interpreter through a small wrapper that, at exit, writes the
heavy modules that were imported to a file; the test asserts that list is empty.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "rules" / "fixtures"
HEAVY = ("tensorflow", "keras", "numpy")

WRAPPER = """
import atexit, json, runpy, sys

def _report():
    heavy = sorted(m for m in sys.modules if m.split('.')[0] in {heavy})
    with open({out!r}, 'w') as handle:
        json.dump(heavy, handle)

atexit.register(_report)
sys.argv = ['rnnmigrate', *{args!r}]
runpy.run_module('rnnmigrate', run_name='__main__', alter_sys=True)
"""


def run_wrapped(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    out = tmp_path / "heavy.json"
    code = WRAPPER.format(heavy=set(HEAVY), out=str(out), args=list(args))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.exists(), f"the wrapper did not report (exit {completed.returncode}): {completed.stderr}"
    return completed, json.loads(out.read_text())


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (["--help"], 0),
        (["rules"], 0),
        (["explain", "RNN001"], 0),
        (["scan", str(FIXTURES), "--format", "json"], 1),
        (["scan", str(FIXTURES), "--format", "sarif", "--jobs", "2"], 1),
    ],
    ids=["help", "rules", "explain", "scan-json", "scan-sarif"],
)
def test_command_imports_no_tensorflow_keras_or_numpy(tmp_path: Path, args: list[str], exit_code: int):
    completed, heavy = run_wrapped(tmp_path, *args)
    assert completed.returncode == exit_code, completed.stderr
    assert heavy == []


def test_the_wrapper_would_see_a_heavy_import(tmp_path: Path):
    """The check can fail: asked about typer, which the CLI does import, the same wrapper reports it."""
    out = tmp_path / "heavy.json"
    code = WRAPPER.format(heavy={"typer"}, out=str(out), args=["rules"])
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "typer" in json.loads(out.read_text())


def test_scan_output_from_the_subprocess_is_complete(tmp_path: Path):
    completed, _ = run_wrapped(tmp_path, "scan", str(FIXTURES), "--format", "json")
    document = json.loads(completed.stdout)
    assert document["summary"]["findings"] > 100
    assert document["errors"] == []
