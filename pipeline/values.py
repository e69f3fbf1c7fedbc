"""Values for fields: read from a TOML or YAML file, checked against each field's type.

A values file has shared values (by group or label, for every document) and
per-document ones (by field id, group or label)::

    [shared]
    "市名" = "泉州"    # TOML wants Chinese keys in quotes

    [documents."000_9798310e6816be3e"]
    f2 = 8.5          # a field id
    "名次" = 3         # or a label / group of that document

An empty string leaves a field unfilled.  Reading is I/O and happens when the
options are built; :func:`check_value` is pure and used by the fill stage.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ConfigError
from .textutil import unshowable


class ValuesError(ConfigError):
    """A values file is unreadable, malformed, or gives a field a value of the wrong type."""


@dataclass(frozen=True)
class Values:
    """Shared values and per-document values, as strings, and the file they came from."""

    source: str = "values"
    shared: Mapping[str, str] = field(default_factory=dict)
    documents: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def for_document(self, source: str) -> tuple[str, Mapping[str, str]]:
        """The name the file uses for document ``source`` and its own values.

        A document may be named by its path relative to the input folder, with
        or without the suffix, or by its file name stem.

        >>> Values(documents={"a/speech": {"f1": "x"}}).for_document("a/speech.txt")
        ('a/speech', {'f1': 'x'})
        """
        path = PurePosixPath(source.replace("\\", "/"))
        for name in (str(path), str(path.with_suffix("")), path.stem, path.name):
            if name in self.documents:
                return name, self.documents[name]
        return str(path.with_suffix("")), {}


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValuesError(f"{where}: a value must be text or a number, not {value!r}")
    text = value if isinstance(value, str) else str(value)
    if bad := unshowable(text):
        raise ValuesError(f"{where}: the value holds an invisible control character ({bad})")
    return text


def _table(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise ValuesError(f"{where}: must be a table of name = value")
    return {str(k): _scalar(v, f"{where}: {k}") for k, v in data.items()}


def parse_values(data: Any, source: str) -> Values:
    """Build :class:`Values` from a parsed TOML/YAML mapping, or say what is wrong."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValuesError(f"{source}: expected tables [shared] and [documents.NAME]")
    unknown = sorted(set(data) - {"shared", "documents"})
    if unknown:
        raise ValuesError(
            f"{source}: unknown section {', '.join(map(str, unknown))}; "
            'use [shared] and [documents."NAME"]'
        )
    documents = data.get("documents") or {}
    if not isinstance(documents, Mapping):
        raise ValuesError(f"{source}: documents must hold one table per document")
    return Values(
        source=source,
        shared=_table(data.get("shared") or {}, f"{source}: [shared]"),
        documents={
            str(name): _table(table, f'{source}: [documents."{name}"]')
            for name, table in documents.items()
        },
    )


def parse_values_csv(text: str, source: str) -> Values:
    """A filled-in sheet as :class:`Values` (rows with an empty value are skipped)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"document", "field", "value"} - set(reader.fieldnames or ())
    if missing:
        raise ValuesError(f"{source}: the sheet has no column {', '.join(sorted(missing))}")
    documents: dict[str, dict[str, str]] = {}
    for row in reader:
        value = (row.get("value") or "").strip()
        if bad := unshowable(value):
            where = f"{source}: {row['document']}: {row['field']}"
            raise ValuesError(f"{where}: the value holds an invisible control character ({bad})")
        if value:
            documents.setdefault(row["document"], {})[row["field"]] = value
    return Values(source=source, documents=documents)


def load_values(path: Path) -> Values:
    """Read a values file: ``.toml``, ``.yaml``/``.yml`` (PyYAML), or a filled-in ``.csv`` sheet."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ValuesError(f"{path}: cannot read the values file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ValuesError(f"{path}: a values file must be UTF-8 ({exc.reason})") from exc
    if path.suffix.lower() == ".csv":
        return parse_values_csv(text, str(path))
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ValuesError(
                f"{path}: reading YAML needs PyYAML (pip install PyYAML); "
                "or write the values as TOML"
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValuesError(f"{path}: not valid YAML: {exc}") from exc
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValuesError(f"{path}: not valid TOML: {exc}") from exc
    return parse_values(data, str(path))


_DECIMAL = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_WHOLE = re.compile(r"\d+|[零〇一二三四五六七八九十百千万两]+")
_YEAR = re.compile(r"\d{4}|[〇零一二三四五六七八九]{4}")
_DAY = re.compile(r"\d{1,2}(?:[-－~～]\d{1,2})?|[一二三四五六七八九十]{1,3}")

# kind -> (check, what the value must be)
_CHECKS: dict[str, tuple[re.Pattern[str], str]] = {
    "percent": (_DECIMAL, "a number (the % sign is already in the text)"),
    "number": (_DECIMAL, "a number"),
    "amount": (_DECIMAL, "a number (the unit is already in the text)"),
    "count": (_WHOLE, "a whole number (digits or Chinese numerals)"),
    "ordinal": (_WHOLE, "a whole number (digits or Chinese numerals)"),
    "sitting": (_WHOLE, "a whole number (digits or Chinese numerals)"),
    "year": (_YEAR, "a four-digit year"),
    "date": (_DAY, "a month or day number"),
}


def check_value(kind: str, value: str) -> str:
    """The value as it will be printed, or ``ValueError`` saying what it must be.

    >>> check_value("percent", "8.5%")
    '8.5'
    >>> check_value("count", "十二")
    '十二'
    >>> check_value("percent", "many")
    Traceback (most recent call last):
    ValueError: must be a number (the % sign is already in the text)
    """
    value = value.strip()
    if kind == "percent":
        value = value.rstrip("%％").strip()
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    check = _CHECKS.get(kind)
    if check and not check[0].fullmatch(value):
        raise ValueError(f"must be {check[1]}")
    return value
