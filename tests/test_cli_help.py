from typer.testing import CliRunner

from rnnmigrate.cli import app


def test_help_lists_the_tool():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "TensorFlow 1 RNN" in result.output


def test_version_prints_the_package_version():
    from rnnmigrate import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"rnnmigrate {__version__}"


def test_scan_without_paths_scans_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "model.py").write_text("import tensorflow as tf\ntf.nn.raw_rnn(cell, loop_fn)\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["scan", "--format", "text"])
    assert result.exit_code == 1
    assert "model.py:2:1: RNN006" in result.output


def test_rewrite_without_paths_rewrites_the_current_directory(tmp_path, monkeypatch):
    source = "import tensorflow as tf\ncell = tf.nn.rnn_cell.GRUCell(4)\nout, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n"
    (tmp_path / "model.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["rewrite", "--apply"])
    assert result.exit_code == 1
    assert "DynamicRNN(cell, dtype=tf.float32)(x)" in (tmp_path / "model.py").read_text()
