"""bench/real_code.py without the corpus: usage errors exit 2, the site registry is complete.

The measurement itself needs the fetched repositories and is not run in CI.
"""

import subprocess
import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[2] / "bench" / "real_code.py"


def run(*arguments):
    return subprocess.run([sys.executable, str(ENTRY), *arguments], capture_output=True, text=True, timeout=120)


def test_missing_corpus_is_a_usage_error(tmp_path):
    done = run(str(tmp_path / "no-such-corpus"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_unknown_site_is_a_usage_error(tmp_path):
    done = run(str(tmp_path), "--site", "no-such-site")
    assert done.returncode == 2


def test_registry_has_twenty_sites_in_ten_projects():
    done = run("--list", ".")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    projects = {line.split(": ", 1)[1].split()[0] for line in lines}
    assert len(lines) >= 20 and len(projects) >= 10, done.stdout
