"""[tool.rnnmigrate] in pyproject.toml: select, ignore, exclude, include, respect-gitignore; bad tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scan_helpers import AUTO_SOURCE, MANUAL_SOURCE, located, run_scan, scan_json, write

from rnnmigrate.config import Config, ConfigError, find_pyproject, load_config


@pytest.fixture
def tree(project: Path) -> Path:
    write(project, "src/auto.py", AUTO_SOURCE)
    write(project, "src/manual.py", MANUAL_SOURCE)
    write(project, "legacy/old.py", AUTO_SOURCE)
    write(project, "tools/run.pyw", AUTO_SOURCE)
    return project


def codes(document: dict) -> set[str]:
    return {item["code"] for item in document["findings"]}


def files(document: dict) -> set[str]:
    return {path for path, _, _ in located(document)}


def test_without_config_everything_default_is_scanned(tree: Path):
    document = scan_json(".")
    assert files(document) == {"auto.py", "manual.py", "old.py"}
    assert codes(document) == {"RNN001", "RNN101", "RNN006"}


def test_select_and_ignore_from_config(tree: Path):
    write(tree, "pyproject.toml", '[project]\nname = "x"\n\n[tool.rnnmigrate]\nselect = ["RNN00"]\nignore = ["RNN006"]\n')
    assert codes(scan_json(".")) == {"RNN001"}


def test_exclude_and_include_from_config(tree: Path):
    write(tree, "pyproject.toml", '[tool.rnnmigrate]\nexclude = ["legacy/"]\ninclude = ["*.pyw"]\n')
    assert files(scan_json(".")) == {"auto.py", "manual.py", "run.pyw"}


def test_command_line_options_extend_the_config(tree: Path):
    write(tree, "pyproject.toml", '[tool.rnnmigrate]\nexclude = ["legacy/"]\nselect = ["RNN001", "RNN006"]\n')
    document = scan_json(".", "--exclude", "src/manual.py", "--select", "RNN101")
    assert files(document) == {"auto.py"}
    assert codes(document) == {"RNN001", "RNN101"}


def test_respect_gitignore_false(tree: Path):
    write(tree, ".gitignore", "legacy/\n")
    assert "old.py" not in files(scan_json("."))
    write(tree, "pyproject.toml", "[tool.rnnmigrate]\nrespect-gitignore = false\n")
    assert "old.py" in files(scan_json("."))


def test_config_is_found_above_the_first_path(tree: Path):
    write(tree, "pyproject.toml", '[tool.rnnmigrate]\nignore = ["RNN1"]\n')
    assert codes(scan_json("src")) == {"RNN001", "RNN006"}
    assert codes(scan_json("src/auto.py")) == {"RNN001"}
    assert find_pyproject(["src/auto.py"]) == tree / "pyproject.toml"


def test_a_pyproject_without_our_table_is_not_used(tree: Path):
    write(tree, "src/pyproject.toml", '[tool.black]\nline-length = 100\n')
    write(tree, "pyproject.toml", '[tool.rnnmigrate]\nselect = ["RNN006"]\n')
    assert find_pyproject(["src"]) == tree / "pyproject.toml"
    assert codes(scan_json("src")) == {"RNN006"}


def test_explicit_config_option(tree: Path):
    write(tree, "configs/strict.toml", '[tool.rnnmigrate]\nselect = ["RNN101"]\n')
    assert codes(scan_json(".", "--config", "configs/strict.toml")) == {"RNN101"}


def test_load_config_reads_every_key(tmp_path: Path):
    path = write(
        tmp_path,
        "pyproject.toml",
        '[tool.rnnmigrate]\nselect = ["RNN0"]\nignore = ["RNN005"]\nexclude = ["a/"]\ninclude = ["*.pyx"]\n'
        "respect-gitignore = false\n",
    )
    config = load_config(path)
    assert (config.select, config.ignore, config.exclude, config.include) == (("RNN0",), ("RNN005",), ("a/",), ("*.pyx",))
    assert config.respect_gitignore is False
    assert load_config(None) == Config()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[tool.rnnmigrate]\nselect = "RNN001"\n', "[tool.rnnmigrate] select must be a list of strings"),
        ("[tool.rnnmigrate]\nexclude = [1, 2]\n", "[tool.rnnmigrate] exclude must be a list of strings"),
        ('[tool.rnnmigrate]\nselct = ["RNN001"]\n', "unknown key 'selct' in [tool.rnnmigrate]"),
        ("[tool.rnnmigrate]\nselect = [\n", "not valid TOML"),
    ],
)
def test_bad_config_tables(tree: Path, table: str, message: str):
    path = write(tree, "pyproject.toml", table)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)
    result = run_scan(".")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("rnnmigrate: error: ")
    assert "pyproject.toml" in result.stderr and message in result.stderr


def test_unknown_code_in_config_is_a_usage_error(tree: Path):
    write(tree, "pyproject.toml", '[tool.rnnmigrate]\nignore = ["RNN42"]\n')
    result = run_scan(".")
    assert result.exit_code == 2
    assert "unknown rule code 'RNN42'" in result.stderr


def test_missing_config_file_given_explicitly(tree: Path):
    result = run_scan(".", "--config", "nowhere.toml")
    assert result.exit_code == 2
    assert "nowhere.toml: cannot read" in result.stderr
