"""The original question's numbers: TF1 zeros past the length, a Keras mask alone repeats,
the migration (rnnmigrate.layers.DynamicRNN) gives TF1's numbers back.

The example scripts live in examples/original_question/; each has `run()`
returning (outputs [2, 5], final state [2]). With integer weights and linear
activations every value is exact, so the comparisons are exact too.
"""

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "original_question"

TF1_OUTPUTS = [[-6, -50, -156, 0, 0], [0, -6, -50, -156, 0]]
MASK_ONLY_OUTPUTS = [[-6, -50, -156, -156, -156], [0, -6, -50, -156, -156]]
FINAL_STATE = [-156, -156]


def load_example(stem):
    spec = importlib.util.spec_from_file_location(f"original_question_{stem}", EXAMPLE_DIR / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tf1_dynamic_rnn_zeros_outputs_past_each_length():
    outputs, state = load_example("tf1_version").run()
    np.testing.assert_array_equal(outputs, TF1_OUTPUTS)
    np.testing.assert_array_equal(state, FINAL_STATE)


def test_keras_mask_alone_repeats_the_last_output():
    outputs, state = load_example("keras_mask_only").run()
    np.testing.assert_array_equal(outputs, MASK_ONLY_OUTPUTS)
    np.testing.assert_array_equal(state, FINAL_STATE)


def test_migrated_version_gives_tf1_numbers_exactly():
    outputs, state = load_example("migrated_version").run()
    tf1_outputs, tf1_state = load_example("tf1_version").run()
    np.testing.assert_array_equal(outputs, TF1_OUTPUTS)
    np.testing.assert_array_equal(outputs, tf1_outputs)
    np.testing.assert_array_equal(state, tf1_state)
