"""Generate a synthetic TF1-era source tree for the scan and rewrite benchmarks.

Most files are ordinary Python (data loading, utilities, models without RNNs); a few hundred
hold RNN call sites in the spellings real TF1 code uses. A handful mention RNNs without
using TF1 (Keras layers, strings) so that the pre-parse filter is exercised honestly.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

PLAIN_BODY = '''
import os
import json
import numpy as np


class Batcher{n}(object):
    """Yields padded batches of examples."""

    def __init__(self, examples, batch_size={bs}, shuffle=True):
        self.examples = list(examples)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __iter__(self):
        order = list(range(len(self.examples)))
        if self.shuffle:
            np.random.shuffle(order)
        for start in range(0, len(order), self.batch_size):
            chunk = [self.examples[i] for i in order[start:start + self.batch_size]]
            longest = max(len(example) for example in chunk)
            batch = np.zeros((len(chunk), longest), dtype=np.int32)
            for row, example in enumerate(chunk):
                batch[row, :len(example)] = example
            yield batch


def load_vocabulary_{n}(path):
    with open(path) as handle:
        return {{word.strip(): index for index, word in enumerate(handle)}}


def save_metrics_{n}(metrics, directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "metrics_{n}.json"), "w") as handle:
        json.dump(metrics, handle, indent=2)
'''

RNN_TEMPLATES = [
    '''
import tensorflow as tf


def encoder_{n}(inputs, lengths, num_units={u}):
    cell = tf.nn.rnn_cell.LSTMCell(num_units, forget_bias=1.0)
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32, scope="encoder_{n}")
    return outputs, state.h
''',
    '''
import tensorflow.compat.v1 as tf
from tensorflow.contrib import rnn


def tagger_{n}(inputs, lengths):
    fw = rnn.GRUCell({u})
    bw = rnn.GRUCell({u})
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, inputs, sequence_length=lengths, dtype=tf.float32)
    return tf.concat([out_fw, out_bw], axis=-1)
''',
    '''
import tensorflow as tf

rnn_cell = tf.nn.rnn_cell


def make_cell_{n}(keep_prob):
    return rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell({u}), output_keep_prob=keep_prob)


def stack_{n}(inputs, lengths, keep_prob, layers=2):
    cell = rnn_cell.MultiRNNCell([make_cell_{n}(keep_prob) for _ in range(layers)])
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, lengths, dtype=tf.float32, time_major=True)
    return outputs, state[-1].h
''',
    '''
from tensorflow.nn import dynamic_rnn
from tensorflow.contrib import rnn as contrib_rnn


class Model{n}(object):
    def __init__(self, params):
        self.cell = contrib_rnn.LayerNormBasicLSTMCell(params.units)

    def __call__(self, inputs, lengths):
        return dynamic_rnn(self.cell, inputs, sequence_length=lengths, dtype="float32")
''',
    '''
import tensorflow as tf


def unrolled_{n}(inputs, steps={u}):
    cell = tf.contrib.rnn.BasicRNNCell(32)
    outputs, state = tf.nn.static_rnn(cell, tf.unstack(inputs, num=steps, axis=1), dtype=tf.float32)
    return outputs[-1]
''',
]

# TF1 code without RNNs (input pipelines, losses, training loops): parsed only for RNN2xx.
TF1_TEMPLATE = '''
import tensorflow as tf


def train_op_{n}(logits, labels, learning_rate={u}e-4):
    x = tf.placeholder(tf.float32, [None, 28])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    tf.summary.scalar("loss_{n}", loss)
    initializer = tf.contrib.layers.xavier_initializer()
    step = tf.train.get_or_create_global_step()
    return tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=step), x, initializer
'''

DECOYS = [
    '''
import keras


def keras_model_{n}():
    return keras.Sequential([keras.layers.SimpleRNN(16), keras.layers.Dense(1)])
''',
    '''
NOTES_{n} = "dynamic_rnn was used here before; see the migration notes"


def describe_{n}():
    return NOTES_{n}
''',
]


LINKED_CELLS = '''import tensorflow as tf


def make_cell(num_units):
    return tf.nn.rnn_cell.GRUCell(num_units)


def make_stack(num_units, layers=2):
    return tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(num_units) for _ in range(layers)])


class ResidualCell(tf.nn.rnn_cell.RNNCell):
    def __init__(self, cell):
        super().__init__()
        self._cell = cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        return output + inputs, new_state
'''
LINKED_MODEL = '''import tensorflow as tf

from .cells import make_cell
from . import cells


def encode(inputs, lengths):
    outputs, _ = tf.nn.dynamic_rnn(make_cell({u}), inputs, sequence_length=lengths, dtype=tf.float32)
    deeper, _ = tf.nn.dynamic_rnn(cells.make_stack({u}), outputs, dtype=tf.float32, scope="deeper")
    residual = cells.ResidualCell(tf.nn.rnn_cell.GRUCell({u}))
    summed, _ = tf.nn.dynamic_rnn(residual, deeper, sequence_length=lengths, dtype=tf.float32, scope="residual")
    return summed
'''


def generate_linked(root: Path, packages: int) -> None:
    """Packages whose cells are built by a factory or a cell class in one module and run in another."""
    for index in range(packages):
        package = root / f"linked_{index:03d}"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "cells.py").write_text(LINKED_CELLS)
        (package / "model.py").write_text(LINKED_MODEL.format(u=16 + index % 5))


def generate(root: Path, files: int, rnn_files: int, seed: int = 0, tf_files: int = 0, linked: int = 0) -> None:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    rnn_indices = set(rng.sample(range(files), rnn_files))
    decoy_indices = set(rng.sample(sorted(set(range(files)) - rnn_indices), max(1, files // 200)))
    # Drawn from a generator of its own, so that the tree without them is the tree of earlier runs.
    tf_indices = set(random.Random(seed + 1).sample(sorted(set(range(files)) - rnn_indices - decoy_indices), tf_files))
    for index in range(files):
        directory = root / f"pkg_{index // 500:03d}" / f"mod_{(index // 50) % 10}"
        directory.mkdir(parents=True, exist_ok=True)
        body = PLAIN_BODY.format(n=index, bs=rng.choice([16, 32, 64]))
        if index in rnn_indices:
            body += rng.choice(RNN_TEMPLATES).format(n=index, u=rng.choice([64, 128, 256]))
        elif index in decoy_indices:
            body += rng.choice(DECOYS).format(n=index)
        elif index in tf_indices:
            body += TF1_TEMPLATE.format(n=index, u=index % 9 + 1)
        (directory / f"file_{index}.py").write_text(body)
    generate_linked(root, linked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rnn-files", type=int, default=300)
    args = parser.parse_args()
    generate(args.root, args.files, args.rnn_files)


if __name__ == "__main__":
    main()
