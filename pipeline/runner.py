"""Run the pipeline on files: the only module of the core that does I/O.

``convert_bytes`` is the pure heart (bytes -> Document, writer outputs);
``convert_file`` adds reading and atomic writing; ``convert_many`` converts a
list of files in worker processes; ``convert_all`` walks the inputs.  Nothing
here raises for a bad document: every problem ends up in that document's
:class:`~pipeline.result.DocumentResult`, so one bad file never costs another
its output, not even a worker process that dies.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path

from .errors import ConfigError, InputError, PipelineError
from .model import Document
from .options import Options
from .readers import READERS
from .result import DocumentResult, Problem, Status, strict_problem
from .stages import plan
from .textutil import printable_name
from .writers import WRITERS
from .writers.fonts import resolve_fonts
from .writers.layout import get_profile

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Source:
    """An input file and its path relative to the folder it was found in."""

    path: Path
    relative: Path


@dataclass(frozen=True, slots=True)
class Unusable:
    """A path given or found that will not be converted, and why."""

    path: Path
    reason: str


def find_sources(
    paths: Iterable[Path], exclude: Path | None = None, follow_links: bool = False
) -> Iterator[Source | Unusable]:
    """Input files under ``paths`` (``.txt`` recursively in folders), in name order.

    Yields :class:`Unusable` for a missing path, or a symbolic link that
    leads out of the folder being converted (followed only with ``follow_links``).
    """
    excluded = exclude.resolve() if exclude else None
    for root in paths:
        if root.is_file():
            yield Source(root, Path(root.name))
            continue
        if not root.is_dir():
            yield Unusable(root, "no such file or folder")
            continue
        base = root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".") and (excluded is None or (here / d).resolve() != excluded)
            )
            for name in sorted(filenames):
                path = here / name
                if path.suffix.lower() not in READERS or name.startswith("."):
                    continue
                outside = path.is_symlink() and not path.resolve().is_relative_to(base)
                if outside and not follow_links:
                    yield Unusable(
                        path, f"a link to a file outside {root}, not followed (see follow_links)"
                    )
                    continue
                yield Source(path, path.relative_to(root))


def process_bytes(data: bytes, source: str, opts: Options) -> DocumentResult:
    """Decode and run the stages, no writers; the document is ``result.document``."""
    result = DocumentResult(source=Path(source))
    reader = READERS.get(Path(source).suffix.lower(), READERS[".txt"])
    start = time.perf_counter()
    try:
        doc = reader(data, source)
    except PipelineError as exc:
        result.status = Status.FAILED
        result.problems.append(Problem("decode", str(exc)))
        return result
    result.timings["decode"] = time.perf_counter() - start

    for name, stage in plan(opts):
        start = time.perf_counter()
        try:
            doc = stage(doc, opts)
        except ConfigError:
            raise  # the user's values or settings are wrong: a usage error for the whole run
        except Exception as exc:  # a bug in one stage must not lose the document
            _log.exception("stage %s failed on %s", name, source)
            result.problems.append(Problem(name, f"stage failed, skipped: {exc!r}"))
        result.timings[name] = time.perf_counter() - start
    result.problems.extend(Problem("document", w, "warning") for w in doc.meta.warnings)
    result.document = doc
    return result


def convert_bytes(
    data: bytes, source: str, opts: Options
) -> tuple[Document | None, dict[str, bytes], DocumentResult]:
    """Decode, run the stages, render: everything but touching the file system."""
    result = process_bytes(data, source, opts)
    doc = result.document
    if doc is None:
        return None, {}, result
    if opts.strict and (problem := strict_problem(doc)):
        result.status = Status.FAILED
        result.problems.append(problem)
        return doc, {}, result

    rendered: dict[str, bytes] = {}
    for fmt in opts.formats:
        writer, _suffix = WRITERS[fmt]
        start = time.perf_counter()
        try:
            rendered[fmt] = writer(doc, opts)
        except PipelineError as exc:
            result.problems.append(Problem(fmt, str(exc)))
        except Exception as exc:
            _log.exception("writer %s failed on %s", fmt, source)
            result.problems.append(Problem(fmt, f"writer failed: {exc!r}"))
        result.timings[fmt] = time.perf_counter() - start
    if "pdf" in rendered:
        from .writers.glyphs import glyph_plan

        notes = glyph_plan(doc, opts).warnings()
        result.problems.extend(Problem("pdf", note, "warning") for note in notes)
    if not rendered:
        result.status = Status.FAILED
    elif result.errors:
        result.status = Status.PARTIAL
    return doc, rendered, result


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Errors that say the output folder as a whole cannot take files: the run
# exits with EXIT_UNWRITABLE (4) rather than 1.
UNWRITABLE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT})
WRITE_STEP = "write"


def output_path(output: Path, relative: Path, suffix: str) -> Path:
    """Where the output of ``relative`` goes; never outside ``output``.

    >>> output_path(Path("out"), Path("a/b.txt"), ".pdf").as_posix()
    'out/a/b.pdf'
    >>> output_path(Path("out"), Path("../../evil.txt"), ".pdf")
    Traceback (most recent call last):
    ...
    pipeline.errors.InputError: the output for ../../evil.txt would land outside out
    """
    target = output / relative.with_suffix(suffix)
    if relative.is_absolute() or not target.resolve().is_relative_to(output.resolve()):
        raise InputError(f"the output for {relative} would land outside {output}")
    return target


def read_input(path: Path, opts: Options) -> bytes:
    """The bytes of an input file, or :class:`InputError` saying why not."""
    try:
        size = path.stat().st_size
        if size > opts.max_input_mb * 1_000_000:
            raise InputError(
                f"too large: {size / 1_000_000:.1f} MB, limit {opts.max_input_mb:g} MB; "
                "set max_input_mb to convert it"
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})") from exc


def convert_file(source: Source, opts: Options) -> DocumentResult:
    """Convert one input file and write its outputs under ``opts.output``."""
    start = time.perf_counter()
    try:
        data = read_input(source.path, opts)
    except InputError as exc:
        result = DocumentResult(source=source.path, status=Status.FAILED)
        result.problems.append(Problem("read", str(exc)))
        return result
    _doc, rendered, result = convert_bytes(data, printable_name(str(source.relative)), opts)
    result.source = source.path
    result.digest = hashlib.sha256(data).hexdigest()
    for fmt, blob in rendered.items():
        try:
            target = output_path(opts.output, source.relative, WRITERS[fmt][1])
        except InputError as exc:
            result.problems.append(Problem(WRITE_STEP, str(exc)))
            continue
        try:
            write_atomic(target, blob)
        except OSError as exc:
            step = WRITE_STEP if exc.errno in UNWRITABLE_ERRNOS else fmt
            message = f"cannot write {target} in {target.parent} ({exc.strerror})"
            result.problems.append(Problem(step, message))
            continue
        result.outputs[fmt] = target
    if rendered and not result.outputs:
        result.status = Status.FAILED
    elif result.errors and result.status is Status.OK:
        result.status = Status.PARTIAL
    result.timings["total"] = time.perf_counter() - start
    return result


def check_options(opts: Options) -> None:
    """Fail fast, before any document, on options that would fail every document."""
    get_profile(opts.profile, opts.profiles)
    if {"docx", "pdf"} & set(opts.formats):
        resolve_fonts(opts.fonts, opts.system_fonts)


def warm_up(opts: Options) -> None:
    """Pay once per process what every document would otherwise pay: imports, fonts, templates.

    Runs as the initialiser of each worker process (an in-process run simply
    pays on its first document).  A failure here is left for the documents to
    report, each with its own message.
    """
    try:
        check_options(opts)
        # One plain paragraph: the body font, the DOCX template, the OpenCC
        # dictionaries; fonts for headings load when a document has them.
        convert_bytes("今天的會議到此結束。".encode(), "warm-up.txt", opts)
    except Exception:  # the documents will meet the same problem and say so
        _log.debug("warm-up failed", exc_info=True)


def _start_worker(opts: Options, warm: bool) -> None:
    """A worker ignores Ctrl-C (the parent stops the run) and warms up once,
    unless it was forked from a parent that already had (``warm``).

    What the warm-up loaded (fonts, dictionaries, templates) lives as long as
    the worker: frozen, the garbage collector stops walking it again and again.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not warm:
        warm_up(opts)
    gc.freeze()


