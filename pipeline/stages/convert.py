"""Convert stage: traditional characters to simplified with OpenCC.

Works with any of the three packages that install a module named ``opencc``
(``opencc-py``, the official binding, ``opencc-python-reimplemented``): all
expose ``OpenCC(config).convert``.  They differ in how they name configs
(``t2s`` or ``t2s.json``), which :func:`converter` papers over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

from ..model import Change, Document
from ..options import Options
from .base import diff_edits, rewrite_text

STAGE = "convert"

CONFIGS = {"simplified": "t2s"}


@cache
def converter(config: str) -> Callable[[str], str]:
    """The ``convert`` method of an OpenCC instance for ``config``, built once per process."""
    import opencc

    try:
        cc = opencc.OpenCC(config)
    except Exception:  # the official binding wants the file name
        cc = opencc.OpenCC(f"{config}.json")
    convert: Callable[[str], str] = cc.convert
    return convert


def convert(doc: Document, opts: Options) -> Document:
    config = CONFIGS[opts.to]
    to_target = converter(config)
    reason = f"OpenCC {config}: converted to {opts.to} characters"
    out = rewrite_text(doc, STAGE, lambda text: diff_edits(text, to_target(text), reason))
    title = out.meta.title
    if title and to_target(title) != title:  # a title found by an earlier stage
        converted = to_target(title)
        change = Change(STAGE, f"{reason} (document title)", title, converted)
        out = out.evolve(meta=replace(out.meta, title=converted), changes=[change])
    return out
