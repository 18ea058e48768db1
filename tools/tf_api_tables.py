"""Regenerate rnnmigrate/rules/data/tf_api.json: the public names of the installed TensorFlow and Keras.

    python tools/tf_api_tables.py        # needs tensorflow, keras and tf-keras installed

The scan never imports TensorFlow, so what TF 2.21 has is recorded here as data: the names under
``tf`` and under ``tf.compat.v1`` (with Keras 3, and what ``TF_USE_LEGACY_KERAS=1`` with tf-keras
adds), and the names under ``tf.keras`` / ``keras`` with Keras 3 and with tf-keras. Each walk runs
in a fresh process because ``TF_USE_LEGACY_KERAS`` is read when TensorFlow is first imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "rnnmigrate" / "rules" / "data" / "tf_api.json"

WALKER = r'''
import json, os, sys, types, warnings
warnings.simplefilter("ignore")
import tensorflow as tf
from tensorflow.python.util import lazy_loader

def walk(root, prefix, skip=(), opaque=(), recurse=("tensorflow.",)):
    """Every public name below ``root``: "module", "symbol", or "opaque" (a module not walked)."""
    names, seen, stack = {}, set(), [(root, prefix)]
    while stack:
        module, name = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        try:
            attributes = dir(module)
        except Exception as error:  # tf.compat.v1.nn.rnn_cell under Keras 3
            names[name] = "broken: " + str(error).splitlines()[0]
            continue
        for attribute in attributes:
            if attribute.startswith("_"):
                continue
            full = f"{name}.{attribute}"
            if full in skip:
                continue
            try:
                value = getattr(module, attribute)
            except Exception as error:
                names[full] = "broken: " + str(error).splitlines()[0]
                continue
            lazy = isinstance(value, lazy_loader.LazyLoader) or type(value).__name__.endswith("LazyLoader")
            if isinstance(value, types.ModuleType) or lazy:
                real = "" if lazy else value.__name__
                if full in opaque or not (lazy or real.startswith(recurse)) or ".python." in real or ".src." in real:
                    names[full] = "opaque"
                else:
                    names[full] = "module"
                    stack.append((value, full))
            else:
                names[full] = "symbol"
    return names

mode = sys.argv[1]
out = {"tensorflow": tf.__version__}
keras_roots = ("keras", "tf_keras")
if mode == "keras3":
    import keras
    out["keras_version"] = keras.__version__
    out["tf"] = walk(tf, "tf", skip={"tf.keras", "tf.compat"}, opaque={"tf.raw_ops"})
    out["tf.compat.v1"] = walk(tf.compat.v1, "tf", skip={"tf.keras", "tf.compat"}, opaque={"tf.raw_ops"})
    out["tf.keras"] = walk(tf.keras, "keras", recurse=keras_roots)
    out["keras"] = walk(keras, "keras", recurse=keras_roots)
else:
    import tf_keras
    out["tf_keras"] = tf_keras.__version__
    out["tf.compat.v1"] = walk(tf.compat.v1, "tf", skip={"tf.keras", "tf.compat"}, opaque={"tf.raw_ops"})
    out["tf.keras"] = walk(tf.keras, "keras", recurse=keras_roots)
    out["tf.compat.v1.keras"] = walk(tf.compat.v1.keras, "keras", recurse=keras_roots)
json.dump(out, sys.stdout)
'''


def walk(legacy: bool) -> dict:
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    environment.pop("TF_USE_LEGACY_KERAS", None)
    if legacy:
        environment["TF_USE_LEGACY_KERAS"] = "1"
    done = subprocess.run([sys.executable, "-c", WALKER, "legacy" if legacy else "keras3"],
                          capture_output=True, text=True, env=environment, check=True)
    return json.loads(done.stdout)


def names(tree: dict, kinds: tuple[str, ...]) -> list[str]:
    return sorted(name for name, kind in tree.items() if kind.startswith(kinds))


def main() -> None:
    keras3, legacy = walk(legacy=False), walk(legacy=True)
    tf2, v1 = keras3["tf"], keras3["tf.compat.v1"]
    legacy_v1 = legacy["tf.compat.v1"]
    # Everything Python can reach, so that "absent" means absent; broken modules are recorded with their error.
    document = {
        "generated_by": "tools/tf_api_tables.py",
        "versions": {"tensorflow": keras3["tensorflow"], "keras": keras3["keras_version"], "tf_keras": legacy["tf_keras"]},
        "tf": {"modules": names(tf2, ("module",)), "symbols": names(tf2, ("symbol",)), "opaque": names(tf2, ("opaque",))},
        "tf.compat.v1": {
            "modules": names(v1, ("module",)),
            "symbols": names(v1, ("symbol",)),
            "opaque": names(v1, ("opaque",)),
            "broken": {name: kind[len("broken: "):] for name, kind in v1.items() if kind.startswith("broken")},
        },
        # What TF_USE_LEGACY_KERAS=1 with tf-keras adds under tf.compat.v1 (tf.compat.v1.layers, nn.rnn_cell).
        "tf.compat.v1 with tf-keras": sorted(set(legacy_v1) - set(name for name, kind in v1.items() if not kind.startswith("broken"))),
        "keras 3": {
            "tf.keras": names(keras3["tf.keras"], ("module", "symbol", "opaque")),
            "keras": names(keras3["keras"], ("module", "symbol", "opaque")),
        },
        "tf-keras": {
            "tf.keras": names(legacy["tf.keras"], ("module", "symbol", "opaque")),
            "tf.compat.v1.keras": names(legacy["tf.compat.v1.keras"], ("module", "symbol", "opaque")),
        },
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1000} kB)")


if __name__ == "__main__":
    main()
