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


def test_rewrite_all_checks_each_project_of_a_corpus_we_write(tmp_path):
    package = tmp_path / "corpus" / "tiny" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cells.py").write_text("import tensorflow as tf\n\n\ndef make(n):\n    return tf.nn.rnn_cell.GRUCell(n)\n")
    (package / "model.py").write_text(
        "import tensorflow as tf\n\nfrom pkg.cells import make\n\n\n"
        "def run(x):\n    return tf.nn.dynamic_rnn(make(4), x, dtype=tf.float32)\n"
    )

    done = run(str(tmp_path / "corpus"), "--rewrite-all", "--work", str(tmp_path / "work"))

    assert done.returncode == 0, done.stderr
    assert "| tiny | 2 | 2 | 0 | 0 | 0 |" in done.stdout
    assert (package / "model.py").read_text().count("tf.nn.dynamic_rnn") == 1  # the corpus itself is untouched
