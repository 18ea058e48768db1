"""Interrupted writes: every file ends wholly old or wholly new, and no temporary file stays.

In-process, an exception or KeyboardInterrupt is raised at each step of the atomic write; out of
process, a real SIGTERM / SIGINT is sent to `rnnmigrate rewrite --apply` over a few hundred files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rewrite_helpers import AUTO, AUTO_REWRITTEN, leftovers, run, write

import rnnmigrate.write
from rnnmigrate.write import WriteError, write_atomically

REPO = Path(__file__).resolve().parents[2]


class Boom(Exception):
    pass


def fail_at(monkeypatch: pytest.MonkeyPatch, name: str, error: BaseException, after: int = 0) -> None:
    """Make ``os.<name>`` raise ``error`` in rnnmigrate.write, after ``after`` successful calls."""
    real = getattr(os, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(rnnmigrate.write.os, name, failing)


STEPS = ["fsync", "chmod", "replace"]


@pytest.mark.parametrize("step", STEPS)
def test_os_error_during_the_write_leaves_the_old_file(project: Path, monkeypatch: pytest.MonkeyPatch, step: str):
    path = write(project, "model.py", AUTO, mode=0o640)
    fail_at(monkeypatch, step, OSError(28, "No space left on device"))
    with pytest.raises(WriteError, match="cannot write: No space left on device"):
        write_atomically(str(path), AUTO_REWRITTEN.encode())
    assert path.read_text() == AUTO
    assert not leftovers(project)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("error", [KeyboardInterrupt(), Boom("unexpected")], ids=["KeyboardInterrupt", "Exception"])
def test_interrupt_during_the_write_leaves_the_old_file(project: Path, monkeypatch: pytest.MonkeyPatch, step: str, error):
    path = write(project, "model.py", AUTO)
    fail_at(monkeypatch, step, error)
    with pytest.raises(type(error)):
        write_atomically(str(path), AUTO_REWRITTEN.encode())
    assert path.read_text() == AUTO
    assert not leftovers(project)


def test_write_error_in_the_cli_is_one_line_and_the_rest_are_written(project: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("a.py", "b.py", "c.py"):
        write(project, name, AUTO)
    real_replace = os.replace
    calls = {"n": 0}

    def second_fails(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(rnnmigrate.write.os, "replace", second_fails)
    result = run("--apply", "--jobs", "1", ".")
    assert (project / "a.py").read_text() == AUTO_REWRITTEN
    assert (project / "b.py").read_text() == AUTO
    assert (project / "c.py").read_text() == AUTO_REWRITTEN
    lines = result.stderr.splitlines()
    assert lines[0] == "rewrote 4 sites in 2 files; 0 left for a person"
    assert lines[-1] == "./b.py: error: cannot write: Input/output error"
    assert not leftovers(project)


def test_keyboard_interrupt_in_the_cli_stops_between_whole_files(project: Path, monkeypatch: pytest.MonkeyPatch):
    for index in range(5):
        write(project, f"m{index}.py", AUTO)
    fail_at(monkeypatch, "fsync", KeyboardInterrupt(), after=2)  # the 3rd file is interrupted
    result = run("--apply", "--jobs", "1", ".")
    assert result.exit_code == 130
    contents = [(project / f"m{index}.py").read_text() for index in range(5)]
    assert contents == [AUTO_REWRITTEN] * 2 + [AUTO] * 3
    assert not leftovers(project)


def test_a_gone_file_is_a_write_error(project: Path):
    with pytest.raises(WriteError, match="cannot write: No such file or directory"):
        write_atomically(str(project / "gone.py"), b"x = 1\n")
    assert not leftovers(project)


# -- a real signal to a real process ------------------------------------------------------------

FILES = 300
# The CLI as installed, with each fsync slowed down (6 s for the whole run) so that the signal
# lands mid-run even on a loaded machine; the signal handling under test is the real one.
SLOW_CLI = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    time.sleep(0.02)
    real_fsync(fd)
os.fsync = slow_fsync
sys.argv = ["rnnmigrate", "rewrite", "--apply", sys.argv[1]]
from rnnmigrate.cli import main
main()
"""


def _as_from_a_terminal() -> None:
    """SIGINT as a terminal's Ctrl-C finds it: a shell's background job (CI run with `&`) starts with it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_midway(root: Path, signum: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_CLI, str(root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_as_from_a_terminal,
    )
    paths = sorted(root.glob("*.py"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if sum(path.read_bytes() != AUTO.encode() for path in paths[::10]) >= 2:
            break
        time.sleep(0.005)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_signal_leaves_each_file_wholly_old_or_wholly_new(tmp_path: Path, signum: int, code: int):
    for index in range(FILES):
        write(tmp_path, f"m{index:03d}.py", AUTO)
    finished = interrupt_midway(tmp_path, signum)
    assert finished.returncode == code, finished.stderr
    contents = [path.read_bytes() for path in sorted(tmp_path.glob("*.py"))]
    assert len(contents) == FILES
    assert set(contents) <= {AUTO.encode(), AUTO_REWRITTEN.encode()}
    new = contents.count(AUTO_REWRITTEN.encode())
    assert 0 < new < FILES, "the signal did not land mid-run"
    assert not leftovers(tmp_path)
