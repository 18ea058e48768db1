"""Batches that make a wrong migration show itself, or the user's own arrays.

Generated batches are built from the paired input signatures. An integer input
named like a length (or given by ``--lengths``) holds each row's valid length and
covers the edge cases: 0, 1 and the full time axis, plus random values; every
second batch keeps all rows shorter than the time axis, which catches a model
that sizes its mask from the longest row. The padding positions of the
sequence inputs hold non-zero values, so a model that reads the padding differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rnnmigrate.verify.errors import VerifyError, describe
from rnnmigrate.verify.pairing import Pairing, TensorPair, dtype_kind, merged_shape

if TYPE_CHECKING:
    import numpy as np

_LENGTH_NAME = re.compile(r"len", re.IGNORECASE)


@dataclass(frozen=True)
class SampleSettings:
    samples: int = 4
    batch_size: int = 16
    max_len: int = 20
    min_len: int = 0
    seed: int = 0
    lengths_name: str | None = None
    vocab_size: int | None = None


@dataclass
class SampleBatch:
    """Arrays keyed by OLD input name, and each row's valid length when a lengths input exists."""

    inputs: dict[str, np.ndarray]
    lengths: np.ndarray | None
    time_steps: int | None

    @property
    def rows(self) -> int:
        return len(next(iter(self.inputs.values()))) if self.inputs else 0


@dataclass
class SamplePlan:
    """How the batches were made, for the report."""

    source: str
    batches: list[SampleBatch]
    lengths_input: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(batch.rows for batch in self.batches)


def find_lengths_input(pairing: Pairing, lengths_name: str | None) -> TensorPair | None:
    """The input holding per-row lengths: ``--lengths NAME``, else the one integer vector named *len*."""
    if lengths_name is not None:
        for pair in pairing.inputs:
            if lengths_name in (pair.old.name, pair.new.name):
                return pair
        names = ", ".join(pair.label for pair in pairing.inputs)
        raise VerifyError(f"--lengths {lengths_name}: no such input; inputs are {names}")
    candidates = [
        pair
        for pair in pairing.inputs
        if dtype_kind(pair.old.dtype) == "integer"
        and _rank(pair) == 1
        and (_LENGTH_NAME.search(pair.old.name) or _LENGTH_NAME.search(pair.new.name))
    ]
    if len(candidates) > 1:
        names = ", ".join(pair.label for pair in candidates)
        raise VerifyError(f"several inputs look like lengths ({names}); choose one with --lengths NAME")
    return candidates[0] if candidates else None


def _rank(pair: TensorPair) -> int | None:
    shape = merged_shape(pair)
    return None if shape is None else len(shape)


# --- generated ----------------------------------------------------------------------------


def generate_samples(
    pairing: Pairing, settings: SampleSettings, embedding_rows: dict[str, int]
) -> SamplePlan:
    import numpy as np

    _check_settings(settings)
    lengths_pair = find_lengths_input(pairing, settings.lengths_name)
    batch_size = _fixed_axis(pairing, 0, settings.batch_size, "batch")
    time_steps = _fixed_axis(pairing, 1, settings.max_len, "time", skip=lengths_pair)
    if settings.min_len > time_steps:
        raise VerifyError(f"--min-len {settings.min_len} is longer than the time axis ({time_steps})")
    vocab_size, vocab_note = _vocab_size(pairing, lengths_pair, settings, embedding_rows)

    rng = np.random.default_rng(settings.seed)
    batches = []
    for index in range(settings.samples):
        lengths = None
        if lengths_pair is not None:
            lengths = _lengths(rng, batch_size, time_steps, settings.min_len, short=index % 2 == 1)
        inputs = {
            pair.old.name: _generate_input(rng, pair, batch_size, time_steps, lengths, lengths_pair, vocab_size)
            for pair in pairing.inputs
        }
        batches.append(SampleBatch(inputs=inputs, lengths=lengths, time_steps=time_steps))

    notes = [vocab_note] if vocab_note else []
    if lengths_pair is None:
        notes.append("no lengths input found: padding is not exercised (name one with --lengths)")
    else:
        edges = "1" if settings.min_len >= 1 else "0, 1"
        notes.append(
            f"lengths from '{lengths_pair.old.name}': {edges}, {time_steps} and random values; "
            "odd batches keep every row shorter than the time axis; padding filled with non-zero values"
        )
    source = (
        f"{settings.samples} generated batches x {batch_size} rows, time axis {time_steps}, "
        f"seed {settings.seed}"
    )
    return SamplePlan(source=source, batches=batches, lengths_input=_old_name(lengths_pair), notes=notes)


