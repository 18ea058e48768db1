"""Every user error ends as one line on stderr naming the file and the problem, and exit code 2."""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pytest


def _single_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_missing_path(run_verify, tf1_lstm, tmp_path):
    missing = tmp_path / "nowhere.keras"
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, missing))
    assert line == f"error: {missing}: no such file or directory"


def test_keras_file_that_is_not_a_zip_archive(run_verify, tf1_lstm, tmp_path):
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip archive")
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, corrupt))
    assert line == f"error: {corrupt}: not a zip archive (a .keras file is one); the file is corrupt or another format"


def _rezipped(source, target, replace):
    """A copy of the .keras archive ``source`` with members dropped (None) or replaced."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            content = replace.get(name, original.read(name))
            if content is not None:
                copy.writestr(name, content)
    return target


def test_keras_archive_without_config_json(run_verify, tf1_lstm, keras_files, tmp_path):
    path = _rezipped(keras_files["lstm_correct"], tmp_path / "no_config.keras", {"config.json": None})
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, path))
    assert f"{path}: the archive has no config.json" in line


def test_keras_archive_without_weights(run_verify, tf1_lstm, keras_files, tmp_path):
    path = _rezipped(keras_files["lstm_correct"], tmp_path / "no_weights.keras", {"model.weights.h5": None})
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, path))
    assert f"{path}: the archive has no model.weights.h5" in line


def test_keras_archive_with_broken_config_json(run_verify, tf1_lstm, keras_files, tmp_path):
    path = _rezipped(keras_files["lstm_correct"], tmp_path / "bad_config.keras", {"config.json": b"{not json"})
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, path))
    assert f"{path}: config.json in the archive is not valid JSON" in line


def test_h5_file_that_is_not_hdf5(run_verify, tf1_lstm, tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"garbage")
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, path))
    assert f"{path}: not an HDF5 file" in line


def test_no_message_repeats_the_exception_type():
    from rnnmigrate.verify.errors import describe

    assert describe(ValueError()) == "ValueError"
    assert describe(ValueError('File not found: filepath=x.keras.')) == "ValueError: File not found: filepath=x.keras."


_CUSTOM_LAYERS = """
import keras


@keras.saving.register_keras_serializable(package="{package}")
class Doubling(keras.layers.Layer):
    def call(self, values):
        return values * 2


class Tripling(keras.layers.Layer):
    def call(self, values):
        return values * 3