def _warm_up_parent(opts: Options, context: BaseContext) -> bool:
    """Before forking workers: load once here what each worker would load for itself.

    Forked workers share the parent's pages, so the fonts, templates and the
    repair model (which a batch of copied documents nearly always needs) are
    read once, not once per worker, and every worker starts warm.  Under
    ``spawn`` nothing is shared, so the workers warm up alone.  Returns
    whether it warmed up, and so froze the collector (to be thawed when the
    pool is done) and spared the workers their own warm-up.
    """
    if context.get_start_method() != "fork":
        return False
    warm_up(opts)
    if any(name == "mojibake" for name, _stage in plan(opts)):
        from .langmodel import scorer

        scorer()
    gc.freeze()  # the collector must not touch (and so copy) the shared objects
    return True


def _convert_in_worker(source: Source, opts: Options) -> DocumentResult:
    """A worker's job: the document itself stays in the worker, its facts travel back."""
    return convert_file(source, opts).detach()


def default_jobs() -> int:
    """As many workers as the machine has processors."""
    return os.cpu_count() or 1


def convert_many(
    sources: Sequence[Source],
    opts: Options,
    jobs: int = 1,
    on_result: Callable[[DocumentResult], None] | None = None,
    keep_documents: bool = False,
) -> list[DocumentResult]:
    """Convert ``sources``; one result each, in the order of ``sources``.

    ``jobs`` > 1 converts in that many worker processes (started with the
    platform's default method; the code is safe under ``spawn``), each warmed
    up once; ``on_result`` sees results as they complete.  ``jobs`` = 1 (or a
    single document) converts in this process, without a pool, and
    ``on_result`` sees each document itself.  The results keep their documents
    only with ``keep_documents``.
    """
    results: list[DocumentResult | None] = [None] * len(sources)
    if jobs <= 1 or len(sources) <= 1:
        for index, source in enumerate(sources):
            result = convert_file(source, opts)
            if on_result:
                on_result(result)
            if not keep_documents:  # facts kept, memory flat in the number of documents
                result.detach()
            results[index] = result
        return [r for r in results if r is not None]

    work = convert_file if keep_documents else _convert_in_worker

    def deliver(index: int, result: DocumentResult) -> None:
        results[index] = result
        if on_result:
            on_result(result)

    left = _run_pool(sources, list(range(len(sources))), opts, jobs, work, deliver)
    while left:
        # A worker process died (killed, out of memory, a crash in C code) and
        # took the pool down.  Go on one document at a time, so the document
        # that kills its worker is found and fails alone.
        left = _run_pool(sources, left, opts, 1, work, deliver)
        if left:
            culprit, left = left[0], left[1:]
            result = DocumentResult(source=sources[culprit].path, status=Status.FAILED)
            result.problems.append(Problem("worker", "the worker process died on this document"))
            _log.error("a worker process died converting %s", sources[culprit].path)
            deliver(culprit, result)
    return [r for r in results if r is not None]


