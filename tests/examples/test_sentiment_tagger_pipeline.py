"""The sentiment/tagger example end to end: TF1 train/export -> scan -> rewrite -> build Keras -> verify.

The pipeline is examples/sentiment_tagger/run_all.sh, run once per test module
with few training steps into a temporary folder. Then: verify passes on the
pair; a port with one TF1 detail wrong (LSTM forget_bias) fails verify; and the
migrated copy kept in the repo is what the rewrite produces today.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sentiment_tagger"


def run(command, **env):
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env}
    environment.pop("TF_USE_LEGACY_KERAS", None)  # the Keras side must run without it
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    artifacts = tmp_path_factory.mktemp("sentiment_tagger")
    result = run(["bash", str(EXAMPLE / "run_all.sh")], PYTHON=sys.executable, STEPS="20", ARTIFACTS=str(artifacts))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return artifacts, result.stdout + result.stderr


def test_migrated_copy_is_todays_rewrite_of_the_tf1_model():
    from rnnmigrate.rewrite import rewrite_source

    tf1_model = EXAMPLE / "tf1" / "model.py"
    rewritten = rewrite_source(tf1_model.read_text(), str(tf1_model)).text
    assert rewritten == (EXAMPLE / "migrated" / "model.py").read_text()


@pytest.mark.slow
def test_scan_rewrite_and_verify_pass_on_the_example(pipeline):
    artifacts, output = pipeline
    assert "9 findings (7 auto, 0 manual, 2 info)" in output
    assert "rewrote 7 sites in 1 file; 0 left for a person" in output
    report = json.loads((artifacts / "verify.json").read_text())
    assert report["verdict"] == "PASS"
    assert {item["new"] for item in report["outputs"]} == {"class_probs", "tag_logits"}
    for item in report["outputs"]:
        assert item["all"]["max_abs_diff"] <= 1e-5


@pytest.mark.slow
def test_verify_fails_a_port_that_drops_the_lstm_forget_bias(pipeline, tmp_path):
    artifacts, _ = pipeline
    broken = tmp_path / "broken_model.py"
    source = (artifacts / "rewritten" / "model.py").read_text()
    assert source.count("LSTMCell(HIDDEN_SIZE)") == 2
    broken.write_text(source.replace("LSTMCell(HIDDEN_SIZE)", "LSTMCell(HIDDEN_SIZE, forget_bias=0.0)"))
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "import build_keras\n"
        "model, _ = build_keras.build_model(build_keras.load_module(%r), %r)\n"
        "model.save(%r)\n"
    ) % (str(EXAMPLE), str(broken), str(artifacts / "tf1" / "checkpoint" / "model.ckpt"), str(tmp_path / "broken.keras"))
    built = run([sys.executable, "-c", script])
    assert built.returncode == 0, built.stderr[-3000:]

    verify = run([sys.executable, "-m", "rnnmigrate", "verify", str(artifacts / "tf1" / "saved_model"),
                  str(tmp_path / "broken.keras")])
    assert verify.returncode == 1, verify.stdout[-3000:] + verify.stderr[-3000:]
    assert "tag_logits" in verify.stdout and "FAIL" in verify.stdout
