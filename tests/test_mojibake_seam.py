"""The check for damage over a line break stops at the first repair that spans it:
the same answer as looking at all of find_repairs' repairs."""

from __future__ import annotations

from conftest import load_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import Block
from pipeline.langmodel import ChineseScorer, scorer
from pipeline.stages import mojibake

INPUTS = [case.values[0]["input"] for case in load_cases("mojibake")]
SENTENCE_ENDS = "。！？；：…”"


def _model() -> ChineseScorer:
    return scorer()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.sampled_from(INPUTS),
    second=st.sampled_from(INPUTS),
    cut=st.integers(1, 60),
    joiner=st.sampled_from(["", "的?", "地??"]),
)
def test_wrapped_across_is_any_repair_over_the_seam(
    first: str, second: str, cut: int, joiner: str
) -> None:
    text = first + joiner + second  # more than one damaged spot near the seam
    seam = min(cut, len(text) - 1)
    head, tail = Block.of_text(text[:seam]), Block.of_text(text[seam:])
    near = text[max(0, seam - mojibake._MAX_RUN) : seam + mojibake._MAX_RUN]
    plain = (
        head.text[-1] not in SENTENCE_ENDS
        and any(ch in near for ch in "?\ufffd")  # what _wrapped_across looks at first
        and any(
            r.start < seam < r.end
            # lost at the line start, and not told by its own line
            or (r.start == seam and r.guessed and not mojibake._sure_alone(text[seam:], _model))
            for r in mojibake.find_repairs(text, _model, across=seam)
        )
    )
    assert mojibake._wrapped_across(head, tail, _model) == plain
