"""Pair OLD and NEW inputs and outputs by name, and check paired inputs can share data.

Order of rules: ``--map old=new`` first, then equal names, then — when exactly one
name is left on each side — those two, with a note saying so (the usual TF1
``tokens`` against a Keras export's ``keras_tensor``). Anything left is an error
that lists both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnnmigrate.verify.errors import VerifyError
from rnnmigrate.verify.models import LoadedModel, TensorSignature


@dataclass(frozen=True)
class TensorPair:
    old: TensorSignature
    new: TensorSignature

    @property
    def label(self) -> str:
        return self.old.name if self.old.name == self.new.name else f"{self.old.name} -> {self.new.name}"


@dataclass
class Pairing:
    inputs: list[TensorPair]
    outputs: list[TensorPair]
    notes: list[str] = field(default_factory=list)


def parse_name_map(items: list[str], option: str = "--map") -> dict[str, str]:
    """``--map old=new`` (repeatable, or comma separated) into a dict."""
    mapping: dict[str, str] = {}
    for item in (part.strip() for entry in items for part in entry.split(",")):
        if not item:
            continue
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise VerifyError(f"{option}: expected old=new, got '{item}'")
        mapping[old.strip()] = new.strip()
    return mapping


def parse_constants(items: list[str]) -> dict[str, str]:
    """``--set name=value`` (repeatable, or comma separated) into a dict of value texts."""
    constants: dict[str, str] = {}
    for item in (part.strip() for entry in items for part in entry.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise VerifyError(f"--set: expected name=value, got '{item}'")
        constants[name.strip()] = value.strip()
    return constants


def pair_models(
    old: LoadedModel,
    new: LoadedModel,
    name_map: dict[str, str],
    skip: frozenset[str] = frozenset(),
    constants: frozenset[str] = frozenset(),
) -> Pairing:
    """Pair by name; ``skip`` drops outputs one side has alone, ``constants`` are inputs fed a fixed value."""
    _check_map_names(old, new, name_map)
    notes: list[str] = []
    _check_left_out(old, new, skip, constants, notes)
    left_out = skip | constants
    old_inputs = {name: spec for name, spec in old.inputs.items() if name not in left_out}
    new_inputs = {name: spec for name, spec in new.inputs.items() if name not in left_out}
    old_outputs = {name: spec for name, spec in old.outputs.items() if name not in left_out}
    new_outputs = {name: spec for name, spec in new.outputs.items() if name not in left_out}
    inputs = _pair("input", old_inputs, new_inputs, name_map, old, new, notes)
    outputs = _pair("output", old_outputs, new_outputs, name_map, old, new, notes)
    for pair in inputs:
        check_input_compatible(pair, old, new)
    return Pairing(inputs=inputs, outputs=outputs, notes=notes)


def _check_left_out(
    old: LoadedModel, new: LoadedModel, skip: frozenset[str], constants: frozenset[str], notes: list[str]
) -> None:
    for name in sorted(skip):
        if name in old.inputs or name in new.inputs:
            raise VerifyError(f"--skip {name}: '{name}' is an input; feed it a fixed value with --set {name}=VALUE")
        sides = [model.label for model in (old, new) if name in model.outputs]
        if not sides:
            raise VerifyError(f"--skip {name}: neither {old.path} nor {new.path} has an output '{name}'")
        notes.append(f"skipped output '{name}' ({' and '.join(sides)})")
    for name in sorted(constants):
        sides = [model.label for model in (old, new) if name in model.inputs]
        if not sides:
            raise VerifyError(f"--set {name}: neither {old.path} nor {new.path} has an input '{name}'")
        notes.append(f"input '{name}' ({' and '.join(sides)}) fed a fixed value")


def _check_map_names(old: LoadedModel, new: LoadedModel, name_map: dict[str, str]) -> None:
    old_names = set(old.inputs) | set(old.outputs)
    new_names = set(new.inputs) | set(new.outputs)
    for old_name, new_name in name_map.items():
        if old_name not in old_names:
            raise VerifyError(
                f"--map {old_name}={new_name}: {old.path} has no input or output '{old_name}'; "
                f"it has {_listing(sorted(old_names))}"
            )
        if new_name not in new_names:
            raise VerifyError(
                f"--map {old_name}={new_name}: {new.path} has no input or output '{new_name}'; "
                f"it has {_listing(sorted(new_names))}"
            )


def _pair(
    what: str,
    old_side: dict[str, TensorSignature],
    new_side: dict[str, TensorSignature],
    name_map: dict[str, str],
    old: LoadedModel,
    new: LoadedModel,
    notes: list[str],
) -> list[TensorPair]:
    pairs: list[TensorPair] = []
    old_left, new_left = dict(old_side), dict(new_side)
    for old_name, new_name in name_map.items():
        if old_name in old_left and new_name in new_left:
            pairs.append(TensorPair(old_left.pop(old_name), new_left.pop(new_name)))
        elif (old_name in old_side) != (new_name in new_side):
            raise VerifyError(
                f"--map {old_name}={new_name}: pairs an input with an output "
                f"({old.path} vs {new.path})"
            )
    for name in [name for name in old_left if name in new_left]:
        pairs.append(TensorPair(old_left.pop(name), new_left.pop(name)))
    if len(old_left) == 1 and len(new_left) == 1:
        (old_name, old_spec), (new_name, new_spec) = old_left.popitem(), new_left.popitem()
        pairs.append(TensorPair(old_spec, new_spec))
        notes.append(f"paired the only unmatched {what}s: OLD '{old_name}' with NEW '{new_name}'")
    if old_left or new_left:
        leave_out = "feed an input only one side has a fixed value with --set NAME=VALUE"
        if what == "output":
            leave_out = "leave out an output only one side has with --skip NAME"
        raise VerifyError(
            f"unmatched {what} names: {old.path} has {_listing(old_left)}, "
            f"{new.path} has {_listing(new_left)}; pair them with --map old=new, or {leave_out}"
        )
    return pairs


def _listing(names: object) -> str:
    names = list(names)  # type: ignore[call-overload]
    return ", ".join(f"'{name}'" for name in names) if names else "none left"


def dtype_kind(dtype: str) -> str:
    """Coarse class of a dtype name: values of the same kind can be cast for the other side."""
    if dtype == "bool":
        return "bool"
    if dtype.startswith(("float", "bfloat")):
        return "float"
    if dtype.startswith(("int", "uint")):
        return "integer"
    if dtype.startswith("complex"):
        return "complex"
    return dtype


def merged_shape(pair: TensorPair) -> tuple[int | None, ...] | None:
    """Both sides' static shapes combined: a dimension fixed on either side is fixed."""
    old_shape, new_shape = pair.old.shape, pair.new.shape
    if old_shape is None:
        return new_shape
    if new_shape is None:
        return old_shape
    return tuple(a if a is not None else b for a, b in zip(old_shape, new_shape))


def check_input_compatible(pair: TensorPair, old: LoadedModel, new: LoadedModel) -> None:
    """One array must be able to feed both sides: same rank, no conflicting fixed dims, same kind."""
    where = f"{old.path} vs {new.path}: input {pair.label}"
    if dtype_kind(pair.old.dtype) != dtype_kind(pair.new.dtype):
        raise VerifyError(f"{where}: incompatible dtypes {pair.old.dtype} and {pair.new.dtype}")
    old_shape, new_shape = pair.old.shape, pair.new.shape
    if old_shape is None or new_shape is None:
        return
    conflicting = len(old_shape) != len(new_shape) or any(
        a is not None and b is not None and a != b for a, b in zip(old_shape, new_shape)
    )
    if conflicting:
        raise VerifyError(
            f"{where}: incompatible shapes {_shape_text(old_shape)} and {_shape_text(new_shape)}"
        )


def _shape_text(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
