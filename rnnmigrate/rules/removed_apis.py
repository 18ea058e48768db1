"""RNN206: a TF1 name that TF 2.21 has neither as ``tf.X`` nor as ``tf.compat.v1.X`` (``tf.estimator``)."""

from __future__ import annotations

from rnnmigrate.rules.base import Rule
from rnnmigrate.rules.tf_api import Blocker, filled, note_for

CODE = "RNN206"


def match(relative: list[str], length: int, spelled: str, start: int) -> Blocker:
    """``tf.<relative[:length]>`` is in neither namespace; ``spelled`` is ``tf`` or ``tf.compat.v1``."""
    name = "tf." + ".".join(relative[:length])
    found = note_for("removed", name)
    assert found is not None  # "tf" is the table's default
    note = found[1]
    use = note.use
    if use and "<name>" in use and length < len(relative):  # tf.array_ops.transpose -> tf.transpose
        use, length = filled(use, relative[length]), length + 1
    use = filled(use, "")
    api = spelled + "." + ".".join(relative[:length])
    return Blocker(CODE, start + length, api, note.needs, use, note.note)


RULE = Rule(
    code=CODE,
    name="removed-api",
    summary="tf.X / tf.compat.v1.X that TF 2.21 does not have at all (tf.estimator)",
    apis=frozenset(),
    kind="blocker",
    what="Finds names below `tf` or `tf.compat.v1` that TF 2.21 has under neither: `tf.estimator` and "
    "`tf.compat.v1.estimator`, and any other name that is in neither list of rnnmigrate/rules/data/tf_api.json "
    "(generated from TF 2.21). `tf.contrib` is RNN204/RNN205; private modules (`tensorflow.python`) are "
    "not checked.",
    why="Such a use raises AttributeError on TF 2.21 whatever the spelling; tf.compat.v1 does not bring "
    "it back.",
    fix="None automatic: an informational finding. Port the code (an Estimator's model_fn to Keras or "
    "a training loop).",
    numerics="Depends on the port.",
    example_before="estimator = tf.estimator.Estimator(model_fn, model_dir)",
    example_after="# no replacement in TF 2.21: port the model_fn to Keras or a training loop",
    assess=lambda site: None,  # type: ignore[arg-type,return-value]  # found by rnnmigrate.blockers
)
