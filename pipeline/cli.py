"""The ``pipeline`` command: flags in, Options built, runner called, report out.

Kept thin on purpose: everything it does is available from the library API.
Exit codes: 0 every document converted, 1 some document failed or was only
partly converted, 2 usage or configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import PipelineError
from .model import Document
from .options import FORMATS, SOURCES, TARGETS, Options
from .result import DocumentResult, Status

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn damaged Chinese text documents into clean DOCX and PDF handouts.",
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_STATUS_STYLE = {
    Status.OK: "green",
    Status.PARTIAL: "yellow",
    Status.FAILED: "red",
    Status.SKIPPED: "dim",
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


def _report(console: Console, results: list[DocumentResult]) -> None:
    """A table on a terminal; one plain line per document otherwise (cron, logs)."""
    rows = [
        (
            str(r.source),
            r.status,
            ", ".join(sorted(r.outputs)),
            str(len(r.document.changes)) if r.document else "",
            "; ".join(f"{p.step}: {p.message}" for p in r.problems),
        )
        for r in results
    ]
    if console.is_terminal:
        table = Table(title="pipeline convert")
        for column in ("document", "status", "outputs", "changes", "notes"):
            table.add_column(column, justify="right" if column == "changes" else "left")
        for source, status, outputs, changes, notes in rows:
            table.add_row(
                source, f"[{_STATUS_STYLE[status]}]{status.value}[/]", outputs, changes, notes
            )
        console.print(table)
    else:
        for source, status, outputs, changes, notes in rows:
            detail = (
                notes
                if status in (Status.FAILED, Status.SKIPPED)
                else f"{outputs}; {changes} changes"
            )
            if notes and status not in (Status.FAILED, Status.SKIPPED):
                detail += f"; {notes}"
            console.out(f"{status.value:8} {source}: {detail}", highlight=False)
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    console.out(
        ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no documents found",
        highlight=False,
    )


@app.command()
def convert(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders to convert (.txt, folders recursively).", exists=True
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the outputs [output].")
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
    config: ConfigOption = None,
) -> None:
    """Convert text documents into DOCX, PDF and JSON handouts under the output folder."""
    from .runner import convert_all

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
    )
    console = Console(highlight=False)

    def show(result: DocumentResult) -> None:
        if opts.explain and result.document is not None:
            _explain(console, result.document)

    try:
        results = convert_all(inputs, opts, on_result=show)
    except PipelineError as exc:
        _fail(exc)
    _report(console, results)
    bad = any(r.status in (Status.FAILED, Status.PARTIAL) for r in results)
    raise typer.Exit(EXIT_FAILED if bad else EXIT_OK)


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
    from .runner import Source, Unusable, find_sources, process_bytes, write_atomic

    docx_paths = [p for p in inputs if p.is_file() and p.suffix.lower() == ".docx"]
    if docx_paths and len(docx_paths) != len(inputs):
        _fail(PipelineError("give either text inputs or DOCX outputs, not both"))
    try:
        if docx_paths:
            data = docx_values(docx_paths).encode("utf-8")
        else:
            opts = _load_options(config, values=values)
            docs = []
            for item in find_sources(inputs):
                if isinstance(item, Unusable):
                    typer.echo(f"skipped {item.path}: {item.reason}", err=True)
                    continue
                assert isinstance(item, Source)
                result = process_bytes(item.path.read_bytes(), str(item.relative), opts)
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
