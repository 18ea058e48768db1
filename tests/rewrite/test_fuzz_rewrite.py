"""Fuzzing: modules from hypothesmith with TF1 RNN snippets injected at random top-level places.

For every generated module, in UTF-8 with LF, with CRLF, and in latin-1 behind a coding cookie:
the scan never raises and finds every injected ``dynamic_rnn`` as ``auto``; the rewrite
migrates every one of them (or, where libcst cannot parse the module, says so in one error and
changes nothing); the output parses, leaves no safe fix for a later scan, and a second pass
changes nothing.

The ``ci`` profile (the default) keeps this to a few seconds; ``RNNMIGRATE_FUZZ=long`` runs a
thousand examples.
"""

from __future__ import annotations

import ast
import textwrap
import os
import sys
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from inject_rnn import CONTEXTS, PREFIXES, Injection, inject  # noqa: E402

from rnnmigrate.rewrite import plan_file  # noqa: E402
from rnnmigrate.scan import scan_file  # noqa: E402

QUIET = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}
settings.register_profile("ci", max_examples=40, **QUIET)
settings.register_profile("long", max_examples=1000, **QUIET)
PROFILE = settings.get_profile(os.environ.get("RNNMIGRATE_FUZZ", "ci"))
# Each example of real code is a whole module through scan and libcst twice: fewer in CI.
REAL_CODE = settings(PROFILE, max_examples=max(PROFILE.max_examples // 8, 4))

injections = st.lists(
    st.builds(
        Injection,
        st.sampled_from(sorted(CONTEXTS)),
        st.sampled_from(sorted(PREFIXES)),
        st.floats(min_value=0, max_value=1),
    ),
    min_size=1,
    max_size=4,
)
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "crlf": lambda text: text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"),
    "latin-1": lambda text: ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1"),
}


def check(tmp_path: Path, source: str, chosen: list[Injection], encoding: str) -> None:
    text = inject(source, chosen)
    try:
        data = ENCODINGS[encoding](text)
    except UnicodeEncodeError:
        assume(False)
    path = tmp_path / "module.py"
    path.write_bytes(data)
    try:
        compile(data, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        assume(False)  # the line ends changed a string's meaning into invalid code: not our input

    scanned = scan_file(str(path))
    assert scanned.error is None, scanned.error
    calls = [finding for finding in scanned.findings if finding.code == "RNN001"]
    assert len(calls) == len(chosen)
    assert all(finding.verdict == "auto" for finding in calls), [finding.reason for finding in calls]

    plan = plan_file(str(path))
    if plan.error is not None:  # only libcst itself may refuse a module ast accepts
        assert "libcst cannot" in plan.error.message, plan.error
        assert plan.new is None
        return
    assert {finding.code for finding in plan.rewritten} >= {"RNN001", "RNN101"}
    assert sum(finding.code == "RNN001" for finding in plan.rewritten) == len(chosen)
    assert plan.new is not None
    compile(plan.new, str(path), "exec", dont_inherit=True)
    path.write_bytes(plan.new)
    assert not [finding for finding in scan_file(str(path)).findings if finding.safety == "safe"]
    again = plan_file(str(path))
    assert again.error is None and not again.changed, "a second pass changed the file"


@PROFILE
@given(source=hypothesmith.from_grammar(), chosen=injections, encoding=st.sampled_from(sorted(ENCODINGS)))
def test_generated_modules_with_injected_sites(tmp_path_factory, source: str, chosen: list[Injection], encoding: str):
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        assume(False)
    check(tmp_path_factory.mktemp("fuzz"), source, chosen, encoding)


@REAL_CODE
@given(chosen=injections, encoding=st.sampled_from(sorted(ENCODINGS)))
def test_injected_sites_in_real_code(tmp_path_factory, chosen: list[Injection], encoding: str):
    source = Path(textwrap.__file__).read_text(encoding="utf-8")
    check(tmp_path_factory.mktemp("fuzz"), source, chosen, encoding)
