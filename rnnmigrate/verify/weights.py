"""Which NEW weights hold each OLD variable's values, and how many times.

Outputs cannot show a port that unties shared weights: two LSTMs that each got a copy of
one TF1 LSTM compute the same thing until training moves them apart. The parameters can.
Each OLD trainable variable is looked for in NEW's trainable weights by name (rnnmigrate's
runtime keeps TF1's names), then by value: as a whole, or as column blocks of the known gate
splits (an LSTM kernel [d+u, 4u] is Keras's kernel [d, 4u] over recurrent_kernel [u, 4u] with
gates reordered; a GRU's gates and candidate kernels are column blocks of Keras's kernel), a
bias block also when it differs by a constant (TF1's forget_bias folded in). Every OLD element
should be held exactly once.

A Keras ``GRU(reset_after=True)`` bias is ``[2, 3u]``: an input row and a recurrent row, each
z, r, h. Its rows are matched one by one, as if laid end to end: that is the layout of
``tf.contrib.cudnn_rnn.CudnnCompatibleGRUCell`` (gates bias in one row, the candidate's
``input_projection`` and ``hidden_projection`` biases in the h blocks of each) and of TF 1.x
Keras's ``CuDNNGRU`` (a ``[6u]`` bias, both rows flat). Its z and r columns act only as the sum of
the two rows, so ``2u`` of its parameters are not counted against OLD. TF1's ``GRUCell`` resets
before the candidate's matmul and has no such layout: its values fit in such a bias, but the GRU
computes something else, and verify says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_GATE_BLOCKS = (4, 3, 2, 1)
_BIAS_ROWS = ("input bias row", "recurrent bias row")
_RESET_BEFORE_CANDIDATE = "/candidate/bias"  # GRUCell's (and GRUBlockCell's) reset-before candidate bias


@dataclass(frozen=True)
class Parameter:
    """One trainable variable or weight: its name and its values."""

    name: str
    values: np.ndarray

    @property
    def size(self) -> int:
        return int(self.values.size)


@dataclass
class VariableMapping:
    """Where one OLD variable's values are in NEW: ``copies`` is the most times any element is held."""

    old: str
    shape: tuple[int, ...]
    new: list[str] = field(default_factory=list)
    how: str = ""
    copies: int = 0
    covered: int = 0
    size: int = 0

    @property
    def mapped(self) -> bool:
        return self.covered == self.size and self.copies == 1


@dataclass
class WeightComparison:
    old_parameters: int
    new_parameters: int
    old_variables: int
    new_weights: int
    mappings: list[VariableMapping]
    unused_new: list[str]
    problems: list[str]
    warnings: list[str]
    inference_only: bool = False
    redundant_new: int = 0  # reset_after GRU gate biases counted twice: only their sum acts

    @property
    def effective_new_parameters(self) -> int:
        return self.new_parameters - self.redundant_new

    @property
    def passed(self) -> bool:
        return self.inference_only or not self.problems


def compare_weights(old: list[Parameter], new: list[Parameter], inference_only: bool = False) -> WeightComparison:
    """Map OLD variables onto NEW weights; untied copies or extra NEW parameters are problems."""
    import numpy as np

    coverage = {p.name: np.zeros(_as_matrix(p.values).shape, dtype=np.int64) for p in old}
    mappings = {p.name: VariableMapping(old=p.name, shape=tuple(p.values.shape), size=p.size) for p in old}
    used_new: set[str] = set()
    for weight in new:
        if _match_by_name(weight, old, coverage, mappings):
            used_new.add(weight.name)
    for weight in new:
        if weight.name not in used_new and _match_by_value(weight, old, coverage, mappings):
            used_new.add(weight.name)
    for name, counts in coverage.items():
        mapping = mappings[name]
        mapping.copies = int(counts.max()) if counts.size else 0
        mapping.covered = int((counts > 0).sum())
    result = WeightComparison(
        old_parameters=sum(p.size for p in old),
        new_parameters=sum(p.size for p in new),
        old_variables=len(old),
        new_weights=len(new),
        redundant_new=sum(_redundant_parameters(w) for w in new),
        mappings=list(mappings.values()),
        unused_new=[w.name for w in new if w.name not in used_new],
        problems=[],
        warnings=[],
        inference_only=inference_only,
    )
    _judge(result)
    return result


def _judge(result: WeightComparison) -> None:
    untied = [m for m in result.mappings if m.copies > 1]
    for mapping in untied:
        result.problems.append(
            f"OLD {mapping.old} is held {mapping.copies} times in NEW ({', '.join(mapping.new)}): "
            "one variable became several, so training would untie them"
        )
    if result.effective_new_parameters > result.old_parameters:
        extra = f"; NEW weights holding no OLD values: {', '.join(result.unused_new)}" if result.unused_new else ""
        doubled = (
            f" ({result.effective_new_parameters} without the {result.redundant_new} doubled gate biases of reset_after GRUs)"
            if result.redundant_new
            else ""
        )
        result.problems.append(
            f"NEW has {result.new_parameters} trainable parameters{doubled}, OLD {result.old_parameters}{extra}"
        )
    missing = [m for m in result.mappings if m.covered < m.size]
    for mapping in missing:
        where = "not found in NEW" if not mapping.covered else f"{mapping.covered} of {mapping.size} values found"
        result.warnings.append(f"OLD {mapping.old}: {where} (retrained, or transformed in a way verify does not know)")
    for mapping in result.mappings:
        if mapping.old.endswith(_RESET_BEFORE_CANDIDATE) and any(row in mapping.how for row in _BIAS_ROWS):
            result.warnings.append(
                f"OLD {mapping.old} is the candidate bias of a GRU that resets before the matmul (TF1 GRUCell), "
                f"held in {', '.join(mapping.new)}, the bias of a GRU that resets after it (reset_after=True): "
                "the values are all there, the computation is not; port it as GRU(reset_after=False)"
            )
    if result.unused_new and result.effective_new_parameters <= result.old_parameters:
        result.warnings.append(f"NEW weights holding no OLD values: {', '.join(result.unused_new)}")
    if result.inference_only:
        result.warnings[:0] = [f"{problem} (--inference-only: a warning)" for problem in result.problems]


