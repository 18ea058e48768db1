"""RNN201: a TF1 name that TF 2.21 has only under ``tf.compat.v1`` (``tf.placeholder``, ``tf.Session``)."""

from __future__ import annotations

from rnnmigrate.rules.base import Rule
from rnnmigrate.rules.tf_api import Blocker, tables

CODE = "RNN201"


def match(rest: list[str], missing_at: int, start: int) -> Blocker | None:
    """``tf.<rest>``, whose first ``missing_at`` parts are not in TF 2.21's ``tf``: is it in ``tf.compat.v1``?

    Walks on through ``tf.compat.v1`` modules (``tf.logging`` -> ``tf.logging.info``) to the name used.
    Names that tf.compat.v1 has only with tf-keras, or not at all, belong to RNN202 / RNN206.
    """
    v1 = tables().v1
    length = missing_at
    name = "tf." + ".".join(rest[:length])
    if name not in v1 or name in tables().v1_broken:
        return None
    while name in v1.modules and length < len(rest):
        deeper = "tf." + ".".join(rest[: length + 1])
        if deeper not in v1 or deeper in tables().v1_broken:
            return None
        length, name = length + 1, deeper
    return Blocker(CODE, start + length, name, "tf.compat.v1", "tf.compat.v1." + name[len("tf.") :])


RULE = Rule(
    code=CODE,
    name="tf1-only-name",
    summary="tf.X that TF 2.21 has only as tf.compat.v1.X (tf.placeholder, tf.Session, tf.train.AdamOptimizer)",
    apis=frozenset(),
    kind="blocker",
    what="Finds TF1 names used as `tf.X` that TF 2.21 no longer has under `tf` but still has under "
    "`tf.compat.v1`: `tf.placeholder`, `tf.Session`, `tf.get_variable`, `tf.variable_scope`, "
    "`tf.train.AdamOptimizer`, `tf.logging.info`, `tf.GraphKeys`, ... (846 names; the list is "
    "rnnmigrate/rules/data/tf_api.json, generated from TF 2.21).",
    why="On TF 2.21 `tf.placeholder` raises AttributeError: module 'tensorflow' has no attribute "
    "'placeholder'. `tf.compat.v1.placeholder` exists and works without tf-keras.",
    fix="None automatic: an informational finding. Spell the name `tf.compat.v1.X`, or import "
    "`tensorflow.compat.v1 as tf` for the whole file (with `tf.compat.v1.disable_v2_behavior()` for "
    "graph-mode code).",
    numerics="None: the same TF1 function.",
    example_before="x = tf.placeholder(tf.float32, [None, 28])",
    example_after="x = tf.compat.v1.placeholder(tf.float32, [None, 28])",
    assess=lambda site: None,  # type: ignore[arg-type,return-value]  # found by rnnmigrate.blockers
)
