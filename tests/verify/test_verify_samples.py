"""Generated samples exercise padding; --inputs files are read and split as documented."""

from __future__ import annotations

import numpy as np
import pytest

from rnnmigrate.verify.errors import VerifyError
from rnnmigrate.verify.models import TensorSignature
from rnnmigrate.verify.pairing import Pairing, TensorPair
from rnnmigrate.verify.samples import (
    SampleSettings,
    generate_samples,
    load_input_files,
    parse_input_files,
)


def _pair(name, dtype, shape, new_name=None, new_shape=None):
    return TensorPair(
        TensorSignature(name, dtype, shape),
        TensorSignature(new_name or name, dtype, new_shape if new_shape is not None else shape),
    )


TOKENS = _pair("tokens", "int32", (None, None))
LENGTHS = _pair("lengths", "int32", (None,))
TABLES = {"embedding (OLD)": 30, "embedding (NEW)": 50}


def _generate(inputs, tables=TABLES, **settings):
    return generate_samples(Pairing(inputs=list(inputs), outputs=[]), SampleSettings(**settings), tables)


def test_lengths_cover_empty_single_full_and_short_batches():
    plan = _generate([TOKENS, LENGTHS], samples=4, batch_size=8, max_len=12)
    assert plan.lengths_input == "lengths"
    for index, batch in enumerate(plan.batches):
        lengths = batch.inputs["lengths"]
        assert lengths.shape == (8,) and batch.inputs["tokens"].shape == (8, 12)
        assert {0, 1} <= set(lengths.tolist())
        if index % 2 == 0:
            assert 12 in lengths
        else:
            assert lengths.max() == 11
        assert lengths.min() >= 0 and lengths.max() <= 12


def test_min_len_removes_empty_rows():
    plan = _generate([TOKENS, LENGTHS], samples=2, batch_size=8, max_len=6, min_len=2)
    for batch in plan.batches:
        assert batch.inputs["lengths"].min() >= 2


def test_padding_holds_nonzero_token_ids_inside_the_smallest_table():
    plan = _generate([TOKENS, LENGTHS], samples=3, batch_size=16, max_len=10)
    assert any("[0, 30)" in note for note in plan.notes)
    for batch in plan.batches:
        tokens, lengths = batch.inputs["tokens"], batch.inputs["lengths"]
        padded = np.arange(10)[None, :] >= lengths[:, None]
        assert tokens.min() >= 0 and tokens.max() < 30
        assert (tokens[padded] != 0).all()


def test_vocab_size_option_wins_and_is_needed_without_a_table():
    plan = _generate([TOKENS, LENGTHS], vocab_size=5)
    assert max(batch.inputs["tokens"].max() for batch in plan.batches) < 5
    with pytest.raises(VerifyError, match="pass --vocab-size"):
        _generate([TOKENS, LENGTHS], tables={})


def test_float_inputs_use_fixed_feature_dims_and_signature_batch_size():
    features = _pair("features", "float32", (None, None, 3), new_shape=(4, None, 3))
    plan = _generate([features, LENGTHS], batch_size=16, max_len=9)
    assert plan.batches[0].inputs["features"].shape == (4, 9, 3)
    assert plan.batches[0].inputs["lengths"].shape == (4,)


def test_unknown_feature_dim_is_an_error():
    features = _pair("features", "float32", (None, None, None))
    with pytest.raises(VerifyError, match="unknown dimension 2"):
        _generate([features, LENGTHS])


def test_lengths_by_option_and_ambiguity():
    other = _pair("src_len", "int32", (None,))
    with pytest.raises(VerifyError, match="several inputs look like lengths"):
        _generate([TOKENS, LENGTHS, other])
    seq = _pair("seq", "int64", (None,))
    plan = _generate([TOKENS, seq], lengths_name="seq")
    assert plan.lengths_input == "seq"


def test_without_lengths_the_report_says_padding_is_not_exercised():
    plan = _generate([TOKENS])
    assert plan.lengths_input is None
    assert any("padding is not exercised" in note for note in plan.notes)


def test_same_seed_same_samples():
    first, second = _generate([TOKENS, LENGTHS], seed=3), _generate([TOKENS, LENGTHS], seed=3)
    other = _generate([TOKENS, LENGTHS], seed=4)
    assert np.array_equal(first.batches[2].inputs["tokens"], second.batches[2].inputs["tokens"])
    assert not np.array_equal(first.batches[2].inputs["tokens"], other.batches[2].inputs["tokens"])


def test_input_files_npy_and_npz_split_into_batches(tmp_path):
    tokens = np.arange(50, dtype=np.int32).reshape(10, 5) % 7
    lengths = np.array([0, 1, 5, 3, 2, 4, 5, 1, 0, 2], np.int32)
    np.save(tmp_path / "tokens.npy", tokens)
    np.savez(tmp_path / "data.npz", lengths=lengths, other=lengths)
    files = parse_input_files([f"tokens={tmp_path / 'tokens.npy'};lengths={tmp_path / 'data.npz'}[lengths]"])
    plan = load_input_files(Pairing([TOKENS, LENGTHS], []), files, SampleSettings(batch_size=4))
    assert [batch.rows for batch in plan.batches] == [4, 4, 2]
    assert np.array_equal(plan.batches[2].inputs["lengths"], lengths[8:])
    assert plan.batches[0].time_steps == 5 and plan.lengths_input == "lengths"


def test_input_files_errors(tmp_path):
    np.savez(tmp_path / "two.npz", a=np.zeros(3), b=np.zeros(3))
    with pytest.raises(VerifyError, match=r"several arrays; it holds a, b"):
        load_input_files(
            Pairing([LENGTHS], []), parse_input_files([f"lengths={tmp_path / 'two.npz'}"]), SampleSettings()
        )
    (tmp_path / "junk.npy").write_text("junk")
    with pytest.raises(VerifyError, match="not a .npy or .npz file"):
        load_input_files(
            Pairing([LENGTHS], []), parse_input_files([f"lengths={tmp_path / 'junk.npy'}"]), SampleSettings()
        )
    with pytest.raises(VerifyError, match="no input named sizes"):
        load_input_files(Pairing([LENGTHS], []), parse_input_files(["sizes=x.npy"]), SampleSettings())
