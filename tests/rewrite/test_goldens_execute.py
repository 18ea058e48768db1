"""The rewrite goldens are run, not only parsed: each expected output computes what its before-file did.

golden_runs.py runs every before-file under TF1 with random weights and its expected output
under Keras 3, restored by its own Saver in a TF1 session and (where it needs no graph) eagerly
through `tf1_weights`, and compares every tensor. Goldens that import no runtime code must
differ from their before-file in comments only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import golden_runs
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = sorted(FIXTURES.glob("*/*.expected.py"))


def case_name(expected: Path) -> str:
    return f"{expected.parent.name}/{expected.name.removesuffix('.expected.py')}"


def before_path(expected: Path) -> Path:
    return expected.with_name(expected.name.replace(".expected.py", ".py"))


def imports_runtime(text: str) -> bool:
    return any(
        (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnnmigrate.layers"))
        or (isinstance(node, ast.Import) and any(alias.name.startswith("rnnmigrate.layers") for alias in node.names))
        for node in ast.walk(ast.parse(text))
    )


RUNTIME_GOLDENS = [path for path in EXPECTED if imports_runtime(path.read_text(encoding="utf-8"))]
ANNOTATED_ONLY = [path for path in EXPECTED if path not in RUNTIME_GOLDENS]


def test_every_golden_with_runtime_code_says_how_to_run_it():
    assert sorted(golden_runs.GOLDENS) == sorted(map(case_name, RUNTIME_GOLDENS))


@pytest.mark.parametrize("expected", ANNOTATED_ONLY, ids=case_name)
def test_a_golden_without_runtime_code_changes_comments_only(expected: Path):
    before = before_path(expected).read_text(encoding="utf-8")
    after = expected.read_text(encoding="utf-8")
    assert after != before
    assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(before))


def _cases(paths: list[Path]) -> list[tuple[str, str, str]]:
    return [
        (case_name(path), before_path(path).read_text(encoding="utf-8"), path.read_text(encoding="utf-8"))
        for path in paths
    ]


def _failures(results: dict) -> list[str]:
    failures = []
    for name, result in sorted(results.items()):
        if isinstance(result, str):
            failures.append(f"{name}: {result.strip().splitlines()[-1]}")
            continue
        for context, ratios in result.items():
            path, worst = max(ratios.items(), key=lambda item: item[1])
            if worst > 1:
                failures.append(f"{name} ({context}): {path} is {worst:.3g}x the tolerance")
    return failures


HALVES = [RUNTIME_GOLDENS[0::2], RUNTIME_GOLDENS[1::2]]  # two subprocesses, one per CI core


@pytest.mark.slow
@pytest.mark.parametrize("half", HALVES, ids=["first-half", "second-half"])
def test_goldens_compute_what_their_before_files_computed(half: list[Path]):
    results = golden_runs.run_goldens(_cases(half))

    assert sorted(results) == sorted(map(case_name, half))
    assert not _failures(results), "\n".join(_failures(results))
    contexts = {context for result in results.values() for context in result}
    assert contexts == {"TF1 session, own Saver", "eager, tf1_weights"}


@pytest.mark.slow
def test_a_golden_that_computes_something_else_fails():
    """Negative controls: a changed forget_bias, and a Keras cell left on TF 2's defaults."""
    lstm = FIXTURES / "core_cells/direct_import_all_rewritten.expected.py"
    gru = FIXTURES / "keras_cells/in_dynamic_rnn.expected.py"
    (name, before, after), (gru_name, gru_before, gru_after) = _cases([lstm, gru])
    wrong_bias = after.replace("decoder = LSTMCell(64)", "decoder = LSTMCell(64, forget_bias=0.0)")
    # TF 2's sigmoid gates; not its reset_after=True, whose bias crashes oneDNN's fused matmul in a TF1 graph on some CPUs
    tf2_defaults = gru_after.replace('KerasGRUCell(32, recurrent_activation="hard_sigmoid", reset_after=False)', "KerasGRUCell(32, reset_after=False)")
    assert wrong_bias != after and tf2_defaults != gru_after

    results = golden_runs.run_goldens([(name, before, wrong_bias), (gru_name, gru_before, tf2_defaults)])

    assert len(_failures(results)) >= 2, results
