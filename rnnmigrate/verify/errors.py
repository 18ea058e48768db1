"""The one exception type that reaches the user, as a single line and exit code 2."""


class VerifyError(Exception):
    """A problem with the user's files or options, phrased for them: `path: what is wrong`."""


def first_line(error: BaseException, limit: int = 240) -> str:
    """The informative part of an exception message: TF errors carry pages of graph context."""
    text = str(error).strip()
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    line = line or type(error).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {first_line(error)}"
