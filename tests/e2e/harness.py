"""Differential harness: a TF1 program as written versus its rewritten Keras 3 copy.

Every program in `programs/` follows one contract:

* `INPUTS = {argument name: (shape, dtype)}`. Float inputs are features; int32
  inputs are sequence lengths, whose values run from 0 to `MAX_TIME`.
* `MAX_TIME`: the number of time steps (needed by programs that take lengths).
* `build(**inputs) -> {name: tensor}` returns every output and every state tensor.
  `build` creates RNN variables only, so every weight is an RNN weight.

The TF1 side runs the program unchanged in a fresh graph and session, with
random values assigned to every trainable variable. The Keras side imports the
rewritten source from a temporary file and runs `build` eagerly, under
`rnnmigrate.layers.tf1_weights(...)` holding the very same values.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROGRAMS_DIR = Path(__file__).parent / "programs"

# The agreement the project promises for float32; never widen it.
TOLERANCE = 1e-5


def program_paths() -> list[Path]:
    return sorted(PROGRAMS_DIR.glob("*.py"))


_loaded_count = 0


def load_module(path: Path):
    """Import a Python file as a fresh module object (never cached in sys.modules)."""
    global _loaded_count
    _loaded_count += 1
    name = f"_e2e_program_{path.stem}_{_loaded_count}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Rewritten sources live here for the whole process, so tracebacks can show their lines.
_rewritten_dir = tempfile.TemporaryDirectory(prefix="rnnmigrate_e2e_")


def load_source(source: str, stem: str):
    """Import Python source text by writing it to a temporary file first."""
    path = Path(_rewritten_dir.name) / f"{stem}_rewritten.py"
    path.write_text(source)
    return load_module(path)


# ---------------------------------------------------------------- inputs


def _length_values(batch: int, max_time: int, rng, all_shorter: bool) -> np.ndarray:
    """Lengths that include the edge cases 0, 1 and max_time (or stay below it).

    `all_shorter` makes a batch whose longest row is shorter than the padded time
    axis, which breaks ports that build the mask without `maxlen`.
    """
    if all_shorter:
        pattern = [max_time - 1, 0, 1, max(max_time - 3, 0)]
    else:
        pattern = [max_time, 0, 1, max(max_time - 2, 0)]
    values = [pattern[i % len(pattern)] for i in range(batch)]
    return rng.permutation(np.array(values, dtype=np.int32))


def make_inputs(module, seed: int, all_shorter: bool = False) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = {}
    for name, (shape, dtype) in module.INPUTS.items():
        if dtype == "int32":
            (batch,) = shape
            inputs[name] = _length_values(batch, module.MAX_TIME, rng, all_shorter)
        else:
            inputs[name] = rng.normal(size=shape).astype(dtype)
    return inputs


def input_cases(module) -> list[dict[str, np.ndarray]]:
    """Two batches: lengths with 0, 1 and MAX_TIME; and lengths all below MAX_TIME."""
    return [make_inputs(module, seed=1), make_inputs(module, seed=2, all_shorter=True)]


# ---------------------------------------------------------------- TF1 side


@dataclass
class TF1Run:
    weights: dict[str, np.ndarray]  # checkpoint-style names, no ":0"
    outputs: list[dict[str, np.ndarray]]  # one dict per input case
    checkpoint: str = ""  # the TF1 program's own Saver checkpoint of those weights


def _build_graph(module):
    """A fresh graph with one placeholder per input and the program's fetches."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        placeholders = {
            name: v1.placeholder(dtype, shape, name=name)
            for name, (shape, dtype) in module.INPUTS.items()
        }
        fetches = module.build(**placeholders)
    return graph, placeholders, fetches


def run_tf1(module, cases, seed: int = 0) -> TF1Run:
    """Run the program as written: fresh graph, placeholders, random weights, session; save a checkpoint."""
    import tensorflow as tf

    v1 = tf.compat.v1
    rng = np.random.default_rng(seed)
    graph, placeholders, fetches = _build_graph(module)
    with graph.as_default():
        variables = v1.trainable_variables()
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            weights = {}
            for variable in variables:
                value = rng.uniform(-0.6, 0.6, size=variable.shape).astype(np.float32)
                variable.load(value, session)
                weights[variable.op.name] = value
            outputs = [
                session.run(fetches, {placeholders[k]: v for k, v in case.items()})
                for case in cases
            ]
            checkpoint = v1.train.Saver().save(session, tempfile.mkdtemp(dir=_rewritten_dir.name) + "/model")
    if not weights:
        raise AssertionError(f"{module.__name__}: build created no trainable variables")
    return TF1Run(weights=weights, outputs=outputs, checkpoint=checkpoint)


