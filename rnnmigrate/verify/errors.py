"""The one exception type that reaches the user, as a single line and exit code 2."""

import re


class VerifyError(Exception):
    """A problem with the user's files or options, phrased for them: `path: what is wrong`."""


_NOISE = re.compile(r"^(Graph execution error:|Detected at node .*|File \".*\", line \d+.*|\[\[.*)$")


def first_line(error: BaseException, limit: int = 240) -> str:
    """The informative line of an exception message.

    TF errors open with "Graph execution error:" and the indented Python stack that
    built the failing node; the line that says what went wrong comes after them.
    """
    lines = [line for line in str(error).splitlines() if line.strip() and not line[0].isspace()]
    informative = [line.strip() for line in lines if not _NOISE.match(line.strip())]
    line = informative[0] if informative else type(error).__name__
    line = re.sub(r"^\{\{function_node [^}]*\}\}\s*", "", line)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def describe(error: BaseException) -> str:
    """``Type: message``; just ``Type`` when the message says nothing more."""
    name, line = type(error).__name__, first_line(error)
    return name if line == name else f"{name}: {line}"
