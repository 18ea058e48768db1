"""The data behind RNN2xx: generated from TF 2.21, and every replacement it names exists there.

The scan never imports TensorFlow; the one test that does (marked slow) re-checks a sample of
the generated lists against the installed TensorFlow.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from rnnmigrate.blockers import classify
from rnnmigrate.rules.tf_api import DATA, tables

NOTES = tomllib.loads((DATA / "tf1_blockers.toml").read_text(encoding="utf-8"))
DOTTED = re.compile(r"\b(?:tf|keras)(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def test_the_lists_come_from_tf_2_21_keras_3_and_tf_keras_2_21():
    assert tables().versions == {"tensorflow": "2.21.0", "keras": "3.15.1", "tf_keras": "2.21.0"}


@pytest.mark.parametrize("family", sorted(NOTES))
def test_every_entry_says_what_it_needs(family: str):
    for api, entry in NOTES[family].items():
        assert entry["needs"] in ("tf-keras", "replacement", "nothing"), api
        assert entry["needs"] != "replacement" or entry.get("use"), f"{api}: a replacement without `use`"
        assert set(entry) <= {"needs", "use", "note"}, api


def _exists(name: str) -> bool:
    """The name, or the symbol it is an attribute of (``tf.compat.v1.GraphKeys.GLOBAL_VARIABLES``)."""
    parts = name.split(".")
    if name in ("tf.keras", "tf.compat.v1") or _listed(name):
        return True
    return any(_is_symbol(".".join(parts[:length])) for length in range(len(parts) - 1, 1, -1))


def _is_symbol(name: str) -> bool:
    t = tables()
    if name.startswith("tf.compat.v1."):
        return "tf." + name[len("tf.compat.v1.") :] in t.v1.leaves
    return name in t.tf.leaves


def _listed(name: str) -> bool:
    t = tables()
    if name.startswith("tf.compat.v1.keras."):
        return "keras." + name[len("tf.compat.v1.keras.") :] in t.tf_keras_v1 or "keras." + name[len("tf.compat.v1.keras.") :] in t.keras3_tf
    if name.startswith("tf.compat.v1."):
        short = "tf." + name[len("tf.compat.v1.") :]
        return short in t.v1 or short in t.v1_with_tf_keras
    if name.startswith("tf.keras."):
        return "keras." + name[len("tf.keras.") :] in t.keras3_tf
    if name.startswith("keras."):
        return name in t.keras3
    return name in t.tf


@pytest.mark.parametrize("family", sorted(NOTES))
def test_every_tf_name_a_replacement_uses_exists_in_tf_2_21(family: str):
    for api, entry in NOTES[family].items():
        use = entry.get("use", "").replace(".<name>", "")
        for name in DOTTED.findall(use):
            assert _exists(name), f"{family} {api}: {name} is not in TF 2.21 / Keras 3 (tf_api.json)"


@pytest.mark.parametrize(
    ("qualified", "code", "needs"),
    [
        ("tensorflow.placeholder", "RNN201", "tf.compat.v1"),
        ("tensorflow.compat.v1.placeholder", None, None),
        ("tensorflow.train.AdamOptimizer", "RNN201", "tf.compat.v1"),
        ("tensorflow.compat.v1.layers.dense", "RNN202", "tf-keras"),
        ("tensorflow.layers.dense", "RNN202", "tf-keras"),
        ("tensorflow.keras.backend.get_session", "RNN203", "tf-keras"),
        ("tensorflow.keras.layers.Dense", None, None),
        ("keras.layers.LSTM", None, None),
        ("tensorflow.contrib.training.HParams", "RNN204", "nothing"),
        ("tensorflow.contrib.crf.crf_log_likelihood", "RNN205", "nothing"),
        ("tensorflow.estimator.Estimator", "RNN206", "nothing"),
        ("tensorflow.compat.v1.estimator.Estimator", "RNN206", "nothing"),
        ("tensorflow.nn.dynamic_rnn", None, None),  # an RNN rule's, not a blocker
        ("tensorflow.contrib.rnn.LSTMCell", None, None),
        ("tensorflow.python.ops.array_ops.transpose", None, None),  # private: not judged
        ("tensorflow.__version__", None, None),
        ("tensorflow.float32.as_numpy_dtype", None, None),
    ],
)
def test_classify(qualified: str, code: str | None, needs: str | None):
    blocker = classify(qualified)
    assert (blocker.code if blocker else None, blocker.needs if blocker else None) == (code, needs)


@pytest.mark.slow
def test_the_generated_lists_agree_with_the_installed_tensorflow():
    tf = pytest.importorskip("tensorflow")
    if tf.__version__ != tables().versions["tensorflow"]:
        pytest.skip(f"TensorFlow {tf.__version__} installed; the lists are of {tables().versions['tensorflow']}")
    only_v1 = sorted(name for name in tables().v1.leaves if name.count(".") == 1 and name not in tables().tf)
    assert len(only_v1) > 300
    for name in only_v1[::25]:
        short = name[len("tf.") :]
        assert not hasattr(tf, short), name
        assert hasattr(tf.compat.v1, short), name
    assert not hasattr(tf, "contrib") and not hasattr(tf.compat.v1, "contrib")
    assert not hasattr(tf, "estimator") and not hasattr(tf.compat.v1, "estimator")
