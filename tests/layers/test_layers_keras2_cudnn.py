"""Keras 2 CuDNNLSTM / CuDNNGRU ``.h5`` weights into Keras 3 LSTM / GRU, against tf-keras's own converter.

tf-keras still has the CuDNN layers (their weights build on the CPU) and its legacy HDF5 loader
converts their weights when an ``LSTM`` / ``GRU(reset_after=True)`` loads them
(``_convert_rnn_weights``): the arrays must be the same, and Keras 3 with ours must compute what
tf-keras's LSTM / GRU loaded that way computes.
"""

import keras
import numpy as np
import pytest
import tf_keras
from tf_keras.src.layers import CuDNNGRU, CuDNNLSTM
from tf_keras.src.saving.legacy.hdf5_format import _convert_rnn_weights

from rnnmigrate.keras2_cudnn import convert_cudnn_weights, keras3_weights_from_keras2_h5
from tf1_reference import assert_matches, max_abs_diff

DEPTH, TIME, BATCH = 3, 6, 4


def _keras2_model(cudnn: bool):
    lstm = CuDNNLSTM(5, return_sequences=True, name="enc") if cudnn else tf_keras.layers.LSTM(5, return_sequences=True, name="enc")
    gru = CuDNNGRU(4, return_sequences=True) if cudnn else tf_keras.layers.GRU(4, return_sequences=True, reset_after=True)
    return tf_keras.Sequential([tf_keras.layers.InputLayer((None, DEPTH)), lstm,
                                tf_keras.layers.Bidirectional(gru, name="bi")])


@pytest.fixture(scope="module", params=["save_weights", "model.save"])
def keras2_h5(request, tmp_path_factory):
    model = _keras2_model(cudnn=True)
    rng = np.random.default_rng(61)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    path = tmp_path_factory.mktemp("keras2") / "cudnn.h5"
    (model.save_weights if request.param == "save_weights" else model.save)(str(path))
    return path, model.get_weights()


def test_arrays_equal_tf_kerass_converter(keras2_h5):
    path, weights = keras2_h5
    kind, ours = keras3_weights_from_keras2_h5(path, "enc")
    assert kind == "lstm"
    theirs = _convert_rnn_weights(tf_keras.layers.LSTM(5), weights[:3])
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs)) and len(ours) == 3

    kind, ours = keras3_weights_from_keras2_h5(path, "bi")
    assert kind == "gru" and len(ours) == 6
    target = tf_keras.layers.GRU(4, reset_after=True)
    theirs = _convert_rnn_weights(target, weights[3:6]) + _convert_rnn_weights(target, weights[6:9])
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))


def _keras3_model(path):
    inputs = keras.Input((None, DEPTH))
    lstm = keras.layers.LSTM(5, return_sequences=True)
    bi = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True, reset_after=True))
    model = keras.Model(inputs, bi(lstm(inputs)))
    lstm.set_weights(keras3_weights_from_keras2_h5(path, "enc")[1])
    bi.set_weights(keras3_weights_from_keras2_h5(path, "bi")[1])
    return model


def test_keras3_layers_compute_what_tf_kerass_layers_loaded_by_its_legacy_loader_compute(keras2_h5, record_property):
    path, _ = keras2_h5
    reference = _keras2_model(cudnn=False)
    reference.load_weights(str(path))  # tf-keras converts the CuDNN weights on the way in
    inputs = np.random.default_rng(62).normal(size=(BATCH, TIME, DEPTH)).astype(np.float32)

    assert_matches(_keras3_model(path)(inputs), reference(inputs).numpy(), record_property)


def test_a_kernel_read_without_cudnns_layout_is_caught(keras2_h5):
    """Only the recurrent blocks are plain transposes: the input blocks are cuDNN matrices re-read as [d, u]."""
    path, weights = keras2_h5
    _, (kernel, recurrent, bias) = convert_cudnn_weights(*weights[:3])
    wrong = weights[0]  # the naive port: CuDNNLSTM's kernel taken as it is stored
    assert not np.array_equal(wrong, kernel)
    reference = _keras2_model(cudnn=False)
    reference.load_weights(str(path))
    lstm = keras.layers.LSTM(5, return_sequences=True)
    lstm.build((None, None, DEPTH))
    lstm.set_weights([wrong, recurrent, bias])
    inputs = np.random.default_rng(63).normal(size=(BATCH, TIME, DEPTH)).astype(np.float32)
    assert max_abs_diff(lstm(inputs), reference.layers[0](inputs).numpy()) > 1e-2


def test_other_biases_are_refused():
    with pytest.raises(ValueError, match="neither CuDNNLSTM"):
        convert_cudnn_weights(np.zeros((3, 20)), np.zeros((5, 20)), np.zeros(20))
