"""RNN202: ``tf.layers`` / ``tf.compat.v1.layers`` and what else TF 2.21 takes from tf-keras."""

from __future__ import annotations

from rnnmigrate.rules.base import Rule
from rnnmigrate.rules.tf_api import Blocker, filled, note_for, tables

CODE = "RNN202"


def match(rest: list[str], compat: bool, start: int) -> Blocker | None:
    """``tf.layers.dense``, ``tf.compat.v1.layers.Dense``, a ``tf.nn.rnn_cell`` name no RNN rule owns.

    ``rest`` is the name below ``tf`` / ``tf.compat.v1``; only names tf-keras really provides match.
    """
    names, modules = tables().v1_with_tf_keras, tables().v1_with_tf_keras_modules
    length = 0
    for index in range(1, len(rest) + 1):
        name = "tf." + ".".join(rest[:index])
        if name in names:
            length = index
            if name not in modules:
                break
        elif length:
            break
    name = "tf." + ".".join(rest[:length])
    if length == 0 or (name in modules and length < len(rest)):
        return None  # not a tf-keras name: RNN206 says it does not exist
    prefix, note = note_for("layers", name) or ("tf.layers", None)
    assert note is not None, name
    api = "tf.compat.v1." + name[len("tf.") :] if compat else name
    short = name[len(prefix) + 1 :] or rest[length - 1]
    return Blocker(CODE, start + length, api, note.needs, filled(note.use, short), filled(note.note, short))


RULE = Rule(
    code=CODE,
    name="tf-layers",
    summary="tf.layers / tf.compat.v1.layers (and tf.nn.rnn_cell leftovers): need tf-keras with TF_USE_LEGACY_KERAS=1",
    apis=frozenset(),
    kind="blocker",
    what="Finds `tf.layers.dense`, `tf.layers.conv2d`, `tf.layers.batch_normalization`, `tf.layers.Dense`, ... "
    "in the `tf.layers` and `tf.compat.v1.layers` spellings, and the `tf.nn.rnn_cell` names no RNN rule "
    "migrates (`RNNCell` in an isinstance check).",
    why="TF 2.21 has no `tf.layers`; `tf.compat.v1.layers` comes from tf-keras. Under Keras 3 (the "
    "default) `tf.compat.v1.layers.dense(x, 3)` raises AttributeError: `dense` is not available with "
    "Keras 3., with or without tf-keras installed. With tf-keras and TF_USE_LEGACY_KERAS=1 set before "
    "TensorFlow is imported it runs (with a deprecation warning). Without tf-keras, "
    "TF_USE_LEGACY_KERAS=1 makes `tf.keras` raise ImportError: Keras cannot be imported.",
    fix="None automatic: an informational finding. Either install tf-keras, set TF_USE_LEGACY_KERAS=1 "
    "and spell `tf.compat.v1.layers.X`, or port the layer to `keras.layers` by hand (other variable "
    "names, so TF1 checkpoints need mapping).",
    numerics="None with tf-keras (the same TF1 layer); a Keras port computes the same function once the "
    "weights are mapped.",
    example_before="logits = tf.layers.dense(hidden, num_classes)",
    example_after="logits = tf.compat.v1.layers.dense(hidden, num_classes)  # with tf-keras and TF_USE_LEGACY_KERAS=1",
    assess=lambda site: None,  # type: ignore[arg-type,return-value]  # found by rnnmigrate.blockers
)
