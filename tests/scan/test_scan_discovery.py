"""Which files a scan looks at: .gitignore, --exclude/--include, skipped folders, symlinks, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from scan_helpers import AUTO_SOURCE, located, run_scan, scan_json, write

from rnnmigrate.discover import DiscoveryError, FileFilter, discover


def names(paths: list[str], root: Path) -> list[str]:
    return [os.path.relpath(path, root).replace(os.sep, "/") for path in paths]


def test_walks_python_files_and_notebooks_in_a_stable_order(project: Path):
    for relative in ("b.py", "a.py", "pkg/z.py", "pkg/nb.ipynb", "pkg/readme.md", "data.txt", "setup.cfg"):
        write(project, relative, "x = 1\n")
    assert names(discover(["."], FileFilter()), project) == ["a.py", "b.py", "pkg/nb.ipynb", "pkg/z.py"]


def test_gitignore_at_the_root_and_in_subfolders(project: Path):
    write(project, ".gitignore", "build/\n*_generated.py\n!keep_generated.py\n")
    write(project, "src/.gitignore", "local.py\n")
    for relative in (
        "main.py",
        "build/out.py",
        "src/model_generated.py",
        "src/keep_generated.py",
        "src/local.py",
        "src/model.py",
        "other/local.py",
    ):
        write(project, relative, AUTO_SOURCE)
    found = names(discover(["."], FileFilter()), project)
    assert found == ["main.py", "other/local.py", "src/keep_generated.py", "src/model.py"]
    everything = names(discover(["."], FileFilter(respect_gitignore=False)), project)
    assert len(everything) == 7


def test_gitignore_through_the_cli_and_no_gitignore(project: Path):
    write(project, ".gitignore", "ignored/\n")
    write(project, "kept.py", AUTO_SOURCE)
    write(project, "ignored/old.py", AUTO_SOURCE)
    assert {path for path, _, _ in located(scan_json("."))} == {"kept.py"}
    assert {path for path, _, _ in located(scan_json(".", "--no-gitignore"))} == {"kept.py", "old.py"}


def test_always_skipped_folders(project: Path):
    for folder in (".git", ".venv", "venv", "__pycache__", "node_modules", ".ipynb_checkpoints", "site-packages", ".tox"):
        write(project, f"{folder}/x.py", AUTO_SOURCE)
    write(project, "real.py", AUTO_SOURCE)
    assert names(discover(["."], FileFilter()), project) == ["real.py"]


def test_exclude_globs_skip_files_and_folders(project: Path):
    for relative in ("app/model.py", "app/tests/test_model.py", "legacy/old.py", "notebooks/a.ipynb", "notebooks/b.py"):
        write(project, relative, AUTO_SOURCE)
    document = scan_json(".", "--exclude", "legacy/", "--exclude", "test_*.py", "--exclude", "notebooks/*.ipynb")
    assert {path for path, _, _ in located(document)} == {"model.py", "b.py"}
    assert document["summary"]["files_discovered"] == 2


def test_exclude_a_folder_by_name_at_any_depth(project: Path):
    write(project, "a/vendor/x.py", AUTO_SOURCE)
    write(project, "vendor/y.py", AUTO_SOURCE)
    write(project, "a/z.py", AUTO_SOURCE)
    assert names(discover(["."], FileFilter(exclude=("vendor",))), project) == ["a/z.py"]


def test_include_adds_other_file_patterns(project: Path):
    write(project, "train.py", AUTO_SOURCE)
    write(project, "tool.pyw", AUTO_SOURCE)
    write(project, "scripts/run_model", AUTO_SOURCE)
    assert {path for path, _, _ in located(scan_json("."))} == {"train.py"}
    document = scan_json(".", "--include", "*.pyw", "--include", "scripts/*")
    assert {path for path, _, _ in located(document)} == {"train.py", "tool.pyw", "run_model"}


def test_explicit_files_are_scanned_even_when_ignored_or_excluded(project: Path):
    write(project, ".gitignore", "ignored.py\n")
    write(project, "ignored.py", AUTO_SOURCE)
    write(project, "excluded.py", AUTO_SOURCE)
    write(project, "script.txt", AUTO_SOURCE)
    document = scan_json("ignored.py", "excluded.py", "script.txt", "--exclude", "excluded.py")
    assert {path for path, _, _ in located(document)} == {"ignored.py", "excluded.py", "script.txt"}


def test_the_same_file_given_twice_is_scanned_once(project: Path):
    write(project, "model.py", AUTO_SOURCE)
    document = scan_json("model.py", "./model.py", ".")
    assert document["summary"]["files_discovered"] == 1
    assert len(document["findings"]) == 2


def test_missing_path_is_an_error(project: Path):
    with pytest.raises(DiscoveryError, match="nothing_here: no such file or directory"):
        discover(["nothing_here"], FileFilter())


def test_symlinks_out_of_the_tree_are_not_followed(project: Path, tmp_path_factory: pytest.TempPathFactory):
    outside = tmp_path_factory.mktemp("outside")
    write(outside, "secret.py", AUTO_SOURCE)
    write(outside, "pkg/deep.py", AUTO_SOURCE)
    tree = project / "tree"
    write(tree, "own.py", AUTO_SOURCE)
    (tree / "link_to_file.py").symlink_to(outside / "secret.py")
    (tree / "link_to_dir").symlink_to(outside / "pkg", target_is_directory=True)
    (tree / "inside_link.py").symlink_to(tree / "own.py")
    found = names(discover(["tree"], FileFilter()), project)
    assert found == ["tree/own.py"]
    result = run_scan("tree", "--format", "text")
    assert "secret.py" not in result.stdout and "deep.py" not in result.stdout
    assert "link_to" not in result.stdout


def test_a_symlinked_root_is_walked(project: Path):
    write(project, "real/model.py", AUTO_SOURCE)
    (project / "alias").symlink_to(project / "real", target_is_directory=True)
    assert names(discover(["alias"], FileFilter()), project) == ["alias/model.py"]


@pytest.fixture
def repository(project: Path) -> Path:
    """A git work tree (a .git folder is all discovery looks for) with ignore rules at its root."""
    (project / ".git").mkdir()
    write(project, ".gitignore", "build/\n*_pb2.py\n/src/generated/\n")
    for relative in ("src/model.py", "src/build/copy.py", "src/proto_pb2.py", "src/generated/layers.py", "src/deep/generated/kept.py"):
        write(project, relative, AUTO_SOURCE)
    return project


def test_the_repository_gitignore_applies_when_scanning_a_subfolder(repository: Path, monkeypatch: pytest.MonkeyPatch):
    assert names(discover(["src"], FileFilter()), repository) == ["src/model.py", "src/deep/generated/kept.py"]
    monkeypatch.chdir(repository / "src")
    assert names(discover(["."], FileFilter()), repository / "src") == ["model.py", "deep/generated/kept.py"]
    assert len(discover(["."], FileFilter(respect_gitignore=False))) == 5


def test_an_ignored_folder_named_on_the_command_line_is_scanned(repository: Path):
    assert names(discover(["src/build"], FileFilter()), repository) == ["src/build/copy.py"]


def test_gitignore_files_above_a_folder_outside_any_repository_do_not_apply(project: Path):
    write(project, ".gitignore", "build/\n")
    write(project, "src/build/copy.py", AUTO_SOURCE)
    assert names(discover(["src"], FileFilter()), project) == ["src/build/copy.py"]