def _check_settings(settings: SampleSettings) -> None:
    for option, value, least in (
        ("--samples", settings.samples, 1),
        ("--batch-size", settings.batch_size, 1),
        ("--max-len", settings.max_len, 1),
        ("--min-len", settings.min_len, 0),
        ("--vocab-size", settings.vocab_size, 1),
    ):
        if value is not None and value < least:
            raise VerifyError(f"{option} must be at least {least}, got {value}")
    if settings.min_len > settings.max_len:
        raise VerifyError(f"--min-len {settings.min_len} is larger than --max-len {settings.max_len}")


def _fixed_axis(
    pairing: Pairing, axis: int, default: int, what: str, skip: TensorPair | None = None
) -> int:
    """A batch or time size fixed by a signature wins over the option; two fixed sizes must agree."""
    fixed = set()
    for pair in pairing.inputs:
        shape = merged_shape(pair)
        if pair is skip or shape is None or len(shape) <= axis:
            continue
        if shape[axis] is not None:
            fixed.add(shape[axis])
    if len(fixed) > 1:
        raise VerifyError(f"inputs fix different {what} sizes: {sorted(fixed)}")
    return fixed.pop() if fixed else default


def _vocab_size(
    pairing: Pairing,
    lengths_pair: TensorPair | None,
    settings: SampleSettings,
    embedding_rows: dict[str, int],
) -> tuple[int | None, str | None]:
    """Token ids must stay inside every embedding table: the smallest table bounds them."""
    needs_ids = any(
        dtype_kind(pair.old.dtype) == "integer" and pair is not lengths_pair for pair in pairing.inputs
    )
    if not needs_ids:
        return None, None
    if settings.vocab_size is not None:
        return settings.vocab_size, f"token ids drawn from [0, {settings.vocab_size}) (--vocab-size)"
    if not embedding_rows:
        names = ", ".join(p.label for p in pairing.inputs if p is not lengths_pair and dtype_kind(p.old.dtype) == "integer")
        raise VerifyError(
            f"cannot tell the vocabulary size for integer input {names} (no embedding table found); "
            "pass --vocab-size N"
        )
    table, rows = min(embedding_rows.items(), key=lambda item: item[1])
    return rows, f"token ids drawn from [0, {rows}): rows of the embedding table {table}"


def _lengths(rng: np.random.Generator, rows: int, time_steps: int, min_len: int, short: bool) -> np.ndarray:
    import numpy as np

    longest = time_steps - 1 if short and time_steps - 1 >= max(min_len, 1) else time_steps
    edges = [value for value in (0, 1, longest) if min_len <= value <= longest]
    edges = list(dict.fromkeys(edges))[:rows]
    rest = rng.integers(min_len, longest + 1, size=rows - len(edges))
    return np.concatenate([np.asarray(edges, dtype=np.int64), rest]).astype(np.int64)


def _generate_input(
    rng: np.random.Generator,
    pair: TensorPair,
    rows: int,
    time_steps: int,
    lengths: np.ndarray | None,
    lengths_pair: TensorPair | None,
    vocab_size: int | None,
) -> np.ndarray:
    import numpy as np

    if pair is lengths_pair:
        assert lengths is not None
        return lengths
    shape = _sample_shape(pair, rows, time_steps)
    kind = dtype_kind(pair.old.dtype)
    if kind == "float":
        return rng.standard_normal(shape).astype(np.float32)
    if kind == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if kind == "integer":
        assert vocab_size is not None
        values = rng.integers(0, vocab_size, size=shape)
        if lengths is not None and len(shape) >= 2 and vocab_size > 1:
            padding = _padding_mask(lengths, time_steps, shape)
            values = np.where(padding, rng.integers(1, vocab_size, size=shape), values)
        return values.astype(np.int64)
    raise VerifyError(
        f"cannot generate values for input {pair.label} of dtype {pair.old.dtype}; pass --inputs with real data"
    )


def _sample_shape(pair: TensorPair, rows: int, time_steps: int) -> tuple[int, ...]:
    shape = merged_shape(pair)
    if shape is None:
        raise VerifyError(f"input {pair.label} has an unknown rank in both models; pass --inputs with real data")
    dims = [rows, time_steps][: len(shape)]
    for axis, size in enumerate(shape[2:], start=2):
        if size is None:
            raise VerifyError(
                f"input {pair.label} has an unknown dimension {axis} in both models; pass --inputs with real data"
            )
        dims.append(size)
    return tuple(dims)


