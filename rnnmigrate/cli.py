"""Command-line interface: a thin layer over the pipeline functions that tests call directly.

Nothing here imports TensorFlow: ``verify`` loads it inside its own command.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Annotated, Optional

import typer

from rnnmigrate import __version__
from rnnmigrate.config import DEFAULT_LINE_LENGTH, ConfigError, find_pyproject, load_config
from rnnmigrate.discover import DEFAULT_INCLUDE, DiscoveryError, FileFilter, discover, iter_files
from rnnmigrate.project import Project
from rnnmigrate.scan import CodeFilter, ScanReport, scan_files, unknown_codes
from rnnmigrate.verify.command import verify_command

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROGRESS_THRESHOLD = 500

app = typer.Typer(
    name="rnnmigrate",
    help="Audit, rewrite and verify the migration of TensorFlow 1 RNN code to Keras 3.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class UsageProblem(Exception):
    """A mistake in the command line or configuration: one line, exit code 2."""


@dataclass
class Selection:
    """The files and rule codes a scan or rewrite run covers."""

    files: Iterable[str]
    codes: CodeFilter
    jobs: int | None
    line_length: int = DEFAULT_LINE_LENGTH
    project: Project | None = None  # the tree around the paths, read to trace cells across modules


Paths = Annotated[
    Optional[list[str]],
    typer.Argument(help="Files and directories to look at (default: the current directory).", show_default=False),
]
Select = Annotated[
    Optional[list[str]], typer.Option("--select", help="Only these codes or prefixes, comma-separated or repeated: RNN001,RNN1.")
]
Ignore = Annotated[
    Optional[list[str]], typer.Option("--ignore", help="Leave out these codes or prefixes (comma-separated or repeated).")
]
Exclude = Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip paths matching this gitignore-style glob.")]
Include = Annotated[Optional[list[str]], typer.Option("--include", help="Also look at files matching this glob.")]
NoGitignore = Annotated[bool, typer.Option("--no-gitignore", help="Do not honour .gitignore files.")]
Jobs = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).")]
ConfigPath = Annotated[Optional[Path], typer.Option("--config", help="pyproject.toml to read [tool.rnnmigrate] from.")]


def select_files(
    paths: list[str],
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    exclude: list[str] | None = None,
    include: list[str] | None = None,
    no_gitignore: bool = False,
    jobs: int | None = None,
    config_path: Path | None = None,
    lazy: bool = False,
) -> Selection:
    """Merge configuration and options, validate codes, and discover the files (as a lazy walk
    with ``lazy``, so that a scan starts before the walk ends)."""
    try:
        config = load_config(config_path or find_pyproject(paths))
    except ConfigError as error:
        raise UsageProblem(str(error)) from None
    chosen = _code_list([*config.select, *(select or [])])
    ignored = _code_list([*config.ignore, *(ignore or [])])
    bad = unknown_codes(chosen + ignored)
    if bad:
        raise UsageProblem(f"unknown rule code {bad[0]!r}; `rnnmigrate rules` lists them")
    file_filter = FileFilter(
        include=(*DEFAULT_INCLUDE, *config.include, *(include or [])),
        exclude=(*config.exclude, *(exclude or [])),
        respect_gitignore=config.respect_gitignore and not no_gitignore,
    )
    try:
        files = iter_files(paths, file_filter) if lazy else discover(paths, file_filter)
    except DiscoveryError as error:
        raise UsageProblem(str(error)) from None
    codes = CodeFilter(frozenset(chosen), frozenset(ignored))
    return Selection(files, codes, jobs, config.line_length, Project.for_paths(paths))


def _code_list(values: list[str]) -> list[str]:
    """``RNN001,RNN002`` and repeated options alike, as ruff takes them."""
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def run_scan(selection: Selection, show_progress: bool = False) -> ScanReport:
    with _progress(show_progress, "scanning") as advance:
        return scan_files(selection.files, selection.codes, selection.jobs, advance, selection.project, selection.line_length)


@contextmanager
def _progress(enabled: bool, label: str):
    """A transient count of files done on stderr; it appears once a run passes a few hundred files."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn(label), BarColumn(), TextColumn("{task.completed} files"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None, visible=False)

        def advance(count: int) -> None:
            progress.advance(task, count)
            if progress.tasks[0].completed >= PROGRESS_THRESHOLD:
                progress.update(task, visible=True)

        yield advance


