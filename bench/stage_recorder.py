"""A pytest plugin recording what every stage returns while the test suite runs.

Run by hand, once in each checkout (copy this file into the other one)::

    STAGE_RECORD=new.pickle PYTHONPATH=bench python -m pytest -q -p stage_recorder
    python3 bench/stage_recorder.py new.pickle base.pickle

Each stage of :data:`pipeline.stages.STAGES` is wrapped (in the registry and
in its module, before the tests import it); every call is keyed by a digest
of the stage's name, input Document and Options, and its output Document is
kept as a digest of its ``repr`` (blocks, fields, metadata, change log,
confidences to the last bit).  The comparison checks every input seen by
both runs (tests that draw random inputs see others in every run).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_RECORD: dict[str, tuple[str, str]] = {}
_CONFLICTS: list[str] = []


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def _wrap(name: str, stage: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def recorded(doc: Any, opts: Any) -> Any:
        out = stage(doc, opts)
        key = _digest((name, doc, opts))
        value = (name, _digest(out))
        if _RECORD.setdefault(key, value) != value:
            _CONFLICTS.append(f"{name}: two outputs for one input in one run")
        return out

    recorded.__name__ = getattr(stage, "__name__", name)
    recorded.__wrapped__ = stage  # type: ignore[attr-defined]
    return recorded


def pytest_configure(config: Any) -> None:
    stages = importlib.import_module("pipeline.stages")
    for name, stage in list(stages.STAGES.items()):
        wrapped = _wrap(name, stage)
        stages.STAGES[name] = wrapped
        module = importlib.import_module(stage.__module__)
        setattr(module, stage.__name__, wrapped)
        if getattr(stages, stage.__name__, None) is stage:
            setattr(stages, stage.__name__, wrapped)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    out = os.environ.get("STAGE_RECORD")
    if out:
        Path(out).write_bytes(pickle.dumps({"record": _RECORD, "conflicts": _CONFLICTS}))


def main() -> None:
    new, old = (pickle.loads(Path(p).read_bytes()) for p in sys.argv[1:3])
    common = new["record"].keys() & old["record"].keys()
    differ = [k for k in common if new["record"][k] != old["record"][k]]
    by_stage: dict[str, int] = {}
    for key in common:
        stage = new["record"][key][0]
        by_stage[stage] = by_stage.get(stage, 0) + 1
    print(f"stage calls with distinct inputs: {len(new['record'])} new, {len(old['record'])} old")
    print(f"inputs seen by both: {len(common)} ({by_stage})")
    print(f"different outputs: {len(differ)}")
    for key in differ[:10]:
        print(f"  {new['record'][key][0]}: {key}")
    print(f"conflicts within a run: new {len(new['conflicts'])}, old {len(old['conflicts'])}")


if __name__ == "__main__":
    main()
