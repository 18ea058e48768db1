"""RNN105: ``ResidualWrapper`` and ``DeviceWrapper``."""

from __future__ import annotations

from rnnmigrate.rules.base import CELL_MODULES, Assessment, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info

REASONS = {
    "ResidualWrapper": "ResidualWrapper adds the cell's input to its output; compose it by hand around an "
    "rnnmigrate.layers cell",
    "DeviceWrapper": "DeviceWrapper pins the cell to a device; drop it (Keras places ops itself) and "
    "migrate the wrapped cell",
}


SIGNATURES = {
    "ResidualWrapper": ("cell", "residual_fn"),
    "DeviceWrapper": ("cell", "device"),
}


def assess(site: Site) -> Assessment:
    """Manual; the wrapped cell is traced too, so that it is reported as running in here."""
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    inner = (site.tracer.trace(bound["cell"]),) if "cell" in bound else ()
    return as_assessment(cell_info(site, bound, REASONS[site.short_name], children=inner))


RULE = Rule(
    code="RNN105",
    name="cell-wrapper",
    summary="ResidualWrapper / DeviceWrapper construction",
    apis=names_in(CELL_MODULES, tuple(REASONS)),
    kind="cell",
    what="Finds `ResidualWrapper(cell)` and `DeviceWrapper(cell, device)`.",
    why="Neither exists in Keras 3 and neither has an `rnnmigrate.layers` class: the RNN that uses "
    "them cannot be rewritten exactly without a person deciding what they become.",
    fix="None automatic. `DeviceWrapper`: unwrap the cell. `ResidualWrapper`: add the input to the "
    "RNN's outputs after a `DynamicRNN` (zeroing padded steps again), or write a small wrapper cell.",
    numerics="Exact when composed as above; verify with `rnnmigrate verify`.",
    example_before="cell = tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.LSTMCell(64))",
    example_after="# no automatic rewrite",
    assess=assess,
)
