"""aymericdamien/TensorFlow-Examples: the TF1 RNN examples in `tensorflow_v1/examples/3_NeuralNetworks/`
(`recurrent_network.py`: `static_rnn`; `dynamic_rnn.py`: `static_rnn` with `sequence_length`;
`bidirectional_rnn.py`: `static_bidirectional_rnn`).

Each is a top-level script that loads MNIST (or generates a toy data set) and trains. The
driver runs the script's own statements in order, including its `logits = RNN(X, weights, biases)`
line, and stops right after it (before the softmax / loss / optimizer). Declared stand-ins:
the scripts' placeholders are unnamed, so their `X = / Y = tf.placeholder(...)` statements
are skipped and the driver passes placeholders of the same dtype and shape, named, in the
script's globals; `tensorflow.examples.tutorials.mnist` (gone from TF 2.x) is a stand-in
whose `read_data_sets` returns None (no download; the data is only used in the training loop).
The scripts' hyperparameters are kept (28 x 28 inputs, 128 units; toy: 20 steps, 64 units).
"""

from __future__ import annotations

import types

import numpy as np

from real_code.context import modules
from real_code.sites import Site, lengths

FOLDER = "tensorflow_v1/examples/3_NeuralNetworks"
BATCH, MNIST_STEPS, MNIST_INPUT, MNIST_CLASSES = 3, 28, 28, 10
TOY_STEPS, TOY_CLASSES = 20, 2


def _mnist_stand_in() -> dict[str, types.ModuleType]:
    """`from tensorflow.examples.tutorials.mnist import input_data` without the download."""
    input_data = types.ModuleType("tensorflow.examples.tutorials.mnist.input_data")
    input_data.read_data_sets = lambda *args, **kwargs: None
    names = ("tensorflow.examples", "tensorflow.examples.tutorials", "tensorflow.examples.tutorials.mnist")
    stand_ins = {name: types.ModuleType(name) for name in names}
    stand_ins["tensorflow.examples.tutorials.mnist"].input_data = input_data
    stand_ins[input_data.__name__] = input_data
    return stand_ins


def _mnist_builder(script: str, logits_line: str):
    """Run `script` through its `logits = ...` line on the driver's named X and Y."""

    def build(context) -> dict:
        tf = context.tf
        given = {"X": tf.placeholder(tf.float32, [None, MNIST_STEPS, MNIST_INPUT], name="X"),
                 "Y": tf.placeholder(tf.float32, [None, MNIST_CLASSES], name="Y")}
        with modules(_mnist_stand_in()):
            namespace = context.run_script(f"{FOLDER}/{script}", stop_before="prediction = tf.nn.softmax(",
                                           globals_=given, skip=("X = tf.placeholder(", "Y = tf.placeholder("))
        if "logits" not in namespace:
            raise RuntimeError(f"{script}: the script's `{logits_line}` line did not run")
        return {"logits": namespace["logits"]}

    return build


def mnist_feeds(rng: np.random.Generator) -> dict:
    # MNIST pixels are in [0, 1]; Y only feeds the loss, which is not built
    return {"X": rng.uniform(0, 1, size=(BATCH, MNIST_STEPS, MNIST_INPUT)).astype(np.float32),
            "Y": np.eye(MNIST_CLASSES, dtype=np.float32)[np.arange(BATCH) % MNIST_CLASSES]}


def build_toy(context) -> dict:
    """`dynamic_rnn.py` through `pred = dynamicRNN(x, seqlen, weights, biases)` (its toy data
    generator runs as written: pure Python, no download)."""
    tf = context.tf
    given = {"x": tf.placeholder(tf.float32, [None, TOY_STEPS, 1], name="x"),
             "y": tf.placeholder(tf.float32, [None, TOY_CLASSES], name="y"),
             "seqlen": tf.placeholder(tf.int32, [None], name="seqlen")}
    namespace = context.run_script(f"{FOLDER}/dynamic_rnn.py", stop_before="cost = tf.reduce_mean(",
                                   globals_=given,
                                   skip=("x = tf.placeholder(", "y = tf.placeholder(", "seqlen = tf.placeholder("))
    return {"pred": namespace["pred"]}


def toy_feeds(rng: np.random.Generator) -> dict:
    """Lengths at least 1: the script gathers each row's output at `seqlen - 1`, and a 0 length
    would gather index -1 (an error in TF1 as in the rewrite); its own data has lengths 3..20."""
    row_lengths = np.maximum(lengths(BATCH, TOY_STEPS), 1)
    values = rng.uniform(0, 1, size=(BATCH, TOY_STEPS, 1)).astype(np.float32)
    values[np.arange(TOY_STEPS)[None, :] >= row_lengths[:, None]] = 0.0  # padded as ToySequenceData pads
    return {"x": values, "y": np.eye(TOY_CLASSES, dtype=np.float32)[np.arange(BATCH) % TOY_CLASSES],
            "seqlen": row_lengths}


_PLACEHOLDERS = "the script's unnamed placeholders skipped; the driver passes named ones of the same dtype and shape"
_MNIST = "tensorflow.examples.tutorials.mnist: a stand-in, input_data.read_data_sets returns None (no download)"


def _site(site_id: str, script: str, line: int, api: str, build, feeds, stubs: tuple[str, ...]) -> Site:
    return Site(id=site_id, project="TensorFlow-Examples", mirror="aymericdamien+TensorFlow-Examples",
                path=f"{FOLDER}/{script}", line=line, api=api, build=build, feeds=feeds, stubs=stubs)


SITES = [
    _site("tf-examples-static-rnn", "recurrent_network.py", 67, "tf.contrib.rnn.static_rnn",
          _mnist_builder("recurrent_network.py", "logits = RNN(X, weights, biases)"), mnist_feeds,
          ("recurrent_network.py run through `logits = RNN(X, weights, biases)` (not from `prediction =` on)",
           _PLACEHOLDERS, _MNIST)),
    _site("tf-examples-static-rnn-lengths", "dynamic_rnn.py", 128, "tf.contrib.rnn.static_rnn",
          build_toy, toy_feeds,
          ("dynamic_rnn.py run through `pred = dynamicRNN(x, seqlen, weights, biases)` (not from `cost =` on)",
           _PLACEHOLDERS, "lengths at least 1 (the script's gather at seqlen - 1)")),
    _site("tf-examples-static-bidirectional", "bidirectional_rnn.py", 74, "tf.contrib.rnn.static_bidirectional_rnn",
          _mnist_builder("bidirectional_rnn.py", "logits = BiRNN(X, weights, biases)"), mnist_feeds,
          ("bidirectional_rnn.py run through `logits = BiRNN(X, weights, biases)` (not from `prediction =` on)",
           _PLACEHOLDERS, _MNIST)),
]