def _run_pool(
    sources: Sequence[Source],
    indices: list[int],
    opts: Options,
    jobs: int,
    work: Callable[[Source, Options], DocumentResult],
    deliver: Callable[[int, DocumentResult], None],
) -> list[int]:
    """Convert ``sources[i]`` for ``i`` in ``indices`` in a pool; return those left if it broke.

    With one worker the documents run in the order given, so the first one
    left is the one whose worker died.
    """
    broken = False
    context = multiprocessing.get_context()
    warm = _warm_up_parent(opts, context)
    with ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(indices))),
        mp_context=context,
        initializer=_start_worker,
        initargs=(opts, warm),
    ) as pool:
        pending: dict[Future[DocumentResult], int] = {
            pool.submit(work, sources[i], opts): i for i in indices
        }
        done: set[int] = set()
        try:
            for future in as_completed(pending):
                index = pending[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:  # the result could not travel back: this document only
                    result = DocumentResult(source=sources[index].path, status=Status.FAILED)
                    result.problems.append(Problem("worker", f"the worker failed: {exc!r}"))
                done.add(index)
                deliver(index, result)
        except BaseException:  # Ctrl-C, or the caller's own error: finish the documents
            pool.shutdown(wait=True, cancel_futures=True)  # being written, start no more
            raise
        finally:
            if warm:
                gc.unfreeze()
    return [i for i in indices if i not in done] if broken else []


def unusable_result(item: Unusable) -> DocumentResult:
    """The report entry of an input that is not converted."""
    result = DocumentResult(source=item.path, status=Status.SKIPPED)
    result.problems.append(Problem("input", item.reason, "warning"))
    return result


def convert_all(
    paths: Iterable[Path],
    opts: Options,
    on_result: Callable[[DocumentResult], None] | None = None,
    jobs: int = 1,
) -> list[DocumentResult]:
    """Convert every input under ``paths``; one result per file, in name order.

    The library's plain entry point: no manifest, no lock, no report file
    (:func:`pipeline.batch.run_batch` adds those).  With ``jobs`` = 1 the
    results keep their documents.
    """
    check_options(opts)
    items = list(find_sources(paths, exclude=opts.output, follow_links=opts.follow_links))
    sources = [item for item in items if isinstance(item, Source)]
    converted = iter(
        convert_many(sources, opts, jobs=jobs, on_result=on_result, keep_documents=jobs <= 1)
    )
    results: list[DocumentResult] = []
    for item in items:
        if isinstance(item, Unusable):
            result = unusable_result(item)
            if on_result:
                on_result(result)
            results.append(result)
        else:
            results.append(next(converted))
    return results
