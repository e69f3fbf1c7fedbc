"""Conservation: every character of the input is in the output or in the change log.

Property-based (hypothesis) over Chinese text from the sample with random
damage, plus a seeded fuzz of decoding and repair with a fixed budget.  The
counts run are printed (``pytest -s``) for the robustness report.
"""

from __future__ import annotations

import random
import time

import pytest
from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import Options
from pipeline.conservation import account
from pipeline.errors import InputError
from pipeline.model import Change, Document
from pipeline.readers.text import decode
from pipeline.runner import convert_bytes, process_bytes

OPTS = Options(formats=("json",))
SENTENCES = [
    s + "。" for line in SAMPLE.read_text("utf-8").splitlines() for s in line.split("。") if s
]
# What copying from the web puts into text, and what attackers do.
NOISE = [
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\x0c",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufffd",
    "\ufffe",
    "<para>",
    "</font>",
    "&amp;",
    "&",
    "<",
    "]]>",
    "*",
    "**",
    "XX",
    "×××",
    "(huì)",
    " ",
    "\u3000",
    "\t",
    "\r\n",
    "\n",
    "\n\n",
    ",",
    ":",
    "!",
    "?",
    "??",
    "W",
    "~",
    "_",
    "@",
    "(",
    ")",
    '"',
    "...",
    "1.",
    "一、",
    "（一）",
    "😀",
    "𠀀",
    "ᚠ",
    "鎴戜滑",
    "ä¸­æ–‡",
    "本文来源于网络",
    "第1页",
    "www.example.com",
]


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as GBK, the commonest damage."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def _chunk_split(text: str, codec: str, drop: bool) -> str:
    """``text``'s bytes in ``codec`` decoded from its second byte on: a chunk split
    inside its first character (the lost byte shown as ``?`` or dropped)."""
    data = text.encode(codec, errors="replace")
    shifted = data[1:].decode(codec, errors="replace").replace("\ufffd", "?")
    return ("" if drop else "?") + shifted


@st.composite
def damaged_documents(draw: st.DrawFn) -> str:
    start = draw(st.integers(0, len(SENTENCES) - 1))
    count = draw(st.integers(1, 12))
    parts = SENTENCES[start : start + count] or SENTENCES[:1]
    text = "\n".join(parts) if draw(st.booleans()) else "".join(parts)
    for _ in range(draw(st.integers(0, 12))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(
            st.sampled_from(["noise", "delete", "wrap", "mojibake", "random", "fold", "split"])
        )
        if kind == "noise":
            text = text[:pos] + draw(st.sampled_from(NOISE)) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 5)) :]
        elif kind == "wrap":
            text = text[:pos] + "\n" + text[pos:]
        elif kind == "mojibake":
            end = pos + draw(st.integers(1, 12))
            text = text[:pos] + _mojibake(text[pos:end]) + text[end:]
        elif kind == "split":
            end = pos + draw(st.integers(2, 20))
            codec, drop = draw(st.sampled_from(["gbk", "big5"])), draw(st.booleans())
            text = text[:pos] + _chunk_split(text[pos:end], codec, drop) + text[end:]
        elif kind == "fold":
            text = text.replace("，", ",").replace("：", ":")
        else:
            text = text[:pos] + draw(st.text(max_size=4)) + text[pos:]
    return text


def _check(data: bytes, source: str = "fuzz.txt") -> Document | None:
    """Run decode and every stage; no stage may fail, every character accounted for."""
    result = process_bytes(data, source, OPTS)
    crashed = [p for p in result.problems if "stage failed" in p.message]
    assert not crashed, crashed
    if result.document is None:
        assert result.problems and result.problems[0].step == "decode"
        return None
    accounting = account(decode(data).text, result.document)
    assert accounting, accounting.describe()
    return result.document


COUNTS = {"hypothesis": 0, "fuzz": 0, "fuzz_failed_clearly": 0}


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damaged_documents(), st.sampled_from(["utf-8", "gb18030", "big5", "utf-16"]))
def test_no_stage_raises_and_nothing_is_lost(text: str, encoding: str) -> None:
    COUNTS["hypothesis"] += 1
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _check(data)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(damaged_documents())
def test_every_writer_renders_damaged_text(text: str) -> None:
    opts = Options(formats=("docx", "pdf", "json", "txt"))
    _doc, rendered, result = convert_bytes(text.encode("utf-8"), "w.txt", opts)
    if result.document is None:
        return
    assert set(rendered) == {"docx", "pdf", "json", "txt"}, result.problems
    assert not result.errors, result.errors


FUZZ_BUDGET = 2000


def test_fuzz_decoding_and_repair() -> None:
    """A fixed budget of random byte strings and damaged texts, seeded: no crash, no loss."""
    rng = random.Random(8)
    sample = SAMPLE.read_bytes()
    start = time.perf_counter()
    for n in range(FUZZ_BUDGET):
        mode = n % 4
        if mode == 0:  # random bytes
            data = rng.randbytes(rng.randint(0, 300))
        elif mode == 1:  # a slice of the sample with bytes flipped, inserted, deleted
            cut = rng.randint(0, len(sample) - 400)
            chunk = bytearray(sample[cut : cut + rng.randint(1, 400)])
            for _ in range(rng.randint(1, 8)):
                i = rng.randint(0, len(chunk))
                op = rng.random()
                if op < 0.4 and i < len(chunk):
                    chunk[i] = rng.randint(0, 255)
                elif op < 0.7:
                    chunk[i:i] = rng.randbytes(rng.randint(1, 3))
                else:
                    del chunk[i : i + rng.randint(1, 3)]
            data = bytes(chunk)
        elif mode == 2:  # the sample re-encoded, truncated anywhere
            text = sample.decode("utf-8")[rng.randint(0, 2000) :][: rng.randint(1, 600)]
            encoding = rng.choice(["gb18030", "big5", "utf-16-le", "utf-8-sig"])
            data = text.encode(encoding, errors="replace")[: rng.randint(1, 1500)]
        else:  # random code points, mostly CJK
            chars = [
                chr(rng.choice([rng.randint(0x4E00, 0x9FFF), rng.randint(0, 0x2FFFF)]))
                for _ in range(rng.randint(1, 200))
            ]
            data = "".join(c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF).encode()
        try:
            decode(data)
        except InputError:
            COUNTS["fuzz_failed_clearly"] += 1
        _check(data, f"fuzz{n}.txt")
        COUNTS["fuzz"] += 1
    seconds = time.perf_counter() - start
    print(f"\nfuzz: {COUNTS['fuzz']} inputs in {seconds:.1f} s, ", end="")
    print(f"{COUNTS['fuzz_failed_clearly']} refused with a clear message")
    assert COUNTS["fuzz"] == FUZZ_BUDGET


def test_the_checker_catches_a_silent_loss() -> None:
    """The property can fail: a document that lost a character without a change does."""
    doc = process_bytes("会议开始。".encode(), "a.txt", OPTS).document
    assert doc is not None and account("会议开始。", doc)
    assert not account("会议开始了。", doc)
    logged = doc.evolve(changes=[Change("test", "dropped", before="了")])
    assert account("会议开始了。", logged)


@pytest.mark.parametrize("name", ["control_chars", "bidi_zero_width", "mixed_encodings"])
def test_bad_files_conserve_their_characters(name: str) -> None:
    from conftest import DATA

    _check((DATA / "bad" / f"{name}.txt").read_bytes(), f"{name}.txt")