def run_in_tf1_session(module, checkpoint: str, cases) -> list[dict[str, np.ndarray]]:
    """Run a (rewritten) program as TF1 programs run: graph, placeholders, session, its own Saver's restore."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph, placeholders, fetches = _build_graph(module)
    with graph.as_default():
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            v1.train.Saver().restore(session, checkpoint)
            return [session.run(fetches, {placeholders[k]: v for k, v in case.items()}) for case in cases]


# ---------------------------------------------------------------- Keras 3 side


def run_keras(module, weights, cases) -> list[dict[str, np.ndarray]]:
    """Run the rewritten program eagerly, every RNN loading its TF1 weights by scope."""
    import tensorflow as tf

    from rnnmigrate.layers import tf1_weights

    results = []
    for case in cases:
        tensors = {name: tf.constant(value) for name, value in case.items()}
        with tf1_weights(weights) as loading:
            fetched = module.build(**tensors)
        unused = sorted(set(weights) - set(loading.loaded_variables))
        if unused:
            raise AssertionError(f"TF1 variables the Keras side never loaded: {unused}")
        results.append({name: np.asarray(value) for name, value in fetched.items()})
    return results


# ---------------------------------------------------------------- comparison


def max_abs_diffs(expected: dict, actual: dict) -> dict[str, float]:
    """Max abs difference per output name; shape or key mismatches raise."""
    if set(expected) != set(actual):
        raise AssertionError(f"output names differ: TF1 {sorted(expected)}, Keras {sorted(actual)}")
    diffs = {}
    for name in expected:
        want, got = np.asarray(expected[name]), np.asarray(actual[name])
        if want.shape != got.shape:
            raise AssertionError(f"{name}: shape TF1 {want.shape} vs Keras {got.shape}")
        diffs[name] = float(np.max(np.abs(want - got))) if want.size else 0.0
    return diffs


def compare_program(path: Path, rewritten_source: str) -> list[dict[str, float]]:
    """Run both sides for one program; return the per-case, per-output max abs diffs."""
    original = load_module(path)
    cases = input_cases(original)
    tf1 = run_tf1(original, cases)
    migrated = load_source(rewritten_source, path.stem)
    keras_outputs = run_keras(migrated, tf1.weights, cases)
    return [max_abs_diffs(want, got) for want, got in zip(tf1.outputs, keras_outputs)]


def worst(diffs_per_case: list[dict[str, float]]) -> tuple[str, float]:
    name, value = max(
        ((name, value) for case in diffs_per_case for name, value in case.items()),
        key=lambda item: item[1],
    )
    return name, value


# ---------------------------------------------------------------- Keras 3 only process


def run_keras_in_clean_process(jobs: dict) -> dict:
    """Run the Keras side of several programs in a fresh interpreter without legacy Keras.

    The test session sets TF_USE_LEGACY_KERAS=1 for the TF1 side, which would hide
    migrated code that still needs tf-keras. `jobs` maps a name to
    (rewritten source, weights, input cases); the result maps it to the list of
    output dicts, or to the error text when the program failed.
    """
    with tempfile.TemporaryDirectory(prefix="rnnmigrate_e2e_keras_") as folder:
        payload, result = Path(folder) / "jobs.pkl", Path(folder) / "result.pkl"
        payload.write_bytes(pickle.dumps(jobs))
        environment = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
        environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        finished = subprocess.run(
            [sys.executable, __file__, "--keras-side", str(payload), str(result)],
            env=environment, capture_output=True, text=True, timeout=600,
        )
        if finished.returncode != 0:
            raise AssertionError(f"Keras-only process failed:\n{finished.stderr[-4000:]}")
        return pickle.loads(result.read_bytes())


def _keras_side_main(payload: Path, result: Path) -> None:
    jobs = pickle.loads(payload.read_bytes())
    results = {}
    for stem, (source, weights, cases) in jobs.items():
        try:
            results[stem] = run_keras(load_source(source, stem), weights, cases)
        except Exception:
            results[stem] = traceback.format_exc()
    if "tf_keras" in sys.modules:
        raise SystemExit("the Keras side imported tf_keras")
    result.write_bytes(pickle.dumps(results))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--keras-side"]:
        _keras_side_main(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        # Manual use: python harness.py PROGRAM.py MIGRATED.py
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
        program, migrated = map(Path, sys.argv[1:3])
        for i, case in enumerate(compare_program(program, migrated.read_text())):
            print(f"case {i}: " + ", ".join(f"{k}={v:.2e}" for k, v in sorted(case.items())))
