from typer.testing import CliRunner

from rnnmigrate.cli import app


def test_help_lists_the_tool():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "TensorFlow 1 RNN" in result.output
