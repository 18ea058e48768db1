"""Per site: copy the project, run the real CLI (`scan`, `rewrite --apply`), run the phases.

Everything here runs in the parent process, which never imports TensorFlow; each phase is a
child process (see phases.py), one at a time.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from real_code.sites import Edit, Site

ENTRY = Path(__file__).resolve().parent.parent / "real_code.py"
MIRRORS = Path("/work/.mirror")
PHASE_TIMEOUT = 900


@dataclass
class SiteResult:
    site: Site
    commit: str
    scan: dict  # verdict, reason, code of the finding at the site
    rewrite: str  # "rewritten", "manual: <reason>", "ERROR: ..."
    contexts: dict[str, dict] = field(default_factory=dict)  # tf1 / graph / keras
    edits: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)


def commit_of(corpus: Path, site: Site) -> str:
    """Short hash of the corpus project's snapshot: its own .git, else the mirror it came from."""
    return project_commit(corpus / site.project, site.mirror)


def project_commit(directory: Path, mirror: str | None = None) -> str:
    """Short hash: the project's own .git, else /work/.mirror/<mirror> (found by name if not given)."""
    if mirror is None:
        matches = sorted(MIRRORS.glob(f"*+{directory.name}")) if MIRRORS.is_dir() else []
        mirror = matches[0].name if matches else ""
    candidates = [directory / ".git"]
    if mirror:
        candidates += [MIRRORS / mirror / "repo" / ".git", MIRRORS / mirror / "repo"]
    for git_dir in candidates:
        if git_dir.exists():
            done = subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True)
            if done.returncode == 0:
                return done.stdout.strip()
    return "unknown"


def copy_project(source: Path, target: Path) -> None:
    """The project's Python files only (data files are not needed and can be large)."""
    if target.exists():
        shutil.rmtree(target)
    for path in source.rglob("*.py"):
        if ".git" in path.parts:
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def apply_edits(root: Path, edits: tuple[Edit, ...], side: str) -> list[str]:
    """Apply the site's declared edits for `side`; an edit that no longer applies is an error."""
    done = []
    for edit in edits:
        if side not in edit.sides:
            continue
        path = root / edit.path
        text = path.read_text()
        if edit.old not in text:
            raise RuntimeError(f"declared edit no longer applies to {edit.path}: {edit.why}")
        path.write_text(text.replace(edit.old, edit.new))
        done.append(edit.describe())
    return done


def _cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnmigrate", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def scan_site(root: Path, site: Site) -> dict:
    """The scan finding for the site's call (matched by file and line)."""
    done = _cli("scan", "--format", "json", "--exit-zero", *site.paths_to_rewrite, cwd=root)
    try:
        findings = json.loads(done.stdout)["findings"]
    except (ValueError, KeyError):
        return {"verdict": "error", "reason": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    for finding in findings:
        if finding["line"] == site.line and finding["code"].startswith("RNN00"):
            return {"verdict": finding["verdict"], "reason": finding.get("reason"), "code": finding["code"],
                    "api": finding["api"], "safety": finding.get("safety"),
                    "assumption": finding.get("assumption")}
    return {"verdict": "not found", "reason": f"scan reports no RNN call at {site.path}:{site.line}"}


REWRITE_ARGUMENTS: list[str] = []  # extra `rewrite` options from --rewrite-arg (e.g. --unsafe-fixes)


def rewrite_copy(root: Path, site: Site, scan: dict) -> str:
    """`rnnmigrate rewrite --apply` on the copy; what became of the site."""
    before = {path: (root / path).read_text() for path in site.paths_to_rewrite}
    options = [*REWRITE_ARGUMENTS, *(["--unsafe-fixes"] if site.unsafe_fixes else [])]
    done = _cli("rewrite", "--apply", *options, *site.paths_to_rewrite, cwd=root)
    if done.returncode not in (0, 1):
        return "ERROR: rewrite exited %d: %s" % (done.returncode, (done.stderr or done.stdout).strip()[-200:])
    changed = any((root / path).read_text() != text for path, text in before.items())
    if scan["verdict"] == "auto" and changed:
        return "rewritten (--unsafe-fixes)" if "--unsafe-fixes" in options else "rewritten"
    if scan["verdict"] == "auto" and scan.get("safety") == "unsafe":
        return f"manual: an unsafe fix, not applied without --unsafe-fixes: {scan.get('assumption')}"
    return f"manual: {scan.get('reason')}"


PHASES = ("graph", "graph_tf1_weights", "keras", "keras_function", "keras_only")


def run_phase(phase: str, site: Site, sitedir: Path) -> dict:
    """One phase in a fresh interpreter; `keras_only` runs without TF_USE_LEGACY_KERAS."""
    environment = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    if phase == "keras_only":
        del environment["TF_USE_LEGACY_KERAS"]
    try:
        done = subprocess.run([sys.executable, str(ENTRY), "--child", phase, site.id, str(sitedir)],
                              env=environment, capture_output=True, text=True, timeout=PHASE_TIMEOUT, cwd=sitedir)
    except subprocess.TimeoutExpired:
        return {"status": "ERROR", "reason": f"timed out after {PHASE_TIMEOUT}s"}
    result_path = sitedir / f"{phase}.pkl"
    if not result_path.exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": "ERROR", "reason": f"process exited {done.returncode}: {tail}"[:300]}
    return pickle.loads(result_path.read_bytes())


def run_site(corpus: Path, work: Path, site: Site) -> SiteResult:
    sitedir = work / site.id
    for name in ("original", "rewritten"):
        copy_project(corpus / site.project, sitedir / name)
    for stale in sitedir.glob("*.pkl"):
        stale.unlink()
    shutil.rmtree(sitedir / "scratch", ignore_errors=True)
    (sitedir / "scratch").mkdir(parents=True)
    declared = list(site.stubs)
    if site.missing_modules:
        declared.append("not installed, stub modules: " + ", ".join(site.missing_modules))
    if site.extra_sys_path:
        declared.append("on sys.path for Python 2 implicit relative imports: " + ", ".join(site.extra_sys_path))
    if site.v1_tensorshape:
        declared.append("tf.compat.v1.disable_v2_tensorshape() in every context (the code reads `shape[i].value`)")
    result = SiteResult(site, commit_of(corpus, site), {}, "", stubs=declared)
    apply_edits(sitedir / "original", site.edits, "original")
    result.edits = apply_edits(sitedir / "rewritten", site.edits, "rewritten")
    result.scan = scan_site(sitedir / "original", site)
    result.rewrite = rewrite_copy(sitedir / "rewritten", site, result.scan)
    result.edits += apply_edits(sitedir / "rewritten", site.edits, "after-rewrite")
    tf1 = run_phase("tf1", site, sitedir)
    result.contexts["tf1"] = tf1
    if tf1.get("stubs"):
        result.stubs.append("stubs looked up (never called on the RNN path): " + ", ".join(tf1["stubs"]))
    for phase in PHASES:
        if tf1["status"] != "OK":
            result.contexts[phase] = {"status": "SKIP", "reason": "the TF1 run failed"}
        elif not result.rewrite.startswith("rewritten"):
            result.contexts[phase] = {"status": "SKIP", "reason": "site not rewritten"}
        else:
            result.contexts[phase] = run_phase(phase, site, sitedir)
    return result