def _as_matrix(values: np.ndarray) -> np.ndarray:
    """Vectors as one row, so kernels and biases are cut the same way."""
    return values.reshape(1, -1) if values.ndim <= 1 else values.reshape(values.shape[0], -1)


def _names_agree(new_name: str, old_name: str) -> bool:
    """Equal, or one is the other under an outer scope the port does not repeat."""
    return new_name == old_name or new_name.endswith("/" + old_name) or old_name.endswith("/" + new_name)


def _match_by_name(weight: Parameter, old: list[Parameter], coverage: dict, mappings: dict) -> bool:
    import numpy as np

    for variable in old:
        same_values = variable.values.shape == weight.values.shape and np.allclose(
            weight.values, variable.values, rtol=1e-6, atol=1e-7
        )
        if _names_agree(weight.name, variable.name) and same_values:
            coverage[variable.name] += 1
            _record(mappings[variable.name], weight.name, "by name")
            return True
    return False


def _is_two_row_bias(weight: Parameter) -> bool:
    """Keras ``GRU(reset_after=True)``'s ``[2, 3u]`` bias: an input row over a recurrent row."""
    shape = weight.values.shape
    return len(shape) == 2 and shape[0] == 2 and shape[1] % 3 == 0 and weight.name.endswith("bias")


def _redundant_parameters(weight: Parameter) -> int:
    """The z and r columns of one of a reset_after bias's two rows: only the rows' sum acts."""
    return 2 * weight.values.shape[1] // 3 if _is_two_row_bias(weight) else 0


def _match_by_value(weight: Parameter, old: list[Parameter], coverage: dict, mappings: dict) -> bool:
    """Mark every block of ``weight`` found in an OLD variable; True when any was. A reset_after
    bias row by row, each placed as if the rows were laid end to end (``[6u]``)."""
    if not _is_two_row_bias(weight):
        return _match_matrix(weight.name, _as_matrix(weight.values), old, coverage, mappings)
    found = False
    for row, label in enumerate(_BIAS_ROWS):
        values = weight.values[row : row + 1]
        found |= _match_matrix(weight.name, values, old, coverage, mappings, label, row * values.shape[1])
    return found


def _match_matrix(
    name: str, target: np.ndarray, old: list[Parameter], coverage: dict, mappings: dict, label: str = "", start: int = 0
) -> bool:
    import numpy as np

    claimed = np.zeros(target.shape, dtype=bool)
    found = False
    for variable in old:
        source = _as_matrix(variable.values)
        for how, old_rows, old_cols, new_cols in _blocks_found(source, target, claimed, start):
            claimed[:, new_cols] = True
            coverage[variable.name][old_rows, old_cols] += 1
            _record(mappings[variable.name], name, "by value", ", ".join(part for part in (label, how) if part))
            found = True
    return found


def _blocks_found(source: np.ndarray, target: np.ndarray, claimed: np.ndarray, start: int = 0):
    """(how, OLD rows, OLD columns, NEW columns) of each column block of ``target`` equal to a
    block of ``source`` (at its top or bottom rows), gate widths tried from the finest. ``start``:
    where ``target``'s columns begin in the flat layout, for telling a reordered gate block."""
    rows, columns = target.shape
    if rows > source.shape[0]:
        return
    offsets = sorted({0, source.shape[0] - rows})
    for blocks in _GATE_BLOCKS:
        if source.shape[1] % blocks or columns % (source.shape[1] // blocks):
            continue
        width = source.shape[1] // blocks
        for new_start in range(0, columns, width):
            new_cols = slice(new_start, new_start + width)
            if claimed[:, new_cols].any():
                continue
            candidate = target[:, new_cols]
            match = _find_block(source, candidate, offsets, blocks, width)
            if match is not None:
                offset, old_start, how = match
                if blocks > 1 and (old_start // width) != ((start + new_start) // width) % blocks:
                    how = (how + ", gate blocks reordered") if how else "gate blocks reordered"
                yield how, slice(offset, offset + rows), slice(old_start, old_start + width), new_cols


def _find_block(source, candidate, offsets, blocks, width):
    import numpy as np

    if _is_constant(candidate):
        return None
    for offset in offsets:
        window = source[offset : offset + candidate.shape[0]]
        for block in range(blocks):
            old_block = window[:, block * width : (block + 1) * width]
            if np.allclose(candidate, old_block, rtol=1e-6, atol=1e-7):
                return offset, block * width, ""
            if candidate.shape[0] == 1 and width > 1:
                shift = candidate - old_block
                if np.allclose(shift, shift.flat[0], atol=1e-5):
                    return offset, block * width, f"{float(shift.flat[0]):+g} folded into a bias block"
    return None


def _is_constant(values: np.ndarray) -> bool:
    """Zeros (an untrained bias) or any constant block match everywhere: they prove nothing."""
    return values.size <= 1 or bool((values == values.flat[0]).all())


def _record(mapping: VariableMapping, new_name: str, base: str, detail: str = "") -> None:
    """``how`` reads "by value, gate blocks reordered, +1 folded into a bias block"."""
    if new_name not in mapping.new:
        mapping.new.append(new_name)
    parts = [part for part in mapping.how.split(", ") if part]
    for part in [base, *detail.split(", ")]:
        if part and part not in parts:
            parts.append(part)
    mapping.how = ", ".join(parts)
