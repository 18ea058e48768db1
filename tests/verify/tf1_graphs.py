"""TF1 SavedModels for the time-major, weight and divergence tests, built in a subprocess.

``tf.compat.v1.disable_control_flow_v2()`` is global to the process, so each control flow gets
a process of its own: ``python tf1_graphs.py OUTDIR v1|v2`` writes one SavedModel per model
below and ``OUTDIR/<model>.npz`` with its variables' values, keyed by TF1 name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

VOCAB, EMBED, UNITS = 30, 5, 7
DECODER_FORGET_BIAS = 2.0


def _randomize(session, tf) -> dict[str, np.ndarray]:
    """Random values for every variable: TF1's zero bias would hide a missing forget_bias."""
    rng = np.random.default_rng(11)
    weights = {}
    for variable in tf.compat.v1.global_variables():
        if variable.dtype.base_dtype != tf.float32:
            continue
        value = (0.5 * rng.standard_normal(variable.shape.as_list())).astype(np.float32)
        variable.load(value, session)
        weights[variable.op.name] = value
    return weights


def _inputs(tf, suffix: str = ""):
    tokens = tf.compat.v1.placeholder(tf.int32, [None, None], name=f"tokens{suffix}")
    lengths = tf.compat.v1.placeholder(tf.int32, [None], name=f"lengths{suffix}")
    return tokens, lengths


def time_major(tf):
    """Batch-major tokens in; the LSTM runs time-major and its [time, batch, units] output is served."""
    tokens, lengths = _inputs(tf)
    table = tf.compat.v1.get_variable("embedding", [VOCAB, EMBED])
    embedded = tf.transpose(tf.nn.embedding_lookup(table, tokens), [1, 0, 2])
    cell = tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS)
    outputs, state = tf.compat.v1.nn.dynamic_rnn(
        cell, embedded, sequence_length=lengths, dtype=tf.float32, time_major=True
    )
    return {"tokens": tokens, "lengths": lengths}, {"outputs": outputs, "final_c": state.c, "final_h": state.h}


def siamese(tf):
    """Two sequences of one length per pair through one LSTM (reuse=AUTO_REUSE), trained with Adam:
    optimizer slots and global_step exist beside the trainable variables."""
    table = tf.compat.v1.get_variable("embedding", [VOCAB, EMBED])
    cell = tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS)
    lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
    inputs, finals = {"lengths": lengths}, []
    for side in ("a", "b"):
        tokens = tf.compat.v1.placeholder(tf.int32, [None, None], name=f"tokens_{side}")
        inputs[f"tokens_{side}"] = tokens
        with tf.compat.v1.variable_scope("encoder", reuse=tf.compat.v1.AUTO_REUSE):
            _, state = tf.compat.v1.nn.dynamic_rnn(
                cell, tf.nn.embedding_lookup(table, tokens), sequence_length=lengths, dtype=tf.float32
            )
        finals.append(state.h)
    similarity = tf.reduce_sum(finals[0] * finals[1], axis=1)
    step = tf.compat.v1.train.get_or_create_global_step()
    tf.compat.v1.train.AdamOptimizer(0.01).minimize(tf.reduce_mean(similarity), global_step=step)
    return inputs, {"final_a": finals[0], "final_b": finals[1], "similarity": similarity}


def encoder_decoder(tf):
    """encoder LSTM -> decoder LSTM (forget_bias=2.0) -> dense logits, one scope each."""
    tokens, lengths = _inputs(tf)
    table = tf.compat.v1.get_variable("embedding", [VOCAB, EMBED])
    with tf.compat.v1.variable_scope("encoder"):
        encoded, _ = tf.compat.v1.nn.dynamic_rnn(
            tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS),
            tf.nn.embedding_lookup(table, tokens),
            sequence_length=lengths,
            dtype=tf.float32,
        )
    with tf.compat.v1.variable_scope("decoder"):
        decoded, _ = tf.compat.v1.nn.dynamic_rnn(
            tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS, forget_bias=DECODER_FORGET_BIAS),
            encoded,
            sequence_length=lengths,
            dtype=tf.float32,
        )
    with tf.compat.v1.variable_scope("logits"):
        kernel = tf.compat.v1.get_variable("kernel", [UNITS, 3])
        logits = tf.tensordot(decoded, kernel, axes=1)
    return {"tokens": tokens, "lengths": lengths}, {"logits": logits}


def bidirectional(tf):
    """bidirectional_dynamic_rnn(LSTM fw, LSTM bw with forget_bias=2.0, scope "tagger") -> dense logits."""
    tokens, lengths = _inputs(tf)
    table = tf.compat.v1.get_variable("embedding", [VOCAB, EMBED])
    (out_fw, out_bw), _ = tf.compat.v1.nn.bidirectional_dynamic_rnn(
        tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS),
        tf.compat.v1.nn.rnn_cell.LSTMCell(UNITS, forget_bias=DECODER_FORGET_BIAS),
        tf.nn.embedding_lookup(table, tokens),
        sequence_length=lengths,
        dtype=tf.float32,
        scope="tagger",
    )
    with tf.compat.v1.variable_scope("logits"):
        kernel = tf.compat.v1.get_variable("kernel", [2 * UNITS, 3])
        logits = tf.tensordot(tf.concat([out_fw, out_bw], axis=-1), kernel, axes=1)
    return {"tokens": tokens, "lengths": lengths}, {"logits": logits}


MODELS = {
    "time_major": time_major,
    "siamese": siamese,
    "encoder_decoder": encoder_decoder,
    "bidirectional": bidirectional,
}


def build_all(outdir: Path, control_flow: str) -> None:
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    if control_flow == "v1":
        tf.compat.v1.disable_control_flow_v2()
    for name, build in MODELS.items():
        graph = tf.Graph()
        with graph.as_default():
            inputs, outputs = build(tf)
            outputs = {key: tf.identity(value, name=key) for key, value in outputs.items()}
            with tf.compat.v1.Session(graph=graph) as session:
                session.run(tf.compat.v1.global_variables_initializer())
                weights = _randomize(session, tf)
                tf.compat.v1.saved_model.simple_save(session, str(outdir / name), inputs, outputs)
        np.savez(outdir / f"{name}.npz", **weights)


if __name__ == "__main__":
    build_all(Path(sys.argv[1]), sys.argv[2])
