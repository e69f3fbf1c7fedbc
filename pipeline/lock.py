"""A lock on an output folder, so two runs (cron overlapping itself) never share one.

The lock is an advisory lock on ``OUTPUT/.pipeline.lock`` (``flock`` on POSIX,
``msvcrt.locking`` on Windows).  The operating system drops it when the process
ends, however it ends, so a crashed run leaves no stale lock behind; the file
itself stays and holds the last holder's process id, for the message.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from types import TracebackType

from .errors import OutputError, PipelineError

LOCK_NAME = ".pipeline.lock"
_UNWRITABLE = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT})


class LockedError(PipelineError):
    """Another run holds the lock on the output folder."""


class OutputLock:
    """``with OutputLock(folder):`` holds the folder's lock, or raises :class:`LockedError`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            kind = OutputError if exc.errno in _UNWRITABLE else PipelineError
            raise kind(f"cannot use the output folder {self.folder} ({exc.strerror})") from exc
        try:
            _lock(fd)
        except OSError:
            os.lseek(fd, 0, os.SEEK_SET)
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockedError(
                f"another pipeline run is using {self.folder} (pid {holder})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _unlock(fd)
            os.close(fd)

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        # msvcrt locks a byte range from the current position; lock byte 0 far
        # past the pid text so reading the pid is not blocked.
        os.lseek(fd, 1 << 20, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        os.lseek(fd, 0, os.SEEK_SET)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 1 << 20, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