"""


_CUSTOM_MODELS = {"registering_layers": ["Doubling"], "plain_layers": ["Doubling", "Tripling"]}


@pytest.fixture(scope="module")
def custom_layer_files(tmp_path_factory):
    """.keras files using layers of modules written for the test, saved in one subprocess, so that
    this process has never imported (nor registered) them: {module name: .keras path}."""
    import subprocess
    import sys

    directory = tmp_path_factory.mktemp("custom_layers")
    script, paths = ["import keras"], {}
    for package, layer_names in _CUSTOM_MODELS.items():
        (directory / f"{package}.py").write_text(_CUSTOM_LAYERS.format(package=package))
        paths[package] = directory / f"{package}.keras"
        script.append(f"import {package}\nx = inputs = keras.Input((3,))")
        script += [f"x = {package}.{name}()(x)" for name in layer_names]
        script.append(f"keras.Model(inputs, x).save({str(paths[package])!r})")
    subprocess.run([sys.executable, "-c", "\n".join(script)], cwd=directory, check=True, capture_output=True)
    return paths


def test_unknown_registered_class_names_the_module_to_import(run_verify, custom_layer_files):
    path = custom_layer_files["registering_layers"]
    line = _single_error_line(run_verify(path, path))
    assert line == (
        f"error: {path}: Keras does not know the class 'Doubling' (registered as 'registering_layers>Doubling'), "
        "defined in module 'registering_layers': pass --import registering_layers (it must be importable from here)"
    )


def test_import_option_loads_registered_and_unregistered_classes(run_verify, custom_layer_files, monkeypatch):
    path = custom_layer_files["plain_layers"]
    monkeypatch.chdir(path.parent)
    line = _single_error_line(run_verify(path, path))
    assert "'Doubling'" in line and "--import plain_layers" in line
    result = run_verify(path, path, "--import", "plain_layers")
    assert result.exit_code == 0, result.output


def test_import_of_a_missing_module(run_verify, tf1_lstm, keras_files):
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--import", "no_such_module_here"))
    assert "--import no_such_module_here: cannot import it (ModuleNotFoundError" in line


def test_saved_model_without_its_variables(run_verify, tf1_lstm, keras_files, tmp_path):
    copy = tmp_path / "no_variables"
    shutil.copytree(tf1_lstm.savedmodel, copy)
    shutil.rmtree(copy / "variables")
    line = _single_error_line(run_verify(copy, keras_files["lstm_correct"]))
    assert f"{copy}: no variables/variables.index: the SavedModel's variables are missing" in line


@pytest.mark.parametrize("pattern, message", [("*.index", "no model.index"), ("*.data-*", "no model.data-* file")])
def test_checkpoint_without_its_values(run_verify, tf1_lstm, keras_files, tmp_path, pattern, message):
    copy = tmp_path / "ckpt"
    shutil.copytree(tf1_lstm.checkpoint.parent, copy)
    for path in copy.glob(pattern):
        path.unlink()
    prefix = copy / tf1_lstm.checkpoint.name
    result = run_verify(prefix, keras_files["lstm_correct"], "--old-inputs", "tokens=tokens:0,lengths=lengths:0", "--old-outputs", "outputs=outputs:0")
    line = _single_error_line(result)
    assert f"{prefix}: the checkpoint has" in line and message in line and "its values are missing" in line


def test_corrupt_saved_model(run_verify, keras_files, tmp_path):
    corrupt = tmp_path / "corrupt_savedmodel"
    corrupt.mkdir()
    (corrupt / "saved_model.pb").write_bytes(b"\x0a\xff\xff garbage")
    line = _single_error_line(run_verify(corrupt, keras_files["lstm_correct"]))
    assert f"{corrupt}: corrupt saved_model.pb" in line


def test_directory_that_is_not_a_saved_model(run_verify, keras_files, tmp_path):
    line = _single_error_line(run_verify(tmp_path, keras_files["lstm_correct"]))
    assert f"{tmp_path}: directory is not a SavedModel" in line


def test_unknown_tag_set(run_verify, tf1_lstm, keras_files):
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--old-tag-set", "train,gpu")
    line = _single_error_line(result)
    assert f"{tf1_lstm.savedmodel}: no MetaGraph with tag set 'gpu,train'; available: 'serve'" in line


def test_unknown_signature(run_verify, tf1_lstm, keras_files):
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--old-signature-def", "predict")
    line = _single_error_line(result)
    assert f"{tf1_lstm.savedmodel}: no signature 'predict'; available: serving_default" in line


def test_unmatched_names_list_both_sides(run_verify, tf1_lstm, keras_files):
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, keras_files["gru_correct"]))
    assert "unmatched output names" in line
    assert "'final_c', 'final_h'" in line and "'final_state'" in line
    assert line.endswith("pair them with --map old=new, or leave out an output only one side has with --skip NAME")


def test_map_with_unknown_name(run_verify, tf1_lstm, keras_files):
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--map", "logits=outputs")
    line = _single_error_line(result)
    assert f"{tf1_lstm.savedmodel} has no input or output 'logits'" in line


def _keras_model_with_tokens(path, tokens_shape, tokens_dtype):
    """Inputs and outputs named as in the TF1 model; only the tokens input differs."""
    import keras

    tokens = keras.Input(tokens_shape, dtype=tokens_dtype, name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    values = keras.ops.cast(tokens, "float32")
    if len(tokens_shape) == 1:
        values = keras.ops.expand_dims(values, -1)
    outputs = keras.layers.Dense(7)(values)
    final = keras.ops.sum(outputs, axis=1)
    keras.Model({"tokens": tokens, "lengths": lengths}, {"outputs": outputs, "final_c": final, "final_h": final}).save(path)
    return path


def test_incompatible_input_shapes(run_verify, tf1_lstm, tmp_path):
    new = _keras_model_with_tokens(tmp_path / "rank3.keras", (None, 4), "int32")
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, new))
    assert "input tokens: incompatible shapes (None, None) and (None, None, 4)" in line
    assert str(tf1_lstm.savedmodel) in line and str(new) in line


def test_incompatible_input_dtypes(run_verify, tf1_lstm, tmp_path):
    new = _keras_model_with_tokens(tmp_path / "float_tokens.keras", (None,), "float32")
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, new))
    assert "input tokens: incompatible dtypes int32 and float32" in line


def test_model_raising_on_the_sample(run_verify, tf1_asserting, keras_files):
    line = _single_error_line(run_verify(tf1_asserting.savedmodel, keras_files["lstm_correct"]))
    assert f"{tf1_asserting.savedmodel}: raised on sample batch 0: InvalidArgumentError" in line
    assert "length too long" in line


def test_keras_model_raising_on_out_of_range_token_ids(run_verify, tf1_lstm, tmp_path):
    import keras

    tokens = keras.Input((None,), dtype="int32", name="tokens")
    lengths = keras.Input((), dtype="int32", name="lengths")
    outputs, final_h, final_c = keras.layers.LSTM(7, return_sequences=True, return_state=True)(
        keras.layers.Embedding(10, 5)(tokens)
    )
    path = tmp_path / "small_table.keras"
    named = {"outputs": outputs, "final_h": final_h, "final_c": final_c}
    keras.Model({"tokens": tokens, "lengths": lengths}, named).save(path)

    line = _single_error_line(run_verify(tf1_lstm.savedmodel, path, "--vocab-size", "30"))
    assert f"{path}: raised on sample batch 0: InvalidArgumentError" in line
    assert "is not in [0, 10)" in line


def test_lambda_layer_needs_unsafe(run_verify, tf1_lstm, keras_files):
    path = keras_files["lstm_with_lambda"]
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, path))
    assert f"{path}: holds Python code (a Lambda layer or a lambda)" in line and "--unsafe" in line
    trusted = run_verify(tf1_lstm.savedmodel, path, "--unsafe")
    assert trusted.exit_code == 0, trusted.output


def test_checkpoint_without_tensor_names(run_verify, tf1_lstm, keras_files):
    line = _single_error_line(run_verify(tf1_lstm.checkpoint, keras_files["lstm_correct"]))
    assert f"{tf1_lstm.checkpoint}.meta: no signature to read inputs from; pass --old-inputs" in line


def test_checkpoint_with_unknown_tensor(run_verify, tf1_lstm, keras_files):
    result = run_verify(
        tf1_lstm.checkpoint,
        keras_files["lstm_correct"],
        "--old-inputs",
        "tokens=tokens:0,lengths=no_such_op:0",
        "--old-outputs",
        "outputs=outputs:0",
    )
    line = _single_error_line(result)
    assert f"{tf1_lstm.checkpoint}.meta:" in line and "no_such_op" in line


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--inputs", "tokens=/no/such.npy", "/no/such.npy: no such file (--inputs tokens)"),
        ("--samples", "0", "--samples must be at least 1, got 0"),
        ("--min-len", "30", "--min-len 30 is larger than --max-len 20"),
        ("--lengths", "sizes", "--lengths sizes: no such input"),
        ("--map", "tokens", "--map: expected old=new, got 'tokens'"),
    ],
)
def test_bad_options(run_verify, tf1_lstm, keras_files, option, value, message):
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], option, value))
    assert message in line


def test_inputs_must_cover_every_input(run_verify, tf1_lstm, keras_files, tmp_path):
    np.save(tmp_path / "tokens.npy", np.zeros((4, 6), np.int32))
    result = run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--inputs", f"tokens={tmp_path / 'tokens.npy'}")
    line = _single_error_line(result)
    assert "--inputs gives no data for lengths" in line


def test_unwritable_json_path(run_verify, tf1_lstm, keras_files, tmp_path):
    target = tmp_path / "missing_dir" / "report.json"
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, keras_files["lstm_correct"], "--json", target))
    assert f"{target}: cannot write the JSON report" in line


def test_options_that_do_not_apply_to_the_model_kind(run_verify, tf1_lstm, keras_files):
    keras_file = keras_files["lstm_correct"]
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, keras_file, "--new-signature-def", "serve"))
    assert line == f"error: {keras_file}: --new-signature-def cannot be used with a Keras file"
    line = _single_error_line(run_verify(tf1_lstm.savedmodel, keras_file, "--old-inputs", "tokens=tokens:0"))
    assert f"{tf1_lstm.savedmodel}: --old-inputs/--old-outputs cannot be used with a SavedModel" in line


def test_without_tensorflow_installed_verify_says_what_to_install(tmp_path):
    """A lint-only install (no [tf] extra) gets one line naming the extra, not a traceback."""
    import subprocess
    import sys

    (tmp_path / "old").mkdir()
    (tmp_path / "new.keras").write_bytes(b"")
    blocked = "import sys; sys.modules['tensorflow'] = None; sys.argv = ['rnnmigrate', 'verify', 'old', 'new.keras']\n"
    result = subprocess.run(
        [sys.executable, "-c", blocked + "from rnnmigrate.cli import main; main()"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: verify runs both models and needs TensorFlow: pip install 'rnnmigrate[tf]'"
