"""Fix safety, as ruff has it: `rewrite --apply` makes the safe fixes, `--unsafe-fixes` the unsafe ones too.

The invariants run over every rule and rewrite fixture: after `--apply` the scan finds no safe fix
left, after `--apply --unsafe-fixes` no fix at all; the two findings of a call and its cell never
end up one rewritten and one not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rewrite_helpers import AUTO, AUTO_REWRITTEN, run, snapshot, write

from rnnmigrate.rewrite import plan_file
from rnnmigrate.rewrite_files import apply
from rnnmigrate.scan import scan_file

TESTS = Path(__file__).parents[1]
FIXTURES = sorted(
    [*TESTS.glob("rules/fixtures/*.py"), *TESTS.glob("rewrite/fixtures/*/*.py")],
    key=lambda path: str(path),
)
FIXTURES = [path for path in FIXTURES if not path.name.endswith(".expected.py")]
CASES = FIXTURES  # suppressed sites included: scan and rewrite decide alike (verdicts.decide)

SHARED = """\
import tensorflow as tf

cell = tf.nn.rnn_cell.GRUCell(8)
stack = tf.nn.rnn_cell.MultiRNNCell([cell] * 2)
outputs, state = tf.nn.dynamic_rnn(stack, inputs, dtype=tf.float32)
"""
SHARED_REWRITTEN = """\
import tensorflow as tf
from rnnmigrate.layers import DynamicRNN, GRUCell, MultiRNNCell

cell = GRUCell(8)
stack = MultiRNNCell([cell] * 2)
outputs, state = DynamicRNN(stack, dtype=tf.float32)(inputs)
"""


def fixes_left(path: Path) -> dict[str, int]:
    findings = scan_file(str(path)).findings
    return {level: sum(finding.fix == level for finding in findings) for level in ("safe", "unsafe")}


@pytest.mark.parametrize("fixture", CASES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_apply_leaves_no_safe_fix_and_unsafe_fixes_leave_none(fixture: Path, tmp_path: Path):
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    before = fixes_left(path)

    plan = plan_file(str(path))
    if plan.error is not None:
        pytest.skip(f"the rewrite refuses this file: {plan.error}")
    assert apply(plan) is None
    assert len(plan.held) == before["unsafe"]
    assert fixes_left(path) == {"safe": 0, "unsafe": before["unsafe"]}

    plan = plan_file(str(path), unsafe_fixes=True)
    assert plan.error is None and apply(plan) is None
    assert fixes_left(path) == {"safe": 0, "unsafe": 0}


def test_the_summary_counts_the_unsafe_fixes_it_held_back_and_lists_them(project: Path):
    write(project, "shared.py", SHARED)
    write(project, "model.py", AUTO)
    before = snapshot(project)
    result = run(".")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "would rewrite 2 sites in 1 file; 0 left for a person; 3 more with --unsafe-fixes"
    assert lines[1].startswith(
        "./shared.py:3:8: RNN101 tf.nn.rnn_cell.GRUCell: auto-rewritable with --unsafe-fixes, assuming what "
        "tf.nn.rnn_cell.MultiRNNCell on line 4 assumes (they migrate together)"
    )
    assert lines[2].startswith(
        "./shared.py:4:9: RNN102 tf.nn.rnn_cell.MultiRNNCell: auto-rewritable with --unsafe-fixes, assuming "
        "each layer's input depth equals the shared cell's output size"
    )
    assert "shared.py" not in result.stdout  # no diff for a fix that is not made
    assert snapshot(project) == before


def test_apply_with_unsafe_fixes_makes_them(project: Path):
    write(project, "shared.py", SHARED)
    write(project, "model.py", AUTO)
    safe_only = run("--apply", ".")
    assert safe_only.stderr.splitlines()[0] == "rewrote 2 sites in 1 file; 0 left for a person; 3 more with --unsafe-fixes"
    assert (project / "model.py").read_text() == AUTO_REWRITTEN
    assert (project / "shared.py").read_text() == SHARED

    everything = run("--apply", "--unsafe-fixes", ".")
    assert everything.stderr.splitlines()[0] == "rewrote 3 sites in 1 file; 0 left for a person"
    assert (project / "shared.py").read_text() == SHARED_REWRITTEN
    assert run("--apply", "--unsafe-fixes", ".").exit_code == 0  # nothing left


def test_check_counts_only_the_fixes_the_run_would_make(project: Path):
    write(project, "shared.py", SHARED)
    assert run("--check", ".").exit_code == 0
    assert run("--check", "--unsafe-fixes", ".").exit_code == 1
