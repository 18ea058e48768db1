"""Scan and rewrite throughput on a generated tree, as ratios to `grep -rl dynamic_rnn`.

Usage: python bench/bench_scan.py [--files 20000] [--rnn-files 300] [--repeat 3] [--tf-files 0] [--linked 50] [--scan-only] [--before CHECKOUT]

With --before, `rnnmigrate scan` is also timed from another checkout (PYTHONPATH=CHECKOUT, e.g.
the main branch) on the same tree in the same run, so the two ratios to grep compare directly.

Everything runs in this one invocation on the same tree with a warm page cache: grep is the
baseline, and each rnnmigrate command is run as a user would run it (a fresh process,
startup included). Best of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_tree import generate  # noqa: E402

RNNMIGRATE = [sys.executable, "-m", "rnnmigrate"]


def best_time(command: list[str], repeat: int, accept: tuple[int, ...] = (0, 1), pythonpath: str | None = None) -> float:
    best = float("inf")
    environment = dict(os.environ, PYTHONPATH=pythonpath) if pythonpath else None
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
        elapsed = time.perf_counter() - start
        if result.returncode not in accept:
            raise SystemExit(f"{' '.join(command)} exited {result.returncode}")
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rnn-files", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tf-files", type=int, default=0, help="files with TF1 code but no RNN (default 0, the tree of earlier runs)")
    parser.add_argument("--linked", type=int, default=50, help="packages whose cells are built in one module and run in another")
    parser.add_argument("--scan-only", action="store_true", help="time scan only, not rewrite")
    parser.add_argument("--before", help="another checkout whose `rnnmigrate scan` is timed too (as PYTHONPATH)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rnnmigrate-bench-"))
    try:
        tree = workdir / "tree"
        generate(tree, args.files, args.rnn_files, tf_files=args.tf_files, linked=args.linked)
        size = sum(path.stat().st_size for path in tree.rglob("*.py")) / 1e6
        print(f"tree: {args.files} .py files ({size:.0f} MB), {args.rnn_files} with RNN code, {args.tf_files} with other TF1 code")
        grep = best_time(["grep", "-rl", "dynamic_rnn", str(tree)], args.repeat)
        rows = [
            ("grep -rl dynamic_rnn", grep),
            ("rnnmigrate scan", best_time([*RNNMIGRATE, "scan", str(tree), "-f", "json"], args.repeat)),
            ("rnnmigrate scan --jobs 1", best_time([*RNNMIGRATE, "scan", str(tree), "-f", "json", "-j", "1"], args.repeat)),
        ]
        if not args.scan_only:
            rows.append(("rnnmigrate rewrite (diff)", best_time([*RNNMIGRATE, "rewrite", str(tree)], args.repeat)))
        if args.before:
            scan = [*RNNMIGRATE, "scan", str(tree), "-f", "json"]
            rows.append(("before: scan", best_time(scan, args.repeat, pythonpath=args.before)))
            rows.append(("before: scan --jobs 1", best_time([*scan, "-j", "1"], args.repeat, pythonpath=args.before)))
        if not args.scan_only:
            copy = workdir / "copy"
            shutil.copytree(tree, copy)
            rows.append(("rnnmigrate rewrite --apply", best_time([*RNNMIGRATE, "rewrite", "--apply", str(copy)], 1)))
        print(f"{'command':<28} {'wall s':>8} {'files/s':>10} {'x grep':>8}")
        for name, seconds in rows:
            print(f"{name:<28} {seconds:8.3f} {args.files / seconds:10.0f} {seconds / grep:8.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
