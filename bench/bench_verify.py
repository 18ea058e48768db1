"""How much does `rnnmigrate verify` cost over the work it cannot avoid?

Builds a TF1 SavedModel (embedding + dynamic_rnn(LSTMCell) + sequence_length) and
its Keras 3 migration, then times, each in fresh processes as a user meets them:

- bare:   import TensorFlow, load both models, run one batch through each;
- verify: ``python -m rnnmigrate.verify OLD NEW`` with default options.

Usage: python bench/bench_verify.py [--repeat 3] [--units 128] [--vocab 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

EMBED = 64
FORGET_BIAS = 1.0

BARE_SCRIPT = """
import sys
import numpy as np, tensorflow as tf, keras
old = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
new = keras.saving.load_model(sys.argv[2], compile=False)
tokens = np.random.default_rng(0).integers(0, int(sys.argv[3]), (16, 20)).astype(np.int32)
lengths = np.full((16,), 20, np.int32)
old(tokens=tf.constant(tokens), lengths=tf.constant(lengths))
new({"tokens": tokens, "lengths": lengths}, training=False)
"""


def build_pair(directory: Path, vocab: int, units: int) -> tuple[Path, Path]:
    """The TF1 reference and a correct plain-Keras migration with the same weights."""
    import warnings

    import keras
    import numpy as np
    import tensorflow as tf

    warnings.filterwarnings("ignore")
    tf.get_logger().setLevel("ERROR")
    graph = tf.Graph()
    with graph.as_default():
        tokens = tf.compat.v1.placeholder(tf.int32, [None, None], name="tokens")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        table = tf.compat.v1.get_variable("embedding", [vocab, EMBED])
        cell = tf.compat.v1.nn.rnn_cell.LSTMCell(units, forget_bias=FORGET_BIAS)
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, tf.nn.embedding_lookup(table, tokens), sequence_length=lengths, dtype=tf.float32
        )
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            weights = {v.op.name: session.run(v) for v in tf.compat.v1.global_variables()}
            old = directory / "tf1_savedmodel"
            tf.compat.v1.saved_model.simple_save(
                session,
                str(old),
                {"tokens": tokens, "lengths": lengths},
                {"outputs": outputs, "final_c": state.c, "final_h": state.h},
            )

    kernel, bias = weights["rnn/lstm_cell/kernel"], weights["rnn/lstm_cell/bias"]
    i, j, f, o = np.split(kernel, 4, axis=1)
    bi, bj, bf, bo = np.split(bias, 4)
    reordered = np.concatenate([i, f, j, o], axis=1)

    tokens_in = keras.Input((None,), dtype="int32", name="tokens")
    lengths_in = keras.Input((), dtype="int32", name="lengths")
    embedding = keras.layers.Embedding(vocab, EMBED)
    valid = keras.ops.less_equal(
        keras.ops.cumsum(keras.ops.ones_like(tokens_in), axis=1), keras.ops.expand_dims(lengths_in, 1)
    )
    lstm = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    sequence, h, c = lstm(embedding(tokens_in), mask=valid)
    sequence = sequence * keras.ops.expand_dims(keras.ops.cast(valid, sequence.dtype), -1)
    model = keras.Model(
        {"tokens": tokens_in, "lengths": lengths_in}, {"outputs": sequence, "final_c": c, "final_h": h}
    )
    embedding.set_weights([weights["embedding"]])
    lstm.set_weights([reordered[:EMBED], reordered[EMBED:], np.concatenate([bi, bf + FORGET_BIAS, bj, bo])])
    new = directory / "migrated.keras"
    model.save(new)
    return old, new


def wall_time(command: list[str], env: dict[str, str], expect: int = 0) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != expect:
        sys.exit(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stderr}{completed.stdout}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--vocab", type=int, default=5000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        old, new = build_pair(directory, args.vocab, args.units)
        env = {key: value for key, value in os.environ.items() if key != "TF_USE_LEGACY_KERAS"}
        report = directory / "report.json"
        bare_cmd = [sys.executable, "-c", BARE_SCRIPT, str(old), str(new), str(args.vocab)]
        verify_cmd = [sys.executable, "-m", "rnnmigrate.verify", str(old), str(new), "--json", str(report)]

        bare = [wall_time(bare_cmd, env) for _ in range(args.repeat)]
        verify = [wall_time(verify_cmd, env) for _ in range(args.repeat)]
        seconds = json.loads(report.read_text())["seconds"]

    bare_s, verify_s = statistics.median(bare), statistics.median(verify)
    print(f"model: embedding {args.vocab}x{EMBED}, LSTM {args.units} units; verify defaults: 4 batches x 16 rows x 20 steps")
    print(f"bare   (import TF, load both models, one batch each): {bare_s:6.2f} s  (median of {args.repeat})")
    print(f"verify (python -m rnnmigrate.verify, default options): {verify_s:6.2f} s  (median of {args.repeat})")
    print(f"ratio verify / bare: {verify_s / bare_s:.2f}")
    print(
        f"inside verify: import TF {seconds['import_tensorflow']:.2f} s, load both models "
        f"{seconds['load_models']:.2f} s, run 4 batches on both + compare {seconds['run_and_compare']:.2f} s, "
        f"weights {seconds.get('compare_weights', 0.0):.2f} s"
    )


if __name__ == "__main__":
    main()
