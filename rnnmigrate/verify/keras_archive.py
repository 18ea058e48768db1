"""What is wrong with a Keras file that does not load, said before Keras says something vaguer.

Keras reports a file that is not a zip archive as "File not found", and a class it cannot
locate with the whole config. The checks here read the file themselves, so the message names
the real cause: not a zip archive, no config.json, or a class of the user's own and the module
that defines (and registers) it.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

from rnnmigrate.verify.errors import VerifyError, describe

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_WEIGHT_FILES = ("model.weights.h5", "model.weights.npz")


def check_keras_file(path: str) -> None:
    """Raise `VerifyError` naming the cause when the file cannot be a loadable Keras model."""
    if Path(path).suffix != ".keras":
        if not _is_hdf5(path):
            raise VerifyError(f"{path}: not an HDF5 file (a {Path(path).suffix} model is one); the file is corrupt or another format")
        return
    if not zipfile.is_zipfile(path):
        raise VerifyError(f"{path}: not a zip archive (a .keras file is one); the file is corrupt or another format")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                raise VerifyError(f"{path}: the archive has no config.json, so it is not a Keras 3 model file (model.save)")
            if not names.intersection(_WEIGHT_FILES):
                raise VerifyError(f"{path}: the archive has no model.weights.h5: the weights are missing")
            json.loads(archive.read("config.json"))
    except VerifyError:
        raise
    except json.JSONDecodeError as error:
        raise VerifyError(f"{path}: config.json in the archive is not valid JSON ({error})") from None
    except Exception as error:
        raise VerifyError(f"{path}: unreadable zip archive ({describe(error)})") from None


def _is_hdf5(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(_HDF5_SIGNATURE)) == _HDF5_SIGNATURE


def unknown_class_message(path: str, class_name: str) -> str:
    """Which import would make ``class_name`` known: the module its config names, if any."""
    entry = _config_entry(path, class_name)
    module = entry.get("module") if entry else None
    registered = entry.get("registered_name") if entry else None
    registered_text = f" (registered as {registered!r})" if registered and registered != class_name else ""
    if module and module != "__main__":
        return (
            f"{path}: Keras does not know the class {class_name!r}{registered_text}, defined in module "
            f"{module!r}: pass --import {module} (it must be importable from here)"
        )
    return (
        f"{path}: Keras does not know the class {class_name!r}{registered_text}; it was defined in the script "
        "that saved the model: move it into a module and pass --import MODULE "
        "(see the README, 'Deploying a migrated model')"
    )


def _config_entry(path: str, class_name: str) -> dict[str, Any] | None:
    """The first object in the saved config whose ``class_name`` is this one (layers nest)."""
    if Path(path).suffix != ".keras":
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except Exception:
        return None
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("class_name") == class_name and "config" in node:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def import_custom_objects(modules: tuple[str, ...]) -> dict[str, Any]:
    """Import ``--import`` modules (which registers their classes) and return the classes and
    functions they define, by name: Keras also needs the classes nobody registered."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    objects: dict[str, Any] = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception as error:
            raise VerifyError(f"--import {name}: cannot import it ({describe(error)})") from None
        for attribute, value in vars(module).items():
            if callable(value) and getattr(value, "__module__", None) == module.__name__:
                objects[attribute] = value
    return objects
