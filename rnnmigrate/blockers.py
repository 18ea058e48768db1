"""The rest of the file: uses of TF1 names that keep it from running on TF 2.21 with Keras 3 (RNN2xx).

Every dotted name a file uses is resolved as the RNN rules resolve theirs; what TF 2.21 lacks is
an informational finding of the family that says what it needs (rnnmigrate/rules/tf_api.py holds
the data). Names an RNN rule reports are left to it. Nothing here is rewritten.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from rnnmigrate.findings import Finding
from rnnmigrate.names import ImportTable, dotted_parts
from rnnmigrate.rules import RULES_BY_CODE, known_name, rule_for
from rnnmigrate.rules import contrib_modules, contrib_seq2seq_crf, keras2_only, removed_apis, tf1_only_names, tf_layers
from rnnmigrate.rules.tf_api import Blocker, tables
from rnnmigrate.spans import LineIndex

# Below ``tensorflow``: private modules, whose names the public API lists cannot judge.
PRIVATE = frozenset({"python", "core", "tsl", "compiler", "lite", "include", "libtensorflow_framework"})
BLOCKER_CODES: frozenset[str] = frozenset(code for code, rule in RULES_BY_CODE.items() if rule.informational)


def find_blockers(
    nodes: list[ast.AST], parents: dict[int, ast.AST], imports: ImportTable, path: str, lines: LineIndex
) -> list[Finding]:
    """One info finding per use of a name TF 2.21 lacks, in source order."""
    findings = []
    might_bind = imports.might_bind
    aliases = _aliases(nodes)
    assigned = _assigned_on_tf(nodes, imports)
    for node in nodes:
        if isinstance(node, ast.Name):
            if not might_bind(node.id) or not isinstance(node.ctx, ast.Load) or node.id in aliases:
                continue
        elif not isinstance(node, ast.Attribute) or not isinstance(node.ctx, ast.Load):
            continue
        elif aliases and _root_name(node) in aliases:
            continue
        if isinstance(parents.get(id(node)), ast.Attribute):
            continue
        qualified = imports.resolve(node)
        if qualified is None or (assigned and _below_any(qualified, assigned)):
            continue
        blocker = classify(qualified)
        if blocker is not None:
            findings.append(_finding(node, qualified, blocker, path, lines))
    return findings


def _aliases(nodes: list[ast.AST]) -> frozenset[str]:
    """Names assigned a dotted name (``FLAGS = tf.app.flags.FLAGS``): the assignment is the finding.

    That is where TF 2.21 fails; each ``FLAGS.batch_size`` after it is not another finding.
    """
    return frozenset(
        node.targets[0].id
        for node in nodes
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, (ast.Attribute, ast.Name))
    )


def _assigned_on_tf(nodes: list[ast.AST], imports: ImportTable) -> frozenset[str]:
    """Attributes the file sets on TF modules (``tf.model = keras.Sequential()``): they exist when read."""
    return frozenset(
        qualified
        for node in nodes
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
        for qualified in [imports.resolve(node)]
        if qualified is not None
    )


def _below_any(qualified: str, assigned: frozenset[str]) -> bool:
    return any(qualified == name or qualified.startswith(name + ".") for name in assigned)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


@lru_cache(maxsize=4096)
def classify(qualified: str) -> Blocker | None:
    """What a fully qualified TF / Keras name needs on TF 2.21, or None when it runs (or an RNN rule owns it)."""
    parts = qualified.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_"):  # tf.__version__, module dunders: not API names
            parts = parts[:index]
            break
    if len(parts) < 2 or _owned_by_rnn_rule(parts):
        return None
    if parts[0] == "keras":
        return keras2_only.match("keras", parts[1:], 1)
    if parts[0] != "tensorflow":
        return None
    compat = parts[1:3] == ["compat", "v1"]
    start = 3 if compat or parts[1:3] == ["compat", "v2"] else 1
    rest = parts[start:]
    if not rest or rest[0] in PRIVATE or rest[0] == "compat":
        return None
    head = rest[0]
    if head == "contrib":
        return contrib_seq2seq_crf.match(rest, start) or contrib_modules.match(rest, start)
    if head == "keras":
        return keras2_only.match("tf.compat.v1.keras" if compat else "tf.keras", rest[1:], start + 1)
    if compat:
        return _in_compat_v1(rest, start)
    if head == "layers":
        return tf_layers.match(rest, False, start) or removed_apis.match(rest, 1, "tf", start)
    tf2 = tables().tf
    for length in range(1, len(rest) + 1):
        name = "tf." + ".".join(rest[:length])
        if name in tf2.leaves:
            return None
        if name not in tf2.modules:
            return (
                tf1_only_names.match(rest, length, start)
                or tf_layers.match(rest, False, start)
                or removed_apis.match(rest, length, "tf", start)
            )
    return None


def _in_compat_v1(rest: list[str], start: int) -> Blocker | None:
    v1 = tables().v1
    for length in range(1, len(rest) + 1):
        name = "tf." + ".".join(rest[:length])
        if name in tables().v1_broken or name in tables().v1_with_tf_keras:
            return tf_layers.match(rest, True, start) or removed_apis.match(rest, len(rest), "tf.compat.v1", start)
        if name in v1.leaves:
            return None
        if name not in v1.modules:
            return removed_apis.match(rest, length, "tf.compat.v1", start)
    return None


def _owned_by_rnn_rule(parts: list[str]) -> bool:
    """An RNN rule's API, something below one, or a module on the way to one (``tf.contrib.rnn``)."""
    if known_name(".".join(parts)):
        return True
    return any(rule_for(".".join(parts[:length])) is not None for length in range(2, len(parts) + 1))


def _finding(node: ast.AST, qualified: str, blocker: Blocker, path: str, lines: LineIndex) -> Finding:
    covered = _covering(node, len(qualified.split(".")), blocker.length)
    end_line = covered.end_lineno or covered.lineno  # type: ignore[attr-defined]
    start = lines.offset(covered.lineno, covered.col_offset)  # type: ignore[attr-defined]
    end = lines.offset(end_line, covered.end_col_offset or 0)  # type: ignore[attr-defined]
    rule = RULES_BY_CODE[blocker.code]
    parts = dotted_parts(covered)
    return Finding(
        path=path,
        line=covered.lineno,  # type: ignore[attr-defined]
        column=lines.column(start),
        end_line=end_line,
        end_column=lines.column(end),
        code=rule.code,
        rule=rule.name,
        api=blocker.api,
        verdict="info",
        reason=blocker.reason,
        offset=start,
        end_offset=end,
        spelling=".".join(parts) if parts else "",
        needs=blocker.needs,
        replacement=blocker.use,
    )


def _covering(node: ast.AST, qualified_length: int, length: int) -> ast.AST:
    """The part of ``a.b.c.d`` that spells the first ``length`` parts of its qualified name."""
    drop = qualified_length - length
    while drop > 0 and isinstance(node, ast.Attribute):
        node, drop = node.value, drop - 1
    return node
