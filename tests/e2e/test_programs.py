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


@pytest.mark.slow
@pytest.mark.parametrize("program", PROGRAMS, ids=[path.stem for path in PROGRAMS])
def test_rewritten_program_restores_its_tf1_checkpoint_in_a_tf1_session(program):
    """The rewritten file is still a TF1 program: its own Saver restores the old checkpoint."""
    original = harness.load_module(program)
    cases = harness.input_cases(original)
    tf1 = harness.run_tf1(original, cases)
    migrated = harness.load_source(rewrite(program), program.stem)

    outputs = harness.run_in_tf1_session(migrated, tf1.checkpoint, cases)

    diffs = [harness.max_abs_diffs(want, got) for want, got in zip(tf1.outputs, outputs)]
    name, value = harness.worst(diffs)
    assert value <= harness.TOLERANCE, f"{name} differs by {value:.3g}; all: {describe(diffs)}"


@pytest.mark.slow
def test_rewritten_programs_run_in_a_keras3_only_process():
    """Same comparison, the Keras side in a process without TF_USE_LEGACY_KERAS or tf_keras."""
    jobs, expected = {}, {}
    for program in PROGRAMS:
        module = harness.load_module(program)
        cases = harness.input_cases(module)
        tf1 = harness.run_tf1(module, cases)
        jobs[program.stem] = (rewrite(program), tf1.weights, cases)
        expected[program.stem] = tf1.outputs

    results = harness.run_keras_in_clean_process(jobs)

    problems = {}
    for stem, outputs in results.items():
        if isinstance(outputs, str):
            problems[stem] = outputs
            continue
        diffs = [harness.max_abs_diffs(want, got) for want, got in zip(expected[stem], outputs)]
        name, value = harness.worst(diffs)
        if value > harness.TOLERANCE:
            problems[stem] = f"{name} differs by {value:.3g}"
    assert not problems, problems
