"""What the last runs produced, kept in the output folder, so unchanged documents are skipped.

``OUTPUT/_manifest.json`` holds one entry per input, keyed by its path relative
to the folder it was found in: the SHA-256 of the input's bytes, the options'
fingerprint, the program version, and each output with its size.  A document
is unchanged when all three keys match and every output is still there with
its recorded size; then its outputs are kept and the facts recorded with them
(changes, repairs, unfilled fields) go into the report again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

MANIFEST_NAME = "_manifest.json"
FORMAT = 1


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass
class Manifest:
    """The entries of ``_manifest.json``: relative input path -> entry."""

    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The folder's manifest; empty if there is none or it cannot be read (all reconverted)."""
        path = folder / MANIFEST_NAME
        try:
            data = json.loads(path.read_bytes())
            if data.get("format") != FORMAT or not isinstance(data.get("documents"), dict):
                raise ValueError("unknown manifest format")
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            _log.warning("ignoring %s (%s): every document will be converted", path, exc)
            return cls(path)
        return cls(path, data["documents"])

    def unchanged(
        self, key: str, digest: str, fingerprint: str, version: str
    ) -> dict[str, Any] | None:
        """The entry of ``key`` if it still describes the outputs on disk, else ``None``."""
        entry = self.entries.get(key)
        if (
            entry is None
            or entry.get("sha256") != digest
            or entry.get("options") != fingerprint
            or entry.get("version") != version
        ):
            return None
        folder = self.path.parent
        for output in entry.get("outputs", {}).values():
            try:
                if (folder / output["path"]).stat().st_size != output["size"]:
                    return None
            except (OSError, KeyError, TypeError):
                return None
        return entry

    def record(
        self,
        key: str,
        *,
        source: Path,
        digest: str,
        fingerprint: str,
        version: str,
        outputs: dict[str, Path],
        facts: dict[str, Any],
    ) -> None:
        folder = self.path.parent
        self.entries[key] = {
            "source": str(source.resolve()),
            "sha256": digest,
            "options": fingerprint,
            "version": version,
            "outputs": {
                fmt: {"path": path.relative_to(folder).as_posix(), "size": path.stat().st_size}
                for fmt, path in outputs.items()
            },
            "facts": facts,
        }

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "documents": dict(sorted(self.entries.items()))}
        # One line, so json's C encoder writes it: it is saved several times a
        # second during a run, and indenting would take the pure-Python one.
        # backslashreplace: a name that is not UTF-8 is kept exactly, as a \udcXX escape
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")
