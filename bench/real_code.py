"""Real-code differential harness: real TF1 RNN call sites, before and after `rewrite --apply`.

    python bench/real_code.py CORPUS_DIR [--site ID ...] [--json FILE|-] [--markdown FILE] [--work DIR]
    python bench/real_code.py CORPUS_DIR --projects-only | --rewrite-all

For each site (bench/real_code/drivers/): run the original code in a TF1 graph with random
weights and save a TF1 checkpoint; copy the project and run the installed CLI's
`rewrite --apply` on the copy; run the rewritten code (a) in a TF1 graph + session restored
by its own `tf.compat.v1.train.Saver` and (b) eagerly in a `keras.Model.call()` called twice
under `rnnmigrate.layers.tf1_weights(checkpoint)`; compare every RNN output and final state
(float32 bar 1e-5). `PYTHONPATH` picks the rnnmigrate checkout under test. Exit 0 whatever
the sites do (it measures); 2 on bad usage. Needs the fetched corpus, so it is not in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _runtime_description() -> str:
    import subprocess

    # cwd="/": `python -c` puts the working directory first on sys.path, which would shadow PYTHONPATH
    done = subprocess.run([sys.executable, "-c", "import rnnmigrate, os; print(os.path.dirname(os.path.dirname(rnnmigrate.__file__)))"],
                          capture_output=True, text=True, cwd="/")
    root = done.stdout.strip() or "not importable"
    head = subprocess.run(["git", "-C", root, "log", "-1", "--format=%h %s"], capture_output=True, text=True).stdout.strip()
    return f"{root} ({head})" if head else root


def main(argv: list[str]) -> int:
    if argv[:1] == ["--render"]:  # --render RUN.json: the README tables of a saved run
        from real_code import projects, report

        document = json.loads(Path(argv[1]).read_text())
        print(report.markdown_table(document))
        if document.get("projects"):
            print("\n" + projects.table(document["projects"]) + "\n\n" + projects.constructs_table(document["projects"]))
        return 0
    if argv[:1] == ["--child"]:
        from real_code.phases import child_main

        child_main(argv[1], argv[2], Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="directory holding the extracted projects")
    parser.add_argument("--site", action="append", default=[], help="run only these site ids (repeatable)")
    parser.add_argument("--json", dest="json_path", help="also write JSON here ('-' for stdout)")
    parser.add_argument("--markdown", help="also write the README table here")
    parser.add_argument("--work", type=Path, help="scratch directory (default: a temporary one)")
    parser.add_argument("--list", action="store_true", help="list the sites and exit")
    parser.add_argument("--rewrite-arg", action="append", default=[],
                        help="extra option for `rnnmigrate rewrite --apply` (repeatable, e.g. --rewrite-arg=--unsafe-fixes)")
    parser.add_argument("--no-projects", action="store_true", help="skip the per-project scan table")
    parser.add_argument("--projects-only", action="store_true", help="only the per-project scan table (no TensorFlow runs)")
    parser.add_argument("--rewrite-all", action="store_true",
                        help="only rewrite every project whole (--unsafe-fixes) on a copy and check that each changed file "
                             "parses, a second run changes nothing and no fix is left (no TensorFlow runs)")
    arguments = parser.parse_args(argv)
    from real_code import orchestrate, projects, report
    from real_code.sites import all_sites

    sites = all_sites()
    if arguments.list:
        print("\n".join(f"{s.id}: {s.project} {s.path}:{s.line} {s.api}" for s in sites))
        return 0
    if not arguments.corpus.is_dir():
        parser.error(f"corpus directory {arguments.corpus} does not exist")
    unknown = set(arguments.site) - {s.id for s in sites}
    if unknown:
        parser.error(f"unknown site ids: {sorted(unknown)}")
    chosen = [s for s in sites if not arguments.site or s.id in arguments.site]
    if arguments.rewrite_all:
        from real_code import rewrite_all

        work = arguments.work or Path(tempfile.mkdtemp(prefix="rnnmigrate_rewrite_all_"))
        rewritten = rewrite_all.rewrite_corpus(arguments.corpus.resolve(), work.resolve())
        print(rewrite_all.table(rewritten))
        if arguments.json_path:
            Path(arguments.json_path).write_text(json.dumps(rewritten, indent=1))
        return 0
    if arguments.projects_only:
        scanned = projects.scan_corpus(arguments.corpus.resolve(), orchestrate.project_commit)
        print(projects.table(scanned))
        print("\nissue 11's constructs over the corpus:")
        print(projects.constructs_table(scanned))
        return 0
    work = arguments.work or Path(tempfile.mkdtemp(prefix="rnnmigrate_real_code_"))
    runtime = _runtime_description()
    orchestrate.REWRITE_ARGUMENTS[:] = arguments.rewrite_arg
    results = []
    for site in chosen:
        if not (arguments.corpus / site.project).is_dir():
            print(f"{site.id}: project {site.project} missing from {arguments.corpus}; skipped", file=sys.stderr)
            continue
        results.append(orchestrate.run_site(arguments.corpus.resolve(), work.resolve(), site))
        print(report.site_line(results[-1]), flush=True)
    print(report.header(results, runtime))
    print(report.summary_text(results))
    scanned = {} if arguments.no_projects else projects.scan_corpus(arguments.corpus.resolve(), orchestrate.project_commit)
    if scanned:
        print("\nscan of every corpus project (RNN call sites = RNN001-RNN004):")
        print(projects.table(scanned))
        print("\nissue 11's constructs over the corpus:")
        print(projects.constructs_table(scanned))
    if arguments.json_path:
        document = json.dumps({**report.as_json(results, runtime), "projects": scanned}, indent=1, default=float)
        if arguments.json_path == "-":
            print(document)
        else:
            Path(arguments.json_path).write_text(document)
    if arguments.markdown:
        tables = report.markdown_table(report.as_json(results, runtime)) + "\n"
        if scanned:
            tables += "\n" + projects.table(scanned) + "\n\n" + projects.constructs_table(scanned) + "\n"
        Path(arguments.markdown).write_text(tables)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
