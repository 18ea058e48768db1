"""Every TF1 program in programs/ agrees with its rewritten Keras 3 copy to 1e-5.

For each program: run it as written under TF1 (graph + session, random values in
every variable), rewrite it with the real `rewrite_source`, run the rewritten copy
eagerly under Keras 3 with the same values loaded by `tf1_weights`, and compare
every output and state. See harness.py for the program contract.
"""

import re

import harness
import pytest

PROGRAMS = harness.program_paths()

# Spellings that mean TF1 RNN code survived the rewrite.
TF1_RNN_CALL = re.compile(
    r"\bnn\.(dynamic_rnn|bidirectional_dynamic_rnn|static_rnn|static_bidirectional_rnn)\s*\("
    r"|\brnn_cell\.\w+\s*\("
)


def rewrite(program):
    from rnnmigrate.rewrite import rewrite_source

    return rewrite_source(program.read_text(), str(program)).text


def describe(diffs_per_case):
    return "; ".join(
        f"case {i}: " + ", ".join(f"{name}={value:.2e}" for name, value in sorted(case.items()))
        for i, case in enumerate(diffs_per_case)
    )


def test_there_are_at_least_eight_programs():
    assert len(PROGRAMS) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("program", PROGRAMS, ids=[path.stem for path in PROGRAMS])
def test_rewritten_program_matches_tf1(program):
    rewritten = rewrite(program)
    assert "rnnmigrate.layers" in rewritten
    assert not TF1_RNN_CALL.search(rewritten), "a TF1 RNN call survived the rewrite"

    diffs = harness.compare_program(program, rewritten)

    name, value = harness.worst(diffs)
    assert value <= harness.TOLERANCE, f"{name} differs by {value:.3g}; all: {describe(diffs)}"
