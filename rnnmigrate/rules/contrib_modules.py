"""RNN204: ``tf.contrib.*``, gone since TF 2.0 (``tf.contrib.layers.xavier_initializer``, ``tf.contrib.slim``)."""

from __future__ import annotations

from rnnmigrate.rules.base import Rule
from rnnmigrate.rules.tf_api import Blocker, filled, note_for

CODE = "RNN204"


def match(rest: list[str], start: int, family: str = "contrib", code: str = CODE) -> Blocker | None:
    """``tf.contrib.<...>``: the whole name used is the finding; the longest prefix in the table says what it needs."""
    name = "tf." + ".".join(rest)
    found = note_for(family, name)
    if found is None:
        return None
    prefix, note = found
    below = name[len(prefix) + 1 :]
    use = filled(note.use, below) if below else (note.use or "").replace(".<name>", "") or None
    return Blocker(code, start + len(rest), name, note.needs, use, note.note)


RULE = Rule(
    code=CODE,
    name="contrib-module",
    summary="tf.contrib.* (layers, framework, slim, training, learn, ...): removed in TF 2.0",
    apis=frozenset(),
    kind="blocker",
    what="Finds every use of `tf.contrib` that no other rule reports (the RNN cells and functions are "
    "RNN0xx/RNN1xx findings, seq2seq and CRF are RNN205): `tf.contrib.layers.xavier_initializer`, "
    "`tf.contrib.layers.fully_connected`, `tf.contrib.framework.nest`, `tf.contrib.slim`, "
    "`tf.contrib.training.HParams`, `tf.contrib.learn`, `tf.contrib.signal`, ...",
    why="TF 2.21 has no `tf.contrib` (neither `tf.contrib` nor `tf.compat.v1.contrib`): the first use "
    "raises AttributeError, and `import tensorflow.contrib` raises ModuleNotFoundError.",
    fix="None automatic: an informational finding. Each finding names what the API needs: a "
    "replacement that exists in TF 2.21 (`tf.compat.v1.glorot_uniform_initializer()` for "
    "`xavier_initializer()`, `tf.nest` for `tf.contrib.framework.nest`, `tf.signal` for "
    "`tf.contrib.signal`), a `tf.compat.v1.layers` counterpart that needs tf-keras, or that nothing "
    "exists. The table is rnnmigrate/rules/data/tf1_blockers.toml.",
    numerics="Each replacement's note says what differs (defaults, variable names, random draws).",
    example_before="w = tf.get_variable('w', [8, 4], initializer=tf.contrib.layers.xavier_initializer())",
    example_after="w = tf.get_variable('w', [8, 4], initializer=tf.compat.v1.glorot_uniform_initializer())",
    assess=lambda site: None,  # type: ignore[arg-type,return-value]  # found by rnnmigrate.blockers
)
