"""`--jobs 2` gives the same report as `--jobs 1` on a tree big enough to go parallel."""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path

import pytest
from scan_helpers import notebook, run_scan, write

from rnnmigrate.scan import CHUNK_SIZE, PARALLEL_THRESHOLD, scan_files

FIXTURES = sorted((Path(__file__).parents[1] / "rules" / "fixtures").glob("*.py"))


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several chunks of files: every fixture many times over, notebooks, bad files, clean files."""
    root = tmp_path_factory.mktemp("big")
    count = 0
    for copy in range(2 * CHUNK_SIZE // len(FIXTURES) + 1):
        for fixture in FIXTURES:
            write(root, f"copy{copy:02d}/{fixture.name}", fixture.read_text(encoding="utf-8"))
            count += 1
        write(root, f"copy{copy:02d}/nb.ipynb", notebook(("code", "import tensorflow as tf\ntf.nn.raw_rnn(c, f)\n")))
        write(root, f"copy{copy:02d}/py2.py", "import tensorflow as tf\nprint 'rnn'\n")
        write(root, f"copy{copy:02d}/clean.py", "import os\n")
        count += 3
    assert count > 2 * CHUNK_SIZE > PARALLEL_THRESHOLD
    return root


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the process pools the scan starts, so that a test knows it really ran in parallel."""
    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    class CountingPool(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            started.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    return started


def test_jobs_2_equals_jobs_1(big_tree: Path, pools: list[int]):
    files = sorted(str(path) for path in big_tree.rglob("*") if path.is_file())
    serial = scan_files(files, jobs=1)
    assert pools == []
    parallel = scan_files(files, jobs=2)
    assert pools == [2]
    assert [finding.to_dict() for finding in parallel.findings] == [finding.to_dict() for finding in serial.findings]
    assert parallel.errors == serial.errors
    assert parallel.summary() == serial.summary()
    copies = len(files) // (len(FIXTURES) + 3)
    assert serial.summary()["errors"] == copies  # one py2.py per copy
    # not parsed: py2.py (an error), clean.py and two fixtures per copy, which the byte prefilter skips
    assert serial.summary()["files_parsed"] == len(files) - 4 * copies


def test_cli_jobs_2_and_jobs_1_print_the_same_json(big_tree: Path, pools: list[int]):
    one = run_scan(str(big_tree), "--format", "json", "--jobs", "1")
    two = run_scan(str(big_tree), "--format", "json", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert pools == [2]
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_a_small_tree_stays_serial_whatever_jobs_says(tmp_path: Path, pools: list[int]):
    for index in range(PARALLEL_THRESHOLD - 1):
        write(tmp_path, f"f{index}.py", "import tensorflow as tf\ntf.nn.raw_rnn(c, f)\n")
    report = scan_files(sorted(str(path) for path in tmp_path.glob("*.py")), jobs=4)
    assert pools == []
    assert len(report.findings) == PARALLEL_THRESHOLD - 1


def test_jobs_must_be_positive(tmp_path: Path):
    write(tmp_path, "a.py", "import tensorflow as tf\n")
    assert run_scan(str(tmp_path), "--jobs", "0").exit_code == 2
