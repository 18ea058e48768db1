"""Writing files so that an interrupted run leaves each one wholly old or wholly new."""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from contextlib import contextmanager


class WriteError(Exception):
    """A file that could not be written; the message is one line for the user."""


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    The rename is atomic; SIGINT and SIGTERM are held back while it happens, so the
    temporary file is always removed and ``path`` is never half written. The file mode
    and, where permitted, its owner are kept; a symlink's target is written, not the link.
    """
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
        mode = stat.S_IMODE(status.st_mode)
    except OSError as error:  # gone or unreachable since it was read
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    if not mode & stat.S_IWUSR:
        raise WriteError("read-only; not written")
    directory = os.path.dirname(target) or "."
    try:
        with _signals_held():
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".rnnmigrate-", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.chmod(temporary, mode)
                _keep_owner(temporary, status)
                os.replace(temporary, target)
            except BaseException:
                _remove_quietly(temporary)
                raise
    except OSError as error:
        raise WriteError(f"cannot write: {error.strerror or error}") from None


@contextmanager
def _signals_held():
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _keep_owner(path: str, original: os.stat_result) -> None:
    """Give the new file the old one's owner; only root may, and only root needs to."""
    if (original.st_uid, original.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(path, original.st_uid, original.st_gid)
        except PermissionError:
            pass


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
