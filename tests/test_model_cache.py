"""The repair model kept on disk scores exactly as the model built from the dictionaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import langmodel
from pipeline.counts import Counts

TEXTS = ["同志们：今天我们召开全市劳动模范座谈会。", "“六?!钡戎攸c工作", "保”等重点工作"]


def test_cached_model_scores_as_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    stale = tmp_path / "pipeline" / "model-1-old.marshal"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an older format")
    langmodel.scorer.cache_clear()
    try:
        built = langmodel.scorer()
        (kept,) = (tmp_path / "pipeline").glob("model-*.marshal")  # the stale one is gone
        langmodel.scorer.cache_clear()
        loaded = langmodel.scorer()
        assert loaded is not built
        assert [loaded.logprob(t) for t in TEXTS] == [built.logprob(t) for t in TEXTS]
        assert loaded.common_hanzi[:50] == built.common_hanzi[:50]
        kept.write_bytes(b"\x00broken")  # an unreadable cache is rebuilt, not trusted
        langmodel.scorer.cache_clear()
        assert [langmodel.scorer().logprob(t) for t in TEXTS] == [built.logprob(t) for t in TEXTS]
    finally:
        langmodel.scorer.cache_clear()


def test_counts_round_trip_and_refuse_a_mismatch() -> None:
    counts = Counts.of({"重点": 5, "工作": 4, "重": 2})
    again = Counts.from_bytes(*counts.to_bytes())
    assert sorted(again.items()) == sorted(counts.items())
    trie_bytes, count_bytes = counts.to_bytes()
    with pytest.raises(ValueError):
        Counts.from_bytes(trie_bytes, count_bytes[:8])


def test_byte_pair_tables_read_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.stages import mojibake

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    mojibake._pair_table.cache_clear()
    try:
        built = mojibake._pair_table("gbk")
        assert list((tmp_path / "pipeline").glob("pairs-*-gbk-*.marshal"))
        mojibake._pair_table.cache_clear()
        assert mojibake._pair_table("gbk") == built == mojibake._build_pair_table("gbk")
        assert built[bytes((0xB1, 0xA3))] == "保"
    finally:
        mojibake._pair_table.cache_clear()
