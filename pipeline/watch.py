"""``pipeline watch``: convert now, then again whenever an input changes.

Uses watchdog's native observers (inotify, FSEvents, ReadDirectoryChangesW).
Changes are debounced: a burst of events (an editor saving, a folder being
copied in) leads to one run once the inputs have been quiet for ``delay``
seconds.  Each run is an ordinary incremental batch, so only the documents that
changed are converted again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .readers import READERS

_log = logging.getLogger(__name__)


class _InputChanged(FileSystemEventHandler):
    """Sets ``changed`` when an input file (not a hidden or temporary one) appears or changes."""

    def __init__(self, changed: threading.Event, output: Path) -> None:
        self.changed = changed
        self.output = output.resolve()

    def _is_input(self, path: str | bytes) -> bool:
        p = Path(path.decode() if isinstance(path, bytes) else path)
        if p.name.startswith(".") or p.suffix.lower() not in READERS:
            return False
        return not p.resolve().is_relative_to(self.output)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(self._is_input(p) for p in paths if p):
            _log.debug("input changed: %s", event)
            self.changed.set()


def watch(
    paths: Iterable[Path],
    output: Path,
    run: Callable[[], object],
    *,
    delay: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Call ``run`` now and after each burst of input changes, until ``stop`` is set.

    Without ``stop`` it runs until interrupted (Ctrl-C raises
    :class:`KeyboardInterrupt` out of it, after the observer is stopped).
    """
    stop = stop or threading.Event()
    changed = threading.Event()
    handler = _InputChanged(changed, output)
    observer = Observer()
    for path in paths:
        folder = path if path.is_dir() else path.parent
        observer.schedule(handler, str(folder), recursive=path.is_dir())
    observer.start()
    try:
        run()
        while not stop.is_set():
            if not changed.wait(0.1):
                continue
            while changed.is_set():  # wait for a quiet spell of ``delay`` seconds
                changed.clear()
                if stop.wait(delay):
                    return
            run()
    finally:
        observer.stop()
        observer.join()
