"""A scheduled batch run: lock the output folder, skip what is unchanged, convert, report.

This is what ``pipeline convert`` does, safe to run from cron twice over:

* a lock (:mod:`.lock`) keeps a second run off the same output folder;
* the manifest (:mod:`.manifest`) skips documents whose input, options and
  program version are unchanged, and finds outputs whose input is gone
  (reported; removed with ``prune``);
* :mod:`.runner` converts the rest, in parallel, each output written to a
  temporary file and renamed into place, one bad document never stopping
  the others;
* ``OUTPUT/_report.json`` says what happened to every document.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .lock import OutputLock
from .manifest import Manifest, file_digest
from .options import Options
from .result import DocumentResult, Problem, Status
from .runner import (
    WRITE_STEP,
    Source,
    Unusable,
    check_options,
    convert_many,
    default_jobs,
    find_sources,
    unusable_result,
    write_atomic,
)

_log = logging.getLogger(__name__)

REPORT_NAME = "_report.json"
# Seconds between saves of the manifest during a run (and once at its end).
MANIFEST_EVERY = 0.25

# Exit codes of ``pipeline convert`` (documented in the README).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_UNWRITABLE = 0, 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class Orphan:
    """Outputs whose input is gone, and whether this run removed them."""

    source: str
    outputs: tuple[str, ...]
    removed: bool


@dataclass
class BatchReport:
    """Everything a run did: one result per input, orphans, totals."""

    output: Path
    results: list[DocumentResult] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    jobs: int = 1
    started: str = ""
    seconds: float = 0.0
    fingerprint: str = ""

    def counts(self) -> dict[str, int]:
        return {s.value: n for s in Status if (n := sum(r.status is s for r in self.results))}

    @property
    def exit_code(self) -> int:
        """0 when every document is converted (or unchanged), 1 when any failed or is partial.

        4 when an output could not be written because of the folder (full disk,
        read-only or not permitted): no document will succeed until that is fixed.
        """
        if any(p.step == WRITE_STEP for r in self.results for p in r.errors):
            return EXIT_UNWRITABLE
        bad = any(r.status in (Status.FAILED, Status.PARTIAL) for r in self.results)
        return EXIT_FAILED if bad else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "output": str(self.output),
            "options": self.fingerprint,
            "jobs": self.jobs,
            "counts": self.counts(),
            "exit_code": self.exit_code,
            "documents": [r.to_dict() for r in self.results],
            "orphans": [
                {"source": o.source, "outputs": list(o.outputs), "removed": o.removed}
                for o in self.orphans
            ],
        }

    def to_json(self) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        # a file name that is not UTF-8 stays in the JSON as a \udcXX escape
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _unchanged_result(source: Source, entry: dict[str, Any], folder: Path) -> DocumentResult:
    result = DocumentResult(source=source.path, status=Status.UNCHANGED, digest=entry["sha256"])
    result.outputs = {fmt: folder / out["path"] for fmt, out in entry["outputs"].items()}
    result.facts = entry.get("facts") or {}
    for message in result.facts.get("warnings", ()):
        step, _, text = message.partition(": ")
        result.problems.append(Problem(step, text, "warning"))
    return result


def _prune(manifest: Manifest, key: str, entry: dict[str, Any]) -> tuple[str, ...]:
    folder = manifest.path.parent
    removed = []
    for out in entry.get("outputs", {}).values():
        target = folder / out["path"]
        try:
            target.unlink()
            removed.append(out["path"])
        except FileNotFoundError:
            continue
    del manifest.entries[key]
    return tuple(removed)


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove what writes cut short by a killed run left (``.NAME.*.tmp``, see write_atomic).

    Safe under the lock: no other run is writing into ``folder``.
    """
    for path in folder.rglob(".*.tmp"):
        try:
            path.unlink()
            _log.info("removed %s, left by an interrupted run", path)
        except OSError as exc:
            _log.warning("cannot remove %s: %s", path, exc)


