"""hunkim/DeepLearningZeroToAll: the lab 12 RNN scripts (`lab-12-1-hello-rnn.py`,
`lab-12-2-char-seq-rnn.py`, `lab-12-5-rnn_stock_prediction.py`), each a `BasicLSTMCell`
given to `tf.nn.dynamic_rnn` at the top level of a training script.

The driver runs each script's own statements in order and stops right after the RNN, before
its `tf.contrib.layers.fully_connected` head (a contrib stub here) and the training loop.
The scripts' hyperparameters are kept, batch size included: labs 12-1 and 12-2 build their
initial state with `cell.zero_state(batch_size=1, ...)`, so they are fed one sequence.
Declared stand-ins: the unnamed `X = / Y = tf.placeholder(...)` statements are skipped and
the driver passes named placeholders of the same dtype and shape; lab 12-5's data pipeline
(`np.loadtxt('data-02-stock_daily.csv')` to `build_dataset`, which only feeds training) and its
matplotlib backend switch are skipped, and matplotlib (not installed) is a stub module.
"""

from __future__ import annotations

import numpy as np

from real_code.sites import Site

PLACEHOLDERS = ("X = tf.placeholder(", "Y = tf.placeholder(")
HELLO_STEPS, HELLO_DIM = 6, 5  # lab 12-1: "hihell", one-hot over 5 characters
SAMPLE = " if you want you"  # lab 12-2's sample; its vocabulary is the set of its characters
CHAR_STEPS, CHAR_VOCAB = len(SAMPLE) - 1, len(set(SAMPLE))
STOCK_STEPS, STOCK_DIM, STOCK_BATCH = 7, 5, 3  # lab 12-5: 7 days of 5 prices
STOCK_DATA = ("xy = ", "train_size = ", "train_set = ", "test_set = ", "trainX, trainY = ", "testX, testY = ")


def _run(context, script: str, stop_before: str, given: dict, skip: tuple[str, ...] = PLACEHOLDERS) -> dict:
    namespace = context.run_script(script, stop_before=stop_before, globals_=given, skip=skip)
    return {"outputs": namespace["outputs"]}


def build_hello(context) -> dict:
    tf = context.tf
    given = {"X": tf.placeholder(tf.float32, [None, HELLO_STEPS, HELLO_DIM], name="X"),
             "Y": tf.placeholder(tf.int32, [None, HELLO_STEPS], name="Y")}
    return _run(context, "lab-12-1-hello-rnn.py", "X_for_fc = ", given)


def hello_feeds(rng: np.random.Generator) -> dict:
    # one-hot characters, as the script's x_one_hot
    return {"X": np.eye(HELLO_DIM, dtype=np.float32)[rng.integers(0, HELLO_DIM, size=(1, HELLO_STEPS))],
            "Y": rng.integers(0, HELLO_DIM, size=(1, HELLO_STEPS)).astype(np.int32)}


def build_char_seq(context) -> dict:
    tf = context.tf
    given = {"X": tf.placeholder(tf.int32, [None, CHAR_STEPS], name="X"),
             "Y": tf.placeholder(tf.int32, [None, CHAR_STEPS], name="Y")}
    return _run(context, "lab-12-2-char-seq-rnn.py", "X_for_fc = ", given)


def char_seq_feeds(rng: np.random.Generator) -> dict:
    # character ids (the script one-hots them with tf.one_hot)
    return {name: rng.integers(0, CHAR_VOCAB, size=(1, CHAR_STEPS)).astype(np.int32) for name in ("X", "Y")}


def build_stock(context) -> dict:
    tf = context.tf
    given = {"X": tf.placeholder(tf.float32, [None, STOCK_STEPS, STOCK_DIM], name="X"),
             "Y": tf.placeholder(tf.float32, [None, 1], name="Y")}
    return _run(context, "lab-12-5-rnn_stock_prediction.py", "Y_pred = ", given,
                skip=PLACEHOLDERS + STOCK_DATA + ('if "DISPLAY" not in os.environ',))


def stock_feeds(rng: np.random.Generator) -> dict:
    # min-max scaled prices are in [0, 1]
    return {"X": rng.uniform(0, 1, size=(STOCK_BATCH, STOCK_STEPS, STOCK_DIM)).astype(np.float32),
            "Y": rng.uniform(0, 1, size=(STOCK_BATCH, 1)).astype(np.float32)}


_PLACEHOLDERS = "the script's unnamed X / Y placeholders skipped; the driver passes named ones of the same dtype and shape"


def _site(site_id: str, script: str, line: int, build, feeds, stop: str, extra: tuple[str, ...] = (),
          missing: tuple[str, ...] = ()) -> Site:
    return Site(id=site_id, project="DeepLearningZeroToAll", mirror="hunkim+DeepLearningZeroToAll", path=script,
                line=line, api="tf.nn.dynamic_rnn", build=build, feeds=feeds, missing_modules=missing,
                stubs=(f"{script} run up to its RNN outputs (not from `{stop}` on)", _PLACEHOLDERS) + extra)


SITES = [
    _site("dlzta-hello-rnn", "lab-12-1-hello-rnn.py", 31, build_hello, hello_feeds, "X_for_fc ="),
    _site("dlzta-char-seq-rnn", "lab-12-2-char-seq-rnn.py", 29, build_char_seq, char_seq_feeds, "X_for_fc ="),
    _site("dlzta-stock-prediction", "lab-12-5-rnn_stock_prediction.py", 87, build_stock, stock_feeds, "Y_pred =",
          ("the CSV data pipeline (np.loadtxt('data-02-stock_daily.csv') ... build_dataset) skipped: it only feeds "
           "training, and the harness copies .py files only", "the `if \"DISPLAY\" not in os.environ: matplotlib.use('Agg')` "
           "statement skipped (matplotlib is a stub)"),
          ("matplotlib", "matplotlib.pyplot")),
]