def _padding_mask(lengths: np.ndarray, time_steps: int, shape: tuple[int, ...]) -> np.ndarray:
    import numpy as np

    steps = np.arange(time_steps)[None, :] >= lengths[:, None]
    return steps.reshape(steps.shape + (1,) * (len(shape) - 2))


def _old_name(pair: TensorPair | None) -> str | None:
    return None if pair is None else pair.old.name


def step_mask(lengths: np.ndarray, time_steps: int) -> np.ndarray:
    """True at valid steps ``t < length[row]``: the region ``dynamic_rnn`` computes."""
    import numpy as np

    return np.arange(time_steps)[None, :] < np.asarray(lengths)[:, None]


# --- the user's own arrays ----------------------------------------------------------------


def parse_input_files(items: list[str]) -> dict[str, tuple[str, str | None]]:
    """``key=file.npy`` / ``key=file.npz[var]``, repeatable or ``;``-separated as in saved_model_cli."""
    files: dict[str, tuple[str, str | None]] = {}
    for item in (part.strip() for entry in items for part in entry.split(";")):
        if not item:
            continue
        key, sep, spec = item.partition("=")
        if not sep or not key.strip() or not spec.strip():
            raise VerifyError(f"--inputs: expected key=file.npy or key=file.npz[var], got '{item}'")
        match = re.fullmatch(r"(.+?)\[([^\]]+)\]", spec.strip())
        files[key.strip()] = (match.group(1), match.group(2)) if match else (spec.strip(), None)
    return files


def load_input_files(
    pairing: Pairing, files: dict[str, tuple[str, str | None]], settings: SampleSettings
) -> SamplePlan:
    """The user's arrays for every input, split into ``--batch-size`` rows per run."""
    by_name = {}
    for pair in pairing.inputs:
        by_name[pair.old.name] = pair
        by_name[pair.new.name] = pair
    unknown = [key for key in files if key not in by_name]
    if unknown:
        names = ", ".join(pair.label for pair in pairing.inputs)
        raise VerifyError(f"--inputs: no input named {', '.join(unknown)}; inputs are {names}")
    arrays = {by_name[key].old.name: _read_array(key, path, var) for key, (path, var) in files.items()}
    missing = [pair.label for pair in pairing.inputs if pair.old.name not in arrays]
    if missing:
        raise VerifyError(f"--inputs gives no data for {', '.join(missing)}; give every input or none")

    row_counts = {name: (array.shape[0] if array.ndim else None) for name, array in arrays.items()}
    if None in row_counts.values() or len(set(row_counts.values())) != 1:
        raise VerifyError(f"--inputs arrays need the same number of rows (axis 0), got {row_counts}")
    lengths_pair = find_lengths_input(pairing, settings.lengths_name)
    lengths_name = _old_name(lengths_pair)
    time_steps = next((a.shape[1] for n, a in arrays.items() if n != lengths_name and a.ndim >= 2), None)
    total = next(iter(row_counts.values()))
    batches = []
    for start in range(0, total, settings.batch_size):
        chunk = {name: array[start : start + settings.batch_size] for name, array in arrays.items()}
        lengths = chunk[lengths_name] if lengths_name is not None and time_steps is not None else None
        batches.append(SampleBatch(inputs=chunk, lengths=lengths, time_steps=time_steps))
    notes = [] if lengths_name else ["no lengths input found: valid and padded steps are not told apart"]
    source = f"--inputs: {total} rows in {len(batches)} batches of up to {settings.batch_size}"
    return SamplePlan(source=source, batches=batches, lengths_input=lengths_name, notes=notes)


def _read_array(key: str, path: str, var: str | None) -> np.ndarray:
    import numpy as np

    if not Path(path).is_file():
        raise VerifyError(f"{path}: no such file (--inputs {key})")
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as error:
        raise VerifyError(f"{path}: not a .npy or .npz file ({describe(error)})") from None
    if isinstance(loaded, np.ndarray):
        if var is not None:
            raise VerifyError(f"{path}: a .npy file holds one array; drop '[{var}]'")
        return loaded
    with loaded:
        names = list(loaded.files)
        if var is None and len(names) == 1:
            var = names[0]
        if var is None or var not in names:
            wanted = f"no array '{var}'" if var else "several arrays"
            raise VerifyError(f"{path}: {wanted}; it holds {', '.join(names)} (use {key}={path}[name])")
        return loaded[var]