def run_batch(
    paths: Iterable[Path],
    opts: Options,
    *,
    jobs: int | None = None,
    force: bool = False,
    prune: bool = False,
    on_result: Callable[[DocumentResult], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
) -> BatchReport:
    """Convert what changed under ``paths`` into ``opts.output``; see the module docstring.

    ``on_plan(to_convert, total)`` is called once the unchanged documents are
    known; ``on_result`` for each document as it is finished (unchanged ones
    first).  Raises :class:`~pipeline.lock.LockedError` if another run holds
    the output folder and :class:`~pipeline.errors.PipelineError` on options
    that would fail every document.
    """
    start = time.perf_counter()
    paths = list(paths)
    jobs = jobs or default_jobs()
    check_options(opts)
    report = BatchReport(
        output=opts.output,
        jobs=jobs,
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        fingerprint=opts.fingerprint(),
    )
    with OutputLock(opts.output):
        _remove_stale_temporaries(opts.output)
        manifest = Manifest.load(opts.output)
        items = list(find_sources(paths, exclude=opts.output, follow_links=opts.follow_links))
        results: dict[int, DocumentResult] = {}
        todo: list[tuple[int, Source]] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            if isinstance(item, Unusable):
                results[index] = unusable_result(item)
                continue
            key = item.relative.as_posix()
            entry = None
            if not force:
                try:
                    digest = file_digest(item.path)
                except OSError:
                    digest = ""  # convert_file reports why it cannot be read
                entry = manifest.unchanged(key, digest, report.fingerprint, __version__)
            seen.add(key)
            if entry is not None:
                entry["source"] = str(item.path.resolve())  # the input folder may have moved
                results[index] = _unchanged_result(item, entry, opts.output)
            else:
                todo.append((index, item))
        if on_plan:
            on_plan(len(todo), len(items))
        if on_result:
            for index in sorted(results):
                on_result(results[index])

        keys = {source.path: source.relative.as_posix() for _, source in todo}
        saved = [time.monotonic()]

        def record(result: DocumentResult) -> None:
            """Into the manifest as soon as it is done, so an interrupted run keeps its work."""
            key = keys[result.source]
            if result.status is Status.OK:
                facts = result.document_facts()
                facts["warnings"] = [f"{p.step}: {p.message}" for p in result.warnings]
                manifest.record(
                    key,
                    source=result.source,
                    digest=result.digest,
                    fingerprint=report.fingerprint,
                    version=__version__,
                    outputs=result.outputs,
                    facts=facts,
                )
            else:  # converted again next time
                manifest.entries.pop(key, None)
            now = time.monotonic()
            if now - saved[0] >= MANIFEST_EVERY:  # a killed run (SIGKILL) keeps its work
                saved[0] = now
                try:
                    write_atomic(manifest.path, manifest.to_bytes())
                except OSError as exc:  # the run's end reports an unwritable folder
                    _log.warning("cannot save the manifest: %s", exc)
            if on_result:
                on_result(result)

        try:
            converted = convert_many([s for _, s in todo], opts, jobs=jobs, on_result=record)
        except BaseException:  # Ctrl-C: keep what is done for the next run
            write_atomic(manifest.path, manifest.to_bytes())
            raise
        for (index, _source), result in zip(todo, converted, strict=True):
            results[index] = result
        report.results = [results[i] for i in range(len(items))]

        for key, entry in sorted(manifest.entries.items()):
            if key in seen or Path(entry.get("source", "")).exists():
                continue
            outputs = tuple(out["path"] for out in entry.get("outputs", {}).values())
            if prune:
                outputs = _prune(manifest, key, entry)
            report.orphans.append(Orphan(entry.get("source", key), outputs, prune))

        write_atomic(manifest.path, manifest.to_bytes())
        report.seconds = time.perf_counter() - start
        write_atomic(opts.output / REPORT_NAME, report.to_json().encode("utf-8"))
    return report
