"""The ``pipeline`` command: flags in, Options built, runner called, report out.

Kept thin on purpose: everything it does is available from the library API.
Exit codes: 0 every document converted, 1 some document failed or was only
partly converted, 2 usage or configuration error, 3 another run holds the
output folder, 4 the output folder cannot take files (full, read-only).
Heavy modules (the runner, the writers) are imported inside the commands, so
``pipeline --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import OutputError, PipelineError
from .model import Document
from .options import FORMATS, SOURCES, TARGETS, Options
from .result import DocumentResult, Status
from .textutil import printable_name

if TYPE_CHECKING:
    from .batch import BatchReport

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn damaged Chinese text documents into clean DOCX and PDF handouts.",
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_UNWRITABLE = 0, 1, 2, 3, 4

_STATUS_STYLE = {
    Status.OK: "green",
    Status.PARTIAL: "yellow",
    Status.FAILED: "red",
    Status.SKIPPED: "dim",
    Status.UNCHANGED: "dim",
}

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Settings file (default: ./pipeline.toml if present)."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pipeline {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn damaged Chinese text documents into clean DOCX and PDF handouts."""


def _load_options(config: Path | None, **flags: object) -> Options:
    try:
        return Options.load(config, **flags)
    except PipelineError as exc:
        _fail(exc)


def _fail(exc: PipelineError) -> NoReturn:
    """A usage or configuration error: one plain line, no traceback, exit 2."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _table(console: Console, title: str, columns: tuple[str, ...], rows: list[list[str]]) -> None:
    """A rich table on a terminal; tab-separated lines otherwise, for logs and scripts."""
    if console.is_terminal:
        table = Table(title=title)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    console.out(f"# {title}", highlight=False)
    for row in rows:
        console.out("\t".join(row), highlight=False)


def _explain(console: Console, doc: Document) -> None:
    rows = [
        [
            c.stage,
            "" if c.block is None else f"{c.block}:{c.offset or 0}",
            repr(c.before)[1:-1],
            repr(c.after)[1:-1],
            c.reason + (f" ×{c.count}" if c.count > 1 else ""),
            f"{c.confidence:.2f}",
        ]
        for c in doc.changes
    ]
    columns = ("stage", "where", "before", "after", "why", "sure")
    _table(console, f"changes to {doc.meta.source}", columns, rows)


def _line(result: DocumentResult) -> str:
    """One plain log line per document, for cron mail and log files."""
    notes = "; ".join(f"{p.step}: {p.message}" for p in result.problems)
    if result.status in (Status.FAILED, Status.SKIPPED):
        detail = notes
    else:
        detail = ", ".join(sorted(result.outputs))
        if result.status is not Status.UNCHANGED:
            detail += f"; {result.document_facts()['changes']} changes"
        if notes:
            detail += f"; {notes}"
    return f"{result.status.value:9} {printable_name(str(result.source))}: {detail}"


def _summary(console: Console, report: BatchReport, table: bool) -> None:
    """A table of the documents on a terminal (unchanged ones counted, not listed); totals."""
    if table:
        shown = [r for r in report.results if r.status is not Status.UNCHANGED]
        if shown:
            grid = Table(title="pipeline convert")
            for column in ("document", "status", "outputs", "changes", "unfilled", "notes"):
                grid.add_column(
                    column, justify="right" if column in ("changes", "unfilled") else "left"
                )
            for r in shown:
                facts = r.document_facts()
                grid.add_row(
                    printable_name(str(r.source)),
                    f"[{_STATUS_STYLE[r.status]}]{r.status.value}[/]",
                    ", ".join(sorted(r.outputs)),
                    str(facts["changes"]) if r.outputs else "",
                    str(len(facts["unfilled_fields"])) if r.outputs else "",
                    "; ".join(f"{p.step}: {p.message}" for p in r.problems),
                )
            console.print(grid)
    for orphan in report.orphans:
        verb = "removed" if orphan.removed else "left in place (--prune removes them)"
        console.out(
            f"input gone: {orphan.source}; its outputs {', '.join(orphan.outputs)} {verb}",
            highlight=False,
        )
    counts = report.counts()
    total = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no documents found"
    console.out(f"{total} in {report.seconds:.1f} s with {report.jobs} jobs", highlight=False)


def _run(
    console: Console,
    inputs: list[Path],
    opts: Options,
    *,
    jobs: int | None,
    force: bool,
    prune: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    """Run one batch and report it; return the exit code."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from .batch import run_batch
    from .lock import LockedError

    errors = Console(stderr=True, highlight=False)
    fancy = console.is_terminal and not quiet and not as_json and not opts.explain
    progress = Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not fancy,
    )
    task = progress.add_task("converting", total=None)

    def planned(todo: int, total: int) -> None:
        progress.update(task, total=todo)

    def show(result: DocumentResult) -> None:
        if result.status is Status.UNCHANGED:
            return
        progress.advance(task)
        if as_json:
            return
        if opts.explain and result.document is not None:
            _explain(console, result.document)
        if quiet:
            if result.status in (Status.FAILED, Status.PARTIAL):
                errors.out(_line(result), highlight=False)
        elif not fancy:
            console.out(_line(result), highlight=False)

    try:
        with progress:
            report = run_batch(
                inputs, opts, jobs=jobs, force=force, prune=prune, on_result=show, on_plan=planned
            )
    except LockedError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_LOCKED
    except OutputError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_UNWRITABLE
    except OSError as exc:  # the manifest or report could not be written
        where = Path(exc.filename).parent if exc.filename else opts.output
        typer.echo(f"error: cannot write to the output folder {where} ({exc.strerror})", err=True)
        return EXIT_UNWRITABLE
    except PipelineError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
    elif not quiet:
        _summary(console, report, table=fancy)
    return report.exit_code


JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", min=1, help="Documents converted at once (default: one per processor)."
    ),
]


@app.command()
def convert(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders to convert (.txt, folders recursively).", exists=True
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the outputs (default: output)."),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"Comma-separated writers: {','.join(FORMATS)}."),
    ] = None,
    skip: Annotated[
        str | None,
        typer.Option(help="Comma-separated optional stages to leave out (repair,convert,...)."),
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print every change made to each document.")
    ] = False,
    values: Annotated[
        Path | None,
        typer.Option(
            "--values", help="Values for the fields: TOML, YAML or a filled-in fields CSV."
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail documents that still have unfilled fields.")
    ] = False,
    mark_filled: Annotated[
        bool, typer.Option("--mark-filled", help="Give filled values a subtle mark for proofing.")
    ] = False,
    to: Annotated[
        str | None, typer.Option("--to", help=f"Script of the handout: {'|'.join(TARGETS)}.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help=f"Where the text comes from: {'|'.join(SOURCES)} [auto]."),
    ] = None,
    keep: Annotated[
        str | None,
        typer.Option(help="Comma-separated words never converted (names, places)."),
    ] = None,
    keep_file: Annotated[
        Path | None, typer.Option(help="File of words never converted, one a line.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(help="Layout profile: gbt9704, handout, a [profiles.NAME] or a .toml file."),
    ] = None,
    header: Annotated[
        str | None, typer.Option(help="Header on every page, e.g. the meeting name and date.")
    ] = None,
    watermark: Annotated[
        str | None, typer.Option(help="Watermark across every page, e.g. 内部资料.")
    ] = None,
    jobs: JobsOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Convert every document, even the unchanged ones.")
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove the outputs of inputs that are gone.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only documents that failed.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's report as JSON, nothing else.")
    ] = False,
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links", help="Convert files that links lead to outside the input folder."
        ),
    ] = False,
    max_input_mb: Annotated[
        float | None, typer.Option(help="Largest input converted, in MB (default: 20).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Convert text documents into DOCX, PDF and JSON handouts under the output folder.

    Unchanged documents (same input, options and version as the last run) are
    skipped; OUTPUT/_report.json says what happened to each document.
    Exit codes: 0 all converted, 1 some failed, 2 usage error, 3 output folder locked,
    4 output folder not writable (full disk, read-only).
    """
    opts = _load_options(
        config,
        output=output,
        formats=formats,
        skip=skip,
        explain=explain or None,
        values=values,
        strict=strict or None,
        mark_filled=mark_filled or None,
        to=to,
        source=source,
        keep=keep,
        keep_file=keep_file,
        profile=profile,
        header=header,
        watermark=watermark,
        follow_links=follow_links or None,
        max_input_mb=max_input_mb,
    )
    console = Console(highlight=False)
    code = _run(
        console,
        inputs,
        opts,
        jobs=1 if opts.explain else jobs,  # the change log is printed in this process
        force=force or opts.explain,  # explaining means converting, unchanged or not
        prune=prune,
        quiet=quiet,
        as_json=as_json,
    )
    raise typer.Exit(code)


@app.command()
def watch(
    inputs: Annotated[list[Path], typer.Argument(help="Folders (or files) to watch.", exists=True)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the outputs (default: output)."),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"Comma-separated writers: {','.join(FORMATS)}."),
    ] = None,
    jobs: JobsOption = None,
    delay: Annotated[
        float, typer.Option(min=0.0, help="Seconds of quiet after a change before converting.")
    ] = 1.0,
    config: ConfigOption = None,
) -> None:
    """Convert now, then again whenever an input changes, until Ctrl-C."""
    from .watch import watch as watch_inputs

    opts = _load_options(config, output=output, formats=formats)
    console = Console(highlight=False)

    def batch() -> None:
        _run(console, inputs, opts, jobs=jobs, force=False, prune=False, quiet=False, as_json=False)

    console.out(f"watching {', '.join(map(str, inputs))}; Ctrl-C to stop", highlight=False)
    try:
        watch_inputs(inputs, opts.output, batch, delay=delay)
    except KeyboardInterrupt:
        console.out("stopped", highlight=False)


@app.command()
def bundle(
    folder: Annotated[
        Path, typer.Argument(help="Folder of handout PDFs (a convert run's output).", exists=True)
    ],
    title: Annotated[str, typer.Option("--title", "-t", help="Title on the cover page.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The packet PDF to write.")],
    order: Annotated[
        Path | None,
        typer.Option(
            "--order",
            help="File listing the handouts in order, one name a line (default: by name).",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Merge handout PDFs into one meeting packet: cover, contents, bookmarks, page numbers."""
    from .bundle import make_packet

    opts = _load_options(config)
    try:
        packet = make_packet(folder, title, output, opts, order=order)
    except PipelineError as exc:
        _fail(exc)
    typer.echo(
        f"{output}: {packet.pages} pages, {len(packet.documents)} documents "
        f"(cover, {packet.toc_pages} contents page{'s' if packet.toc_pages > 1 else ''})"
    )


@app.command()
def fields(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Text inputs (files or folders) for a fill-in sheet, or DOCX outputs to read "
            "values back from.",
            exists=True,
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    values: Annotated[
        Path | None, typer.Option("--values", help="Values to show in the sheet's value column.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """List fields: a CSV fill-in sheet for text inputs, a TOML values file for DOCX outputs."""
    from .fieldsheet import docx_values, fields_csv
    from .runner import Source, Unusable, find_sources, process_bytes, read_input, write_atomic

    docx_paths = [p for p in inputs if p.is_file() and p.suffix.lower() == ".docx"]
    if docx_paths and len(docx_paths) != len(inputs):
        _fail(PipelineError("give either text inputs or DOCX outputs, not both"))
    try:
        if docx_paths:
            data = docx_values(docx_paths).encode("utf-8")
        else:
            opts = _load_options(config, values=values)
            docs = []
            for item in find_sources(inputs, follow_links=opts.follow_links):
                if isinstance(item, Unusable):
                    typer.echo(f"skipped {item.path}: {item.reason}", err=True)
                    continue
                assert isinstance(item, Source)
                try:
                    data = read_input(item.path, opts)
                except PipelineError as exc:
                    typer.echo(f"failed {item.path}: {exc}", err=True)
                    continue
                result = process_bytes(data, str(item.relative), opts)
                if result.document is None:
                    typer.echo(f"failed {item.path}: {result.problems[0].message}", err=True)
                    continue
                docs.append(result.document)
            data = fields_csv(docs)
    except PipelineError as exc:
        _fail(exc)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(output, data)


@app.command()
def fonts(config: ConfigOption = None) -> None:
    """List each font role, the file it resolves to and where from (configured, system, bundled)."""
    from .writers.fonts import resolve_fonts

    opts = _load_options(config)
    try:
        faces = resolve_fonts(opts.fonts, opts.system_fonts)
    except PipelineError as exc:
        _fail(exc)
    rows = [[role, face.family, face.source, str(face.path)] for role, face in faces.items()]
    _table(Console(highlight=False), "font roles", ("role", "family", "source", "file"), rows)


def main() -> None:
    """Entry point of the ``pipeline`` script."""
    app()
