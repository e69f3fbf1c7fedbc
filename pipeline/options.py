"""One options object for a run, built from an optional ``pipeline.toml`` and CLI flags.

Precedence: built-in defaults < ``pipeline.toml`` < command-line flags.  The
object is frozen and passed explicitly to every reader, stage and writer; no
module keeps settings of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .textutil import unshowable
from .values import Values, load_values

FORMATS = ("docx", "pdf", "json", "txt")
DEFAULT_FORMATS = ("docx", "pdf", "json")
TARGETS = ("simplified", "traditional", "taiwan", "hongkong")
SOURCES = ("auto", "mainland", "traditional", "taiwan", "hongkong")
CONFIG_NAME = "pipeline.toml"


@dataclass(frozen=True)
class Options:
    """Everything that decides what a run produces.

    Attributes:
        output: folder the handouts are written to (mirrors the input tree).
        formats: which writers run, a subset of ``docx, pdf, json, txt``.
        to: the script the handout is written in (simplified, traditional,
            taiwan or hongkong: OpenCC t2s/tw2sp/hk2s, s2t, s2twp, s2hk).
        source: where the source text comes from (``auto`` detects it).
        keep: words never converted (names, places), as they appear in the source.
        keep_file: a UTF-8 file of keep words, one a line; :meth:`load` adds
            them to ``keep``.
        profile: layout profile for the DOCX and PDF writers: a built-in
            (``gbt9704``, ``handout``), a ``[profiles.NAME]`` table, or a ``.toml`` file.
        profiles: user layout profiles by name (``[profiles.NAME]`` tables).
        header: text at the top of every page (meeting name and date); overrides the profile's.
        watermark: text drawn across every page (e.g. 内部资料); overrides the profile's.
        skip: optional stages to leave out (``cleanup``, ``convert``, ... or
            ``repair`` for all text repairs).
        fonts: font role -> file, overriding installed and bundled fonts.
        system_fonts: look for installed fonts under their official names (仿宋_GB2312 …).
        explain: print the change log of each document.
        values: values for the fields (from ``--values FILE``), or None.
        strict: a document that still has unfilled fields fails.
        mark_filled: filled values get a subtle mark, for proof-reading.
        max_input_mb: an input larger than this many megabytes fails with a
            message instead of being read (a text handout is rarely over 1 MB).
        follow_links: convert files that symbolic links lead to outside the
            input folder (by default such links are skipped and reported).
    """

    output: Path = Path("output")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    to: str = "simplified"
    source: str = "auto"
    keep: tuple[str, ...] = ()
    keep_file: Path | None = None
    profile: str = "gbt9704"
    profiles: Mapping[str, Any] = field(default_factory=dict)
    header: str = ""
    watermark: str = ""
    skip: tuple[str, ...] = ()
    fonts: Mapping[str, str] = field(default_factory=dict)
    system_fonts: bool = True
    explain: bool = False
    values: Values | None = None
    strict: bool = False
    mark_filled: bool = False
    max_input_mb: float = 20.0
    follow_links: bool = False

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise ConfigError(
                f"unknown output format {', '.join(unknown) or '(none)'}; "
                f"choose from {', '.join(FORMATS)}"
            )
        if self.to not in TARGETS:
            raise ConfigError(
                f"unknown target script {self.to!r}; choose from {', '.join(TARGETS)}"
            )
        if self.source not in SOURCES:
            raise ConfigError(
                f"unknown source variant {self.source!r}; choose from {', '.join(SOURCES)}"
            )
        for name, text in (("header", self.header), ("watermark", self.watermark)):
            if hidden := unshowable(text):
                raise ConfigError(f"{name} holds an invisible control character ({hidden})")
        if not self.max_input_mb > 0:
            raise ConfigError(f"max_input_mb must be a positive number, not {self.max_input_mb}")
        if self.skip:
            self._check_skip()

    def _check_skip(self) -> None:
        from .stages import DEFAULT_PLAN, GROUPS  # here, not on top: the stages import us

        optional = (*GROUPS, *DEFAULT_PLAN)
        bad = [s for s in self.skip if s not in optional]
        if bad:
            raise ConfigError(
                f"cannot skip stage {', '.join(bad)}; optional stages are {', '.join(optional)}"
            )

    def replace(self, **changes: Any) -> Options:
        return replace(self, **changes)

    def fingerprint(self) -> str:
        """A stable hash of what shapes the outputs (not where they go)."""
        data = asdict(self)
        for key in ("output", "explain", "keep_file", "max_input_mb", "follow_links"):
            data.pop(key)
        data["fonts"] = dict(sorted(self.fonts.items()))
        data["profiles"] = dict(self.profiles)
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @classmethod
    def load(cls, config: Path | None = None, **flags: Any) -> Options:
        """Defaults, then ``config`` (or ``./pipeline.toml`` if present), then ``flags``.

        Flags whose value is ``None`` were not given and do not override.
        """
        values: dict[str, Any] = {}
        path = config if config is not None else Path(CONFIG_NAME)
        if config is not None or path.is_file():
            values.update(_coerce(_read_config(path), source=str(path)))
            if values.get("keep_file") is not None:  # relative to the settings file
                values["keep_file"] = path.parent / values["keep_file"]
        given = {k: v for k, v in flags.items() if v is not None}
        values.update(_coerce(given, source="command line"))
        if values.get("keep_file") is not None:
            values["keep"] = _words((*values.get("keep", ()), *_read_words(values["keep_file"])))
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{path if config else 'options'}: {exc}") from None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    known = {f.name for f in fields(Options)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {', '.join(unknown)}; known settings are "
            f"{', '.join(sorted(known))}"
        )
    return data


def _read_words(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the keep-word file ({exc})") from exc


def _words(values: Any) -> tuple[str, ...]:
    """Non-empty, stripped, unique words in their first order.

    >>> _words([" 乾隆 ", "", "於丹", "乾隆"])
    ('乾隆', '於丹')
    """
    return tuple(dict.fromkeys(w.strip() for w in values if w.strip()))


def _coerce(values: dict[str, Any], source: str) -> dict[str, Any]:
    """Turn TOML/CLI values into the types :class:`Options` holds, or say what is wrong."""
    out = dict(values)
    try:
        for key in ("output", "keep_file"):
            if key in out:
                out[key] = Path(out[key])
        if "keep" in out:
            keep = out["keep"]
            if isinstance(keep, str):  # a comma-separated list, ASCII or Chinese commas
                keep = re.split(r"[,，、]", keep)
            if not isinstance(keep, list | tuple) or not all(isinstance(v, str) for v in keep):
                raise TypeError("keep must be a list of words")
            out["keep"] = _words(keep)
        for key in ("formats", "skip"):
            if key in out:
                value = out[key]
                if isinstance(value, str):
                    value = [v.strip() for v in value.split(",") if v.strip()]
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise TypeError(f"{key} must be a list of names")
                out[key] = tuple(dict.fromkeys(value))
        for key, kind, shape in (
            ("fonts", str, 'a table of role = "path"'),
            ("profiles", Mapping, "tables: [profiles.NAME]"),
        ):
            if key in out:
                table = out[key]
                if not isinstance(table, Mapping) or not all(
                    isinstance(v, kind) for v in table.values()
                ):
                    raise TypeError(f"{key} must be {shape}")
                out[key] = dict(table)
        for key in ("to", "profile", "source", "header", "watermark"):
            if key in out and not isinstance(out[key], str):
                raise TypeError(f"{key} must be a string")
        size = out.get("max_input_mb", 1.0)
        if isinstance(size, bool) or not isinstance(size, int | float):
            raise TypeError("max_input_mb must be a number of megabytes")
        for key in ("explain", "strict", "mark_filled", "system_fonts", "follow_links"):
            if key in out and not isinstance(out[key], bool):
                raise TypeError(f"{key} must be true or false")
        if "values" in out and not isinstance(out["values"], Values):
            if not isinstance(out["values"], str | Path):
                raise TypeError('values must be the path of a values file ("values.toml")')
            out["values"] = load_values(Path(out["values"]))
    except TypeError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    return out
