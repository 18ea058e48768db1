"""What TF 2.21 has, as data: the name lists of tf_api.json and the notes of tf1_blockers.toml.

The scan never imports TensorFlow, so the RNN2xx rules ask these tables instead. Both are
loaded once per process, on the first file that can hold a blocker.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA = Path(__file__).parent / "data"

# What a blocker takes: the tf.compat.v1 spelling, tf-keras with TF_USE_LEGACY_KERAS=1, a named
# replacement, or nothing that exists.
Needs = Literal["tf.compat.v1", "tf-keras", "replacement", "nothing"]


@dataclass(frozen=True)
class Blocker:
    """One use of a name that keeps a file from running on TF 2.21, and what it needs."""

    code: str
    length: int  # how many dotted parts of the expression the finding covers
    api: str  # as users write it: ``tf.placeholder``
    needs: Needs
    use: str | None = None
    note: str | None = None

    @property
    def reason(self) -> str:
        what = {
            "tf.compat.v1": f"TF 2.21 has it only as {self.use}",
            "tf-keras": "needs tf-keras and TF_USE_LEGACY_KERAS=1" + (f"; then {self.use}" if self.use else ""),
            "replacement": f"use {self.use}",
            "nothing": "nothing replaces it on TF 2.21",
        }[self.needs]
        return f"{what} ({self.note})" if self.note else what


@dataclass(frozen=True)
class Note:
    needs: Needs
    use: str | None
    note: str | None


class Tree:
    """The names below one namespace: modules (walk on), symbols and opaque modules (stop)."""

    def __init__(self, modules: set[str], leaves: set[str]) -> None:
        self.modules = modules
        self.leaves = leaves

    def __contains__(self, name: str) -> bool:
        return name in self.modules or name in self.leaves


@dataclass(frozen=True)
class Tables:
    tf: Tree
    v1: Tree
    v1_broken: frozenset[str]  # modules tf.compat.v1 has but cannot load under Keras 3
    v1_with_tf_keras: frozenset[str]
    v1_with_tf_keras_modules: frozenset[str]
    keras3_tf: Tree  # tf.keras with Keras 3
    keras3: Tree  # `import keras` with Keras 3
    tf_keras: Tree  # tf.keras with TF_USE_LEGACY_KERAS=1
    tf_keras_v1: Tree  # tf.compat.v1.keras with TF_USE_LEGACY_KERAS=1
    notes: dict[str, dict[str, Note]]
    versions: dict[str, str]


@cache
def tables() -> Tables:
    api = json.loads((DATA / "tf_api.json").read_text(encoding="utf-8"))
    notes = tomllib.loads((DATA / "tf1_blockers.toml").read_text(encoding="utf-8"))
    v1 = api["tf.compat.v1"]
    return Tables(
        tf=Tree(set(api["tf"]["modules"]), set(api["tf"]["symbols"]) | set(api["tf"]["opaque"])),
        v1=Tree(set(v1["modules"]) | set(v1["broken"]), set(v1["symbols"]) | set(v1["opaque"])),
        v1_broken=frozenset(v1["broken"]),
        v1_with_tf_keras=frozenset(api["tf.compat.v1 with tf-keras"]),
        v1_with_tf_keras_modules=modules_of(api["tf.compat.v1 with tf-keras"]),
        keras3_tf=_tree(api["keras 3"]["tf.keras"]),
        keras3=_tree(api["keras 3"]["keras"]),
        tf_keras=_tree(api["tf-keras"]["tf.keras"]),
        tf_keras_v1=_tree(api["tf-keras"]["tf.compat.v1.keras"]),
        notes={
            family: {api_name: Note(entry["needs"], entry.get("use"), entry.get("note")) for api_name, entry in entries.items()}
            for family, entries in notes.items()
        },
        versions=api["versions"],
    )


def _tree(names: list[str]) -> Tree:
    modules = modules_of(names)
    return Tree(set(modules), set(names) - modules)


def modules_of(names: list[str]) -> frozenset[str]:
    """The names that have names below them."""
    return frozenset(name.rsplit(".", 1)[0] for name in names if "." in name)


def note_for(family: str, name: str) -> tuple[str, Note] | None:
    """The note of the longest prefix of ``name`` in a family's table, with that prefix."""
    entries = tables().notes[family]
    parts = name.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if prefix in entries:
            return prefix, entries[prefix]
    return None


def filled(text: str | None, name: str) -> str | None:
    """A note's ``use`` with ``<name>`` replaced by the name the code uses."""
    if not text:
        return text
    return text.replace("<name>", name) if name else text.replace(".<name>", "").replace("<name>", "")
