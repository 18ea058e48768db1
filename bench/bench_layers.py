"""Forward time of rnnmigrate.layers against TF1's dynamic_rnn, same weights, same process.

    /work/venv/bin/python bench/bench_layers.py [--repeats 20] [--cells lstm,gru,basic_rnn,bi_lstm]

Batch 64, time 100, input depth 128, 256 units, lengths drawn from 50..100.
For each cell it builds the TF1 graph (legacy cells, graph + session), imports
its variables into the runtime with load_tf1_weights, checks that outputs and
final states agree to 1e-5, then times both forward passes (results fetched to
numpy on both sides).  The two sides alternate call by call and the ratio is
taken per pair, so a load change on a shared machine hits both equally.
Prints median milliseconds and the median per-pair ratio ours / TF1 (below 1:
ours is faster).  ``--before CHECKOUT`` runs the same bench on another
checkout's runtime (an older commit, ``git worktree add``) in a child process
first and prints both ratios per cell, each against TF1 in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # TF1's legacy cells need tf-keras, set before TF loads
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import rnnmigrate.layers as runtime  # noqa: E402

BATCH, TIME_STEPS, INPUT_DEPTH, UNITS = 64, 100, 128, 256
TOLERANCE = 1e-5
v1 = tf.compat.v1
rnn_cell = v1.nn.rnn_cell

CELLS = {
    "lstm": (lambda: rnn_cell.LSTMCell(UNITS), lambda: runtime.LSTMCell(UNITS)),
    "gru": (lambda: rnn_cell.GRUCell(UNITS), lambda: runtime.GRUCell(UNITS)),
    "basic_rnn": (lambda: rnn_cell.BasicRNNCell(UNITS), lambda: runtime.BasicRNNCell(UNITS)),
    "bi_lstm": (lambda: rnn_cell.LSTMCell(UNITS), lambda: runtime.LSTMCell(UNITS)),
}


def build_tf1(kind: str, make_cell) -> tuple:
    """(run function, {variable name: value}) for TF1's forward pass with random weights."""
    graph = tf.Graph()
    with graph.as_default():
        inputs = v1.placeholder(tf.float32, [None, None, INPUT_DEPTH])
        lengths = v1.placeholder(tf.int32, [None])
        if kind == "bi_lstm":
            fetches = v1.nn.bidirectional_dynamic_rnn(
                make_cell(), make_cell(), inputs, sequence_length=lengths, dtype=tf.float32
            )
        else:
            fetches = v1.nn.dynamic_rnn(make_cell(), inputs, sequence_length=lengths, dtype=tf.float32)
        session = v1.Session(graph=graph)
        rng = np.random.default_rng(0)
        values = {}
        for variable in v1.global_variables():
            value = rng.normal(0.0, 0.05, variable.shape.as_list()).astype(np.float32)
            variable.load(value, session)
            values[variable.name[:-2]] = value

    def run(x, n):
        return session.run(fetches, {inputs: x, lengths: n})

    return run, values


def build_ours(kind: str, make_cell, values: dict):
    if kind == "bi_lstm":
        layer = runtime.BidirectionalDynamicRNN(make_cell(), make_cell())
    else:
        layer = runtime.DynamicRNN(make_cell())
    runtime.load_tf1_weights(layer, values)

    def run(x, n):
        return tf.nest.map_structure(lambda tensor: tensor.numpy(), layer(x, sequence_length=n))

    return run


def max_abs_diff(ours, theirs) -> float:
    return max(float(np.max(np.abs(a - b))) for a, b in zip(tf.nest.flatten(ours), tf.nest.flatten(theirs)))


def seconds(run, x, n) -> float:
    start = time.perf_counter()
    run(x, n)
    return time.perf_counter() - start


def bench(kind: str, repeats: int) -> tuple[float, float, float, float]:
    make_tf1, make_ours = CELLS[kind]
    run_tf1, values = build_tf1(kind, make_tf1)
    run_ours = build_ours(kind, make_ours, values)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(BATCH, TIME_STEPS, INPUT_DEPTH)).astype(np.float32)
    n = rng.integers(50, TIME_STEPS + 1, size=BATCH).astype(np.int32)

    diff = max_abs_diff(run_ours(x, n), run_tf1(x, n))
    if diff > TOLERANCE:
        raise SystemExit(f"{kind}: ours and TF1 differ by {diff:.3g} > {TOLERANCE}")
    for _ in range(3):
        run_ours(x, n), run_tf1(x, n)
    pairs = [(seconds(run_ours, x, n), seconds(run_tf1, x, n)) for _ in range(repeats)]
    ours_ms = 1000 * statistics.median(ours for ours, _ in pairs)
    tf1_ms = 1000 * statistics.median(tf1 for _, tf1 in pairs)
    ratio = statistics.median(ours / tf1 for ours, tf1 in pairs)
    return ours_ms, tf1_ms, ratio, diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed forward passes per side and cell")
    parser.add_argument("--cells", default=",".join(CELLS), help="comma-separated subset of " + ", ".join(CELLS))
    parser.add_argument("--before", metavar="CHECKOUT", help="also bench this checkout's runtime, in a child process")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    before = _bench_checkout(args.before, args) if args.before else {}
    results = {kind: bench(kind, args.repeats) for kind in args.cells.split(",")}
    if args.json:
        print(json.dumps({kind: result[2] for kind, result in results.items()}))
        return
    print(f"batch {BATCH}, time {TIME_STEPS}, input {INPUT_DEPTH}, units {UNITS}, lengths 50..100, CPU")
    extra = f" {'before':>9} {'now/before':>11}" if before else ""
    print(f"{'cell':<10} {'ours ms':>9} {'TF1 ms':>9} {'ours/TF1':>9} {'max |diff|':>11}{extra}")
    for kind, (ours, tf1, ratio, diff) in results.items():
        extra = f" {before[kind]:9.3f} {ratio / before[kind]:11.3f}" if before else ""
        print(f"{kind:<10} {ours:9.2f} {tf1:9.2f} {ratio:9.3f} {diff:11.2e}{extra}")


def _bench_checkout(checkout: str, args: argparse.Namespace) -> dict[str, float]:
    """ours/TF1 per cell with ``checkout``'s rnnmigrate, in a fresh process."""
    command = [sys.executable, __file__, "--json", "--repeats", str(args.repeats), "--cells", args.cells]
    env = {**os.environ, "PYTHONPATH": os.path.abspath(checkout)}
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
