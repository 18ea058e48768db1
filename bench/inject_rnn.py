"""Inject TF1 RNN snippets into any Python module at its top-level statement boundaries.

Shared by the fuzz tests (tests/rewrite/test_fuzz_rewrite.py) and the standard-library smoke run
(bench/stdlib_smoke.py). Every snippet holds exactly one ``dynamic_rnn`` call whose cells are
traceable, so a correct scan finds it ``auto`` and a correct rewrite migrates it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

ALIAS = "tf_rnnmigrate_fuzz"  # a name no real module binds
IMPORT = f"import tensorflow as {ALIAS}\n"

# One dynamic_rnn call each, in the places TF1 code puts them.
CONTEXTS = {
    "module": "cell_{k} = {tf}.nn.rnn_cell.GRUCell(8)\nout_{k}, state_{k} = {tf}.nn.dynamic_rnn(cell_{k}, inputs_{k}, dtype={tf}.float32)\n",
    "function": "def encode_{k}(x):\n    cell = {tf}.nn.rnn_cell.LSTMCell(4)\n    return {tf}.nn.dynamic_rnn(\n        cell,\n        x,  # the batch\n        swap_memory=True,\n    )\n",
    "class": "class Model_{k}:\n    def build(self, x):\n        self.cell = {tf}.nn.rnn_cell.GRUCell(4)\n        return {tf}.nn.dynamic_rnn(self.cell, x, scope='m{k}')\n",
    "decorator": "@register_{k}({tf}.nn.dynamic_rnn({tf}.nn.rnn_cell.GRUCell(2), inputs_{k}, time_major=True))\ndef decorated_{k}():\n    pass\n",
    "comprehension": "outs_{k} = [{tf}.nn.dynamic_rnn({tf}.nn.rnn_cell.GRUCell(n), inputs_{k}) for n in (2, 4)]\n",
    "same-line": "s_{k} = 'na\u00efve caf\u00e9'; cell_{k} = {tf}.nn.rnn_cell.GRUCell(3); o_{k} = {tf}.nn.dynamic_rnn(cell_{k}, x_{k})\n",
}
# Text before a snippet that str.splitlines, byte columns or encodings get wrong.
PREFIXES = {
    "none": "",
    "form-feed": "\x0c\n",
    "non-ascii": "# caf\u00e9 \u00fcber na\u00efve\n",
    "separators": "sep_{k} = 'a\u2028b\x85c\x0cd'\n",
}


@dataclass(frozen=True)
class Injection:
    context: str
    prefix: str
    where: float  # 0..1: which top-level boundary


def boundaries(tree: ast.Module, lines: list[str]) -> list[int]:
    """Line indexes (0-based) before which a new top-level statement can go."""
    starts = []
    for statement in tree.body:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        starts.append((first, statement.end_lineno or first))
    found = {len(lines)}
    previous_end = 0
    for first, end in starts:
        if first > previous_end:  # not on the line a statement before it ends on (``a; b``)
            found.add(first - 1)
        previous_end = end
    return sorted(found)


def _after_future(tree: ast.Module) -> int:
    """The line index after the docstring and the ``__future__`` imports, where the TF import goes."""
    line = 0
    for index, statement in enumerate(tree.body):
        docstring = index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
        if not (docstring or future):
            break
        line = statement.end_lineno or line
    return line


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def inject(source: str, injections: list[Injection]) -> str:
    """The module with the TF import and the snippets added: one ``dynamic_rnn`` call per injection."""
    if source and not source.endswith(("\n", "\r")):
        source += "\n"
    tree = ast.parse(source)
    lines = _LINE.findall(source)  # Python's line ends only
    places = boundaries(tree, lines)
    future = _after_future(tree)
    places = [place for place in places if place >= future] or [len(lines)]
    inserts: dict[int, list[str]] = {}
    for k, injection in enumerate(injections):
        place = places[min(int(injection.where * len(places)), len(places) - 1)]
        text = PREFIXES[injection.prefix] + CONTEXTS[injection.context]
        inserts.setdefault(place, []).append(text.format(k=k, tf=ALIAS))
    inserts.setdefault(future, []).insert(0, IMPORT)
    out = []
    for index in range(len(lines) + 1):
        out.extend(inserts.get(index, ()))
        if index < len(lines):
            out.append(lines[index])
    return "".join(out)
