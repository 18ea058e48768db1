"""Before/after fixture pairs, one folder per rule module: fixtures/<rule_module>/<case>.py.

``<case>.expected.py`` beside a case is what ``rewrite_source`` must make of it; a case without
one must come out unchanged, byte for byte. Cases whose name ends in ``_annotate`` are rewritten
with ``annotate=True``, those ending in ``_unsafe_fixes`` with ``unsafe_fixes=True`` (without it,
an unsafe fix leaves its case unchanged). Every pair is also checked to parse, and to be a fixed point: rewriting
the expected text again changes nothing.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import rnnmigrate.rules
from rnnmigrate.rewrite import TODO_PREFIX, rewrite_source
from rnnmigrate.scan import scan_source

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(path for path in FIXTURES.glob("*/*.py") if not path.name.endswith(".expected.py"))


def rule_modules() -> dict[str, rnnmigrate.rules.base.Rule]:
    """Every module of rnnmigrate.rules that defines a RULE, by module name."""
    found = {}
    for info in pkgutil.iter_modules(rnnmigrate.rules.__path__):
        module = importlib.import_module(f"rnnmigrate.rules.{info.name}")
        if hasattr(module, "RULE"):
            found[info.name] = module.RULE
    return found


def expected_path(case: Path) -> Path:
    return case.with_name(case.stem + ".expected.py")


def is_annotate(case: Path) -> bool:
    return case.stem.endswith("_annotate")


def is_unsafe_fixes(case: Path) -> bool:
    return case.stem.endswith("_unsafe_fixes")


def rewrite(text: str, case: Path) -> str:
    return rewrite_source(text, str(case), annotate=is_annotate(case), unsafe_fixes=is_unsafe_fixes(case)).text


@pytest.mark.parametrize("case", CASES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_fixture(case: Path):
    before = case.read_text(encoding="utf-8")
    ast.parse(before)
    expected_file = expected_path(case)
    expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else before
    if expected_file.exists():
        assert expected != before, f"{expected_file.name} equals its case: delete it to say 'unchanged'"

    after = rewrite(before, case)

    assert after == expected
    ast.parse(expected)
    assert rewrite(expected, case) == expected, "a second pass changed the rewritten text"


def test_every_expected_file_has_its_case():
    orphans = [path for path in FIXTURES.glob("*/*.expected.py") if not path.with_name(path.name.replace(".expected", "")).exists()]
    assert not orphans


def test_fixture_folders_are_the_rule_modules():
    assert {path.name for path in FIXTURES.iterdir() if path.is_dir()} == set(rule_modules())


@pytest.mark.parametrize("module", sorted(rule_modules()))
def test_each_rule_module_has_change_and_no_change_cases(module: str):
    rule = rule_modules()[module]
    cases = [case for case in CASES if case.parent.name == module]
    unchanged = [case for case in cases if not expected_path(case).exists()]
    rewritten = [case for case in cases if expected_path(case).exists() and not is_annotate(case)]
    annotated = [case for case in cases if expected_path(case).exists() and is_annotate(case)]
    assert unchanged, "no case that must stay unchanged"
    if rule.informational:
        assert not rewritten and not annotated, "an informational rule (RNN2xx) never changes code, even with --annotate"
        assert any(is_annotate(case) for case in unchanged), "an informational rule needs an --annotate case left unchanged"
    elif rule.rewrite is not None:
        assert rewritten, "a rule with a rewrite needs a case it rewrites"
    else:
        assert not rewritten, "a manual-only rule must never change code without --annotate"
        assert annotated, "a manual-only rule needs an --annotate case"


@pytest.mark.parametrize("module", sorted(rule_modules()))
def test_each_rule_is_exercised_by_its_cases(module: str):
    """The cases in a rule's folder really hit that rule (a typo would make them pass vacuously).

    Only ``no_site_*`` cases show code that looks like the API but is not it (or is suppressed).
    """
    rule = rule_modules()[module]
    for case in (case for case in CASES if case.parent.name == module):
        text = case.read_text(encoding="utf-8")
        if rule.informational:  # the rewrite does not list them: the scan finds them
            codes = {finding.code for finding in scan_source(text, str(case))}
        else:
            outcome = rewrite_source(text, str(case), annotate=is_annotate(case))
            codes = {finding.code for finding in outcome.rewritten + outcome.left + outcome.held}
        if case.stem.startswith("no_site_"):
            assert rule.code not in codes, f"{case.name} has a {rule.code} site"
        else:
            assert rule.code in codes, f"{case.name} has no {rule.code} site"


INFORMATIONAL = {name for name, rule in rule_modules().items() if rule.informational}


@pytest.mark.parametrize("case", [case for case in CASES if is_unsafe_fixes(case)], ids=lambda path: path.stem)
def test_unsafe_fixes_cases_are_unsafe_and_left_alone_without_the_option(case: Path):
    before = case.read_text(encoding="utf-8")
    outcome = rewrite_source(before, str(case))
    assert outcome.text == before and not outcome.rewritten
    assert outcome.held and all(finding.safety == "unsafe" and finding.assumption for finding in outcome.held)


@pytest.mark.parametrize(
    "case", [case for case in CASES if is_annotate(case) and case.parent.name not in INFORMATIONAL], ids=lambda path: path.stem
)
def test_annotate_marks_every_manual_site_and_nothing_else(case: Path):
    before = case.read_text(encoding="utf-8")
    outcome = rewrite_source(before, str(case), annotate=True)
    assert outcome.left
    todos = [line.strip() for line in outcome.text.splitlines() if line.strip().startswith(TODO_PREFIX)]
    for finding in outcome.left:
        assert f"{TODO_PREFIX}{finding.code} " in "\n".join(todos)
    # Without --annotate the same case changes only the auto sites; the TODO lines are all
    # that --annotate adds.
    plain = rewrite_source(before, str(case)).text

    def code(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.strip().startswith(TODO_PREFIX)]

    assert code(outcome.text) == code(plain)
