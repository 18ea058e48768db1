"""Redraw docs/verify_steps.png, the per-step picture in the README's verify section.

Builds the verify tests' TF1 model (embedding + dynamic_rnn(LSTMCell(7, forget_bias=1.0)),
random weights) and a hand port to Keras 3 that copies every weight but does not fold
forget_bias into the bias, then runs ``rnnmigrate verify OLD NEW --outdir`` on them and copies
``steps/outputs.png``. Needs ``pip install -e ".[test]"``.

Usage: python docs/make_verify_picture.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # the TF1 side needs the legacy cells
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "verify"))

from conftest import build_keras, build_tf1  # noqa: E402  (the tests' model builders)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        reference = build_tf1(directory, "lstm")
        port = directory / "forget_bias_not_folded.keras"
        build_keras(reference.weights, "lstm", fold_forget_bias=False).save(port)
        outdir = directory / "out"
        command = [sys.executable, "-m", "rnnmigrate", "verify", str(reference.savedmodel), str(port), "--outdir", str(outdir)]
        completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if completed.returncode != 1:
            sys.exit(f"verify should fail this port (exit 1), exited {completed.returncode}:\n{completed.stderr}")
        target = ROOT / "docs" / "verify_steps.png"
        shutil.copyfile(outdir / "steps" / "outputs.png", target)
        print(completed.stdout.splitlines()[-1])
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
