"""Derived data kept between runs in the user's cache folder, rebuilt whenever in doubt.

Some start-up work gives the same result every time for the same inputs:
reading the repair model's frequency lists, parsing the tables of a 15 MB
font.  Its result is written once (``marshal``: fast to read, no code
execution) under ``$XDG_CACHE_HOME/pipeline`` (default ``~/.cache/pipeline``),
in a file whose name says what it was built from, so a changed input simply
misses.  A cache that cannot be read or written only costs time: it never
stops a conversion.
"""

from __future__ import annotations

import logging
import marshal
import os
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pipeline"


def load(path: Path) -> Any | None:
    """What :func:`store` wrote at ``path``, or ``None`` if it is missing or unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        _log.warning("ignoring an unreadable cache file %s", path)
        return None


def store(path: Path, value: Any, supersedes: str = "") -> None:
    """Write ``value`` to ``path`` atomically (a reader sees the old file or the new one).

    Files beside it matching the glob ``supersedes`` (builds from older inputs
    or formats) are removed.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, path)
    except (OSError, ValueError):
        _log.debug("cannot write the cache file %s", path)
        return
    for old in path.parent.glob(supersedes) if supersedes else ():
        if old != path:
            old.unlink(missing_ok=True)