def fail(message: str) -> typer.Exit:
    typer.echo(f"rnnmigrate: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


@app.command()
def scan(
    paths: Paths = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="auto (table on a terminal, text otherwise), table, text, json, sarif, github."),
    ] = "auto",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print the number of findings per code instead of each finding.")
    ] = False,
    select: Select = None,
    ignore: Ignore = None,
    exclude: Exclude = None,
    include: Include = None,
    no_gitignore: NoGitignore = False,
    jobs: Jobs = None,
    config: ConfigPath = None,
) -> None:
    """Find TF1 RNN call sites and cells, and say what it takes to migrate each.

    Exit codes: 0 no findings (informational RNN2xx ones do not count), 1 findings or a file that
    could not be scanned (RNN999), 2 usage or internal error.
    """
    from rnnmigrate.report import FORMATS, render

    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        selection = select_files(paths or ["."], select, ignore, exclude, include, no_gitignore, jobs, config, lazy=True)
    except UsageProblem as problem:
        raise fail(str(problem)) from None
    interactive = output is None and sys.stdout.isatty()
    report = run_scan(selection, show_progress=sys.stderr.isatty())
    if fmt == "auto":
        fmt = "table" if interactive else "text"
    if statistics and fmt in ("auto", "table", "text"):
        from rnnmigrate.report.text import statistics as statistics_text
        from rnnmigrate.report.text import summary_line

        _emit(statistics_text(report) + summary_line(report) + "\n", output)
    elif fmt == "table" and output is None:
        from rich.console import Console

        from rnnmigrate.report.table import print_table

        print_table(report, Console(highlight=False))
    else:
        text = render(report, "text" if fmt == "table" else fmt)  # type: ignore[arg-type]
        _emit(text, output)
    if report.fails_gate and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise fail(f"{output}: cannot write: {error.strerror}") from None


@app.command()
def rules() -> None:
    """List the rule codes with their verdict and the safety of their fix."""
    from rnnmigrate.explain import rules_table

    sys.stdout.write(rules_table())


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A rule code, e.g. RNN001.")]) -> None:
    """What a rule finds, why it matters, what the rewrite does, its fix safety and the numbers to expect."""
    import shutil

    from rnnmigrate.explain import explain_text, unscannable_text
    from rnnmigrate.findings import UNSCANNABLE
    from rnnmigrate.rules import RULES_BY_CODE

    width = min(shutil.get_terminal_size((100, 24)).columns, 100) - 1
    if code.upper() == UNSCANNABLE:
        sys.stdout.write(unscannable_text(width))
        return
    rule = RULES_BY_CODE.get(code.upper())
    if rule is None:
        raise fail(f"unknown rule code {code!r}; `rnnmigrate rules` lists them")
    sys.stdout.write(explain_text(rule, width))


@app.command()
def rewrite(
    paths: Paths = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write the rewritten files (default: show a diff).")] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option("--unsafe-fixes", help="Also make the unsafe fixes: exact under an assumption each states."),
    ] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when anything would change; write nothing.")] = False,
    annotate: Annotated[
        bool, typer.Option("--annotate", help="Add a `# TODO(rnnmigrate): ...` comment above each manual site.")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings (pre-commit sees changed files itself).")
    ] = False,
    select: Select = None,
    ignore: Ignore = None,
    exclude: Exclude = None,
    include: Include = None,
    no_gitignore: NoGitignore = False,
    jobs: Jobs = None,
    config: ConfigPath = None,
) -> None:
    """Migrate auto-rewritable call sites to rnnmigrate.layers: a diff by default, files with --apply.

    Safe fixes only, unless --unsafe-fixes (an unsafe fix is exact under an assumption it states).

    Exit codes: 0 nothing found, 1 findings or a file that could not be scanned or rewritten
    (with --check: changes pending or such a file), 2 usage or internal error.
    """
    from rnnmigrate.rewrite_files import apply as apply_plan
    from rnnmigrate.rewrite_files import plan_files
    from rnnmigrate.rewrite_report import print_diffs, print_summary

    if apply and check:
        raise fail("--apply and --check exclude each other")
    try:
        selection = select_files(paths or ["."], select, ignore, exclude, include, no_gitignore, jobs, config)
    except UsageProblem as problem:
        raise fail(str(problem)) from None
    plans = plan_files(
        selection.files, selection.codes, annotate, selection.jobs, selection.line_length, selection.project,
        unsafe_fixes=unsafe_fixes,
    )
    write_errors = [error for plan in plans if apply for error in [apply_plan(plan)] if error is not None]
    if not apply and not check:
        print_diffs(plans, color=sys.stdout.isatty())
    print_summary(plans, write_errors, applied=apply)
    failed = bool(write_errors) or any(plan.error is not None for plan in plans)
    if check:
        raise typer.Exit(EXIT_FINDINGS if failed or any(plan.changed for plan in plans) else EXIT_CLEAN)
    if not exit_zero and (failed or any(plan.rewritten or plan.left or plan.held for plan in plans)):
        raise typer.Exit(EXIT_FINDINGS)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"rnnmigrate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Audit, rewrite and verify the migration of TensorFlow 1 RNN code to Keras 3."""


app.command("verify")(verify_command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("rnnmigrate: interrupted", err=True)
        raise SystemExit(130) from None
