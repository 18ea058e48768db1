"""RNN203: a Keras 2 name that Keras 3 lacks (``tf.keras.backend.get_session``, ``keras.layers.CuDNNGRU``)."""

from __future__ import annotations

from rnnmigrate.rules.base import Rule
from rnnmigrate.rules.tf_api import Blocker, Tree, filled, note_for, tables

CODE = "RNN203"


def match(spelled: str, rest: list[str], start: int) -> Blocker | None:
    """``<spelled>.<rest>`` where ``spelled`` is ``tf.keras``, ``tf.compat.v1.keras`` or ``keras``.

    The first name Keras 3 lacks is the finding: what tf-keras 2.21 has needs it (and
    TF_USE_LEGACY_KERAS=1 for the tf.keras spellings); the rest exists nowhere.
    """
    t = tables()
    keras3 = t.keras3 if spelled == "keras" else t.keras3_tf
    for length in range(1, len(rest) + 1):
        name = "keras." + ".".join(rest[:length])
        if name in keras3.leaves:
            return None
        if name in keras3.modules:
            continue
        return _missing(spelled, name, start + length, rest[length : length + 1])
    return None


def _missing(spelled: str, name: str, length: int, below: list[str]) -> Blocker:
    api = spelled + name[len("keras") :]
    found = note_for("keras", name)
    if found is not None and found[0] != "keras":
        note, use = found[1], found[1].use
        if use and "<name>" in use and below:  # keras.utils.np_utils.to_categorical -> keras.utils.to_categorical
            use, api, length = filled(use, below[0]), f"{api}.{below[0]}", length + 1
        return Blocker(CODE, length, api, note.needs, filled(use, ""), note.note)
    t = tables()
    # Where tf-keras has the name, and how to spell it there.
    places: list[tuple[Tree, str]] = [(t.tf_keras_v1, "tf.compat.v1.keras")]
    if spelled != "tf.compat.v1.keras":
        places.insert(0, (t.tf_keras, "tf_keras" if spelled == "keras" else "tf.keras"))
    for tree, spelling in places:
        if name in tree:
            use = spelling + name[len("keras") :]
            note = "Keras 3 does not have it" + ("; `import tf_keras as keras`" if spelling == "tf_keras" else "")
            return Blocker(CODE, length, api, "tf-keras", use, note)
    default = note_for("keras", "keras")
    assert default is not None
    return Blocker(CODE, length, api, default[1].needs, default[1].use, default[1].note)


RULE = Rule(
    code=CODE,
    name="keras2-only",
    summary="tf.keras / keras name that Keras 3 does not have (tf.keras.backend.get_session, keras.layers.CuDNNGRU)",
    apis=frozenset(),
    kind="blocker",
    what="Finds `tf.keras.X`, `tf.compat.v1.keras.X` and `keras.X` names that Keras 3.15 does not have: "
    "TF1-era Keras 2 APIs such as `tf.keras.backend.get_session`, `keras.backend.set_session`, "
    "`keras.utils.multi_gpu_model`, `keras.engine`, `keras.layers.recurrent`. Names Keras 3 has are "
    "not findings, whatever they compute.",
    why="On TF 2.21 `tf.keras` is Keras 3 unless TF_USE_LEGACY_KERAS=1 is set (with tf-keras "
    "installed) before TensorFlow is imported; `import keras` is Keras 3 always. "
    "`tf.keras.backend.get_session` raises AttributeError under Keras 3; "
    "`tf.compat.v1.keras.backend.get_session` works with tf-keras and TF_USE_LEGACY_KERAS=1.",
    fix="None automatic: an informational finding. The finding names the spelling tf-keras 2.21 has "
    "(`tf.compat.v1.keras.X`, `tf.keras.X`, or `tf_keras.X` for code that imports `keras`), a Keras 3 "
    "replacement where the table records one, or that neither has it.",
    numerics="None with tf-keras (the same Keras 2 code).",
    example_before="session = tf.keras.backend.get_session()",
    example_after="session = tf.compat.v1.keras.backend.get_session()  # with tf-keras and TF_USE_LEGACY_KERAS=1",
    assess=lambda site: None,  # type: ignore[arg-type,return-value]  # found by rnnmigrate.blockers
)
