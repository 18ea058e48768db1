"""Name pairing: --map, equal names, the single leftover pair, and the unmatched-names error."""

from __future__ import annotations

import pytest

from rnnmigrate.verify.errors import VerifyError
from rnnmigrate.verify.models import LoadedModel, TensorSignature
from rnnmigrate.verify.pairing import pair_models, parse_name_map


def _model(label, inputs, outputs, shape=(None, None), dtype="int32"):
    def signatures(names):
        return {name: TensorSignature(name, dtype, shape) for name in names}

    return LoadedModel(label, f"{label.lower()}.model", "test", "", signatures(inputs), signatures(outputs), run=None)


def _pairs(pairs):
    return [(pair.old.name, pair.new.name) for pair in pairs]


def test_equal_names_pair_without_notes():
    pairing = pair_models(_model("OLD", ["a", "b"], ["y"]), _model("NEW", ["b", "a"], ["y"]), {})
    assert sorted(_pairs(pairing.inputs)) == [("a", "a"), ("b", "b")]
    assert pairing.notes == []


def test_single_leftover_on_each_side_is_paired_with_a_note():
    pairing = pair_models(_model("OLD", ["tokens"], ["logits"]), _model("NEW", ["keras_tensor"], ["output_0"]), {})
    assert _pairs(pairing.inputs) == [("tokens", "keras_tensor")]
    assert pairing.notes == [
        "paired the only unmatched inputs: OLD 'tokens' with NEW 'keras_tensor'",
        "paired the only unmatched outputs: OLD 'logits' with NEW 'output_0'",
    ]


def test_map_pairs_differing_names():
    old = _model("OLD", ["tokens", "lengths"], ["y"])
    new = _model("NEW", ["keras_tensor", "keras_tensor_1"], ["y"])
    pairing = pair_models(old, new, parse_name_map(["tokens=keras_tensor,lengths=keras_tensor_1"]))
    assert _pairs(pairing.inputs) == [("tokens", "keras_tensor"), ("lengths", "keras_tensor_1")]


def test_unmatched_names_error_lists_both_sides():
    old = _model("OLD", ["tokens", "lengths"], ["y"])
    new = _model("NEW", ["keras_tensor", "keras_tensor_1"], ["y"])
    with pytest.raises(VerifyError) as error:
        pair_models(old, new, {})
    assert str(error.value) == (
        "unmatched input names: old.model has 'tokens', 'lengths', "
        "new.model has 'keras_tensor', 'keras_tensor_1'; pair them with --map old=new, "
        "or feed an input only one side has a fixed value with --set NAME=VALUE"
    )


def test_map_cannot_pair_an_input_with_an_output():
    with pytest.raises(VerifyError, match="pairs an input with an output"):
        pair_models(_model("OLD", ["a"], ["y"]), _model("NEW", ["a"], ["z"]), {"a": "z"})
