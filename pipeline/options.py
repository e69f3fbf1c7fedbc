"""One options object for a run, built from an optional ``pipeline.toml`` and CLI flags.

Precedence: built-in defaults < ``pipeline.toml`` < command-line flags.  The
object is frozen and passed explicitly to every reader, stage and writer; no
module keeps settings of its own.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

FORMATS = ("docx", "pdf", "json", "txt")
DEFAULT_FORMATS = ("docx", "pdf", "json")
TARGETS = ("simplified",)
# "repair" names the group cleanup + unwrap + punctuation (see stages.GROUPS).
OPTIONAL_STAGES = ("repair", "cleanup", "unwrap", "punctuation", "convert", "fields", "structure")
CONFIG_NAME = "pipeline.toml"


@dataclass(frozen=True)
class Options:
    """Everything that decides what a run produces.

    Attributes:
        output: folder the handouts are written to (mirrors the input tree).
        formats: which writers run, a subset of ``docx, pdf, json, txt``.
        to: the script the handout is written in.
        profile: layout profile for the DOCX and PDF writers.
        skip: optional stages to leave out (``cleanup``, ``convert``, ... or
            ``repair`` for all text repairs).
        fonts: font role -> file, overriding the bundled fonts.
        explain: print the change log of each document.
    """

    output: Path = Path("output")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    to: str = "simplified"
    profile: str = "gbt9704"
    skip: tuple[str, ...] = ()
    fonts: Mapping[str, str] = field(default_factory=dict)
    explain: bool = False

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
        bad = [s for s in self.skip if s not in OPTIONAL_STAGES]
        if bad:
            raise ConfigError(
                f"cannot skip stage {', '.join(bad)}; optional stages are "
                f"{', '.join(OPTIONAL_STAGES)}"
            )

    def replace(self, **changes: Any) -> Options:
        return replace(self, **changes)

    def fingerprint(self) -> str:
        """A stable hash of what shapes the outputs (not where they go)."""
        data = asdict(self)
        for key in ("output", "explain"):
            data.pop(key)
        data["fonts"] = dict(sorted(self.fonts.items()))
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
        given = {k: v for k, v in flags.items() if v is not None}
        values.update(_coerce(given, source="command line"))
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


def _coerce(values: dict[str, Any], source: str) -> dict[str, Any]:
    """Turn TOML/CLI values into the types :class:`Options` holds, or say what is wrong."""
    out = dict(values)
    try:
        if "output" in out:
            out["output"] = Path(out["output"])
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
        if "fonts" in out:
            fonts = out["fonts"]
            if not isinstance(fonts, Mapping) or not all(
                isinstance(v, str) for v in fonts.values()
            ):
                raise TypeError('fonts must be a table of role = "path"')
            out["fonts"] = dict(fonts)
        for key in ("to", "profile"):
            if key in out and not isinstance(out[key], str):
                raise TypeError(f"{key} must be a string")
        if "explain" in out and not isinstance(out["explain"], bool):
            raise TypeError("explain must be true or false")
    except TypeError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    return out
