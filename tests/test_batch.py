"""Batch runs as cron runs them: incremental, locked, atomic, isolated, reported."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLE
from typer.testing import CliRunner

from pipeline import Options, Status
from pipeline.batch import run_batch
from pipeline.cli import app
from pipeline.lock import OutputLock
from pipeline.runner import Source, convert_many, write_atomic
from pipeline.writers import WRITERS

runner = CliRunner()


def make_inputs(folder: Path, names: tuple[str, ...] = ("a", "b", "c")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE, folder / f"{name}.txt")
    return folder


def convert(*args: str | Path) -> tuple[int, str, dict[str, object]]:
    """Run ``pipeline convert --json ARGS``; exit code, output, and the report it printed."""
    result = runner.invoke(app, ["convert", "--json", *map(str, args)])
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, result.output, report


def statuses(report: dict[str, object]) -> dict[str, str]:
    docs = report["documents"]
    assert isinstance(docs, list)
    return {Path(d["source"]).name: d["status"] for d in docs}


def test_second_run_skips_unchanged_documents(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in"), tmp_path / "out"
    code, _, first = convert(src, "-o", out, "-f", "json,txt", "-j", "1")
    assert code == 0 and set(statuses(first).values()) == {"ok"}
    before = {p: p.stat().st_mtime_ns for p in out.glob("*.json") if not p.name.startswith("_")}

    code, _, second = convert(src, "-o", out, "-f", "json,txt", "-j", "1")
    assert code == 0
    assert statuses(second) == {"a.txt": "unchanged", "b.txt": "unchanged", "c.txt": "unchanged"}
    assert second["counts"] == {"unchanged": 3}
    assert {p: p.stat().st_mtime_ns for p in before} == before, "outputs were rewritten"
    # the facts of the last conversion are reported again
    doc = second["documents"][0]  # type: ignore[index]
    assert doc["changes"] > 0 and len(doc["unfilled_fields"]) == 22

    (src / "b.txt").write_text("一、新的内容\n各位同志：\n今天开会。\n", "utf-8")
    code, _, third = convert(src, "-o", out, "-f", "json,txt", "-j", "1")
    assert statuses(third) == {"a.txt": "unchanged", "b.txt": "ok", "c.txt": "unchanged"}

    code, _, other = convert(src, "-o", out, "-f", "txt", "-j", "1")
    assert set(statuses(other).values()) == {"ok"}, "other options, other outputs"

    (out / "c.txt").unlink()
    code, _, gone = convert(src, "-o", out, "-f", "txt", "-j", "1")
    assert statuses(gone) == {"a.txt": "unchanged", "b.txt": "unchanged", "c.txt": "ok"}


def test_force_converts_again(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a",)), tmp_path / "out"
    convert(src, "-o", out, "-f", "txt")
    code, _, report = convert(src, "-o", out, "-f", "txt", "--force")
    assert code == 0 and statuses(report) == {"a.txt": "ok"}


def test_orphans_reported_then_pruned(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a", "b")), tmp_path / "out"
    convert(src, "-o", out, "-f", "txt,json")
    (src / "b.txt").unlink()
    code, _, report = convert(src, "-o", out, "-f", "txt,json")
    assert code == 0
    assert report["orphans"] == [
        {"source": str((src / "b.txt").resolve()), "outputs": ["b.txt", "b.json"], "removed": False}
    ]
    assert (out / "b.txt").is_file(), "reported, not removed, without --prune"

    code, _, report = convert(src, "-o", out, "-f", "txt,json", "--prune")
    assert code == 0 and report["orphans"][0]["removed"] is True  # type: ignore[index]
    assert not (out / "b.txt").exists() and not (out / "b.json").exists()
    assert (out / "a.txt").is_file()
    manifest = json.loads((out / "_manifest.json").read_text("utf-8"))
    assert sorted(manifest["documents"]) == ["a.txt"]
    code, _, report = convert(src, "-o", out, "-f", "txt,json")
    assert report["orphans"] == []


def test_a_locked_output_folder_exits_3_at_once(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a",)), tmp_path / "out"
    with OutputLock(out):
        start = time.perf_counter()
        result = runner.invoke(app, ["convert", str(src), "-o", str(out), "-f", "txt"])
        assert time.perf_counter() - start < 5
    assert result.exit_code == 3
    assert f"another pipeline run is using {out} (pid {os.getpid()})" in result.output
    assert not (out / "a.txt").exists()
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "-f", "txt"])
    assert result.exit_code == 0, "the lock goes with the run that held it"


def test_a_failing_writer_leaves_the_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = make_inputs(tmp_path / "in", ("a",)), tmp_path / "out"
    code, _, _ = convert(src, "-o", out, "-f", "pdf,json", "-j", "1")
    assert code == 0
    old = (out / "a.pdf").read_bytes()

    def broken(*_args: object) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(WRITERS, "pdf", (broken, ".pdf"))
    code, _, report = convert(src, "-o", out, "-f", "pdf,json", "-j", "1", "--force")
    assert code == 1
    assert statuses(report) == {"a.txt": "partial"}
    assert "pdf: writer failed: RuntimeError('disk on fire')" in report["documents"][0]["errors"]  # type: ignore[index]
    assert (out / "a.pdf").read_bytes() == old
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    code, _, report = convert(src, "-o", out, "-f", "pdf,json", "-j", "1")
    assert statuses(report) == {"a.txt": "partial"}, "a partial document is not skipped next time"


def test_write_atomic_never_leaves_half_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "handout.pdf"
    write_atomic(target, b"old")

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]


def test_a_bad_document_fails_alone_in_parallel(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a", "c", "d")), tmp_path / "out"
    shutil.copy(DATA / "bad" / "pdf_renamed.txt", src / "b.txt")
    code, _, report = convert(src, "-o", out, "-f", "txt", "-j", "2")
    assert code == 1
    assert statuses(report) == {"a.txt": "ok", "b.txt": "failed", "c.txt": "ok", "d.txt": "ok"}
    bad = report["documents"][1]  # type: ignore[index]
    assert any("this is a PDF file" in e for e in bad["errors"])
    assert sorted(p.name for p in out.glob("[a-z].txt")) == ["a.txt", "c.txt", "d.txt"]


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="the patch reaches workers by fork"
)
def test_a_dying_worker_costs_only_its_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.runner

    real = pipeline.runner.convert_file

    def crash_on_b(source: Source, opts: Options) -> object:
        if source.path.name == "b.txt":
            os._exit(9)  # as the kernel's OOM killer would
        return real(source, opts)

    monkeypatch.setattr(pipeline.runner, "convert_file", crash_on_b)
    src = make_inputs(tmp_path / "in", ("a", "b", "c", "d"))
    sources = [Source(p, Path(p.name)) for p in sorted(src.iterdir())]
    results = convert_many(sources, Options(output=tmp_path / "out", formats=("txt",)), jobs=2)
    assert [(r.source.name, r.status) for r in results] == [
        ("a.txt", Status.OK),
        ("b.txt", Status.FAILED),
        ("c.txt", Status.OK),
        ("d.txt", Status.OK),
    ]
    assert "worker process died" in results[1].problems[0].message


def test_workers_started_by_spawn(tmp_path: Path) -> None:
    src = make_inputs(tmp_path / "in", ("a", "b"))
    sources = [Source(p, Path(p.name)) for p in sorted(src.iterdir())]
    context = multiprocessing.get_context("spawn")
    original = multiprocessing.get_context
    try:
        multiprocessing.get_context = lambda method=None: context  # type: ignore[assignment]
        results = convert_many(sources, Options(output=tmp_path / "out", formats=("txt",)), jobs=2)
    finally:
        multiprocessing.get_context = original
    assert [r.status for r in results] == [Status.OK, Status.OK]
    assert (tmp_path / "out" / "b.txt").is_file()


def test_report_file_and_json_output(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a",)), tmp_path / "out"
    (src / "empty.txt").write_bytes(b"")
    code, _, printed = convert(src, "-o", out, "-f", "txt,json", "-j", "1")
    assert code == 1
    saved = json.loads((out / "_report.json").read_text("utf-8"))
    assert printed == saved
    assert saved["counts"] == {"ok": 1, "failed": 1}
    assert saved["exit_code"] == 1
    good, empty = saved["documents"]
    assert good["status"] == "ok" and empty["status"] == "failed" and empty["errors"]
    assert set(good) >= {
        "status",
        "warnings",
        "unfilled_fields",
        "repairs",
        "timings_ms",
        "outputs",
    }
    assert good["unfilled_fields"].count("市名") == 10
    assert good["repairs"]["convert"] > 0 and good["repairs"]["punctuation"] > 0
    assert good["timings_ms"]["total"] > 0
    assert {Path(p).name for p in good["outputs"].values()} == {"a.txt", "a.json"}


def test_quiet_prints_only_failures(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a",)), tmp_path / "out"
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "-f", "txt", "--quiet"])
    assert result.exit_code == 0 and result.output == ""
    shutil.copy(DATA / "bad" / "png_renamed.txt", src / "b.txt")
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "-f", "txt", "-q"])
    assert result.exit_code == 1
    assert "b.txt" in result.output and "a.txt" not in result.output


def test_plain_log_lines_and_summary_off_a_terminal(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a", "b")), tmp_path / "out"
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "-f", "txt", "-j", "2"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert sorted(line.split()[0] for line in lines[:2]) == ["ok", "ok"]
    assert lines[-1].startswith("2 ok in") and "with 2 jobs" in lines[-1]


@pytest.mark.parametrize(
    "args",
    [["-j", "0"], ["--no-such-flag"], ["--format", "odt"]],
    ids=["zero-jobs", "unknown-flag", "bad-format"],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["convert", str(SAMPLE), "-o", str(tmp_path), *args])
    assert result.exit_code == 2


def test_watch_converts_a_new_file(tmp_path: Path) -> None:
    from pipeline.watch import watch

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    opts = Options(output=out, formats=("txt",))
    stop = threading.Event()
    runs: list[dict[str, int]] = []

    def run() -> None:
        runs.append(run_batch([src], opts, jobs=1).counts())

    thread = threading.Thread(
        target=watch, args=([src], out, run), kwargs={"delay": 0.2, "stop": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not runs and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.copy(SAMPLE, src / "new.txt")
        while not (out / "new.txt").exists() and time.monotonic() < deadline + 20:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert (out / "new.txt").is_file()
    assert runs[0] == {} and runs[-1] == {"ok": 1}


def test_a_moved_input_folder_is_not_pruned(tmp_path: Path) -> None:
    src, out = make_inputs(tmp_path / "in", ("a",)), tmp_path / "out"
    convert(src, "-o", out, "-f", "txt")
    moved = src.rename(tmp_path / "moved")
    code, _, report = convert(moved, "-o", out, "-f", "txt", "--prune")
    assert code == 0 and statuses(report) == {"a.txt": "unchanged"}
    assert report["orphans"] == [] and (out / "a.txt").is_file()


def test_json_with_explain_prints_only_json(tmp_path: Path) -> None:
    code, _, report = convert(SAMPLE, "-o", tmp_path, "-f", "txt", "--explain")
    assert code == 0 and report["counts"] == {"ok": 1}


def test_lock_held_by_another_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipeline.lock import OutputLock\n"
            f"with OutputLock(Path({str(out)!r})):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", "convert", str(SAMPLE), "-o", str(out), "-f", "txt"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 3
    assert f"another pipeline run is using {out} (pid {holder.pid})" in proc.stderr


def test_watch_command_until_ctrl_c(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    args = ["watch", str(src), "-o", str(out), "-f", "txt", "--delay", "0.2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("watching")
        assert proc.stdout.readline().startswith("no documents found")
        shutil.copy(SAMPLE, src / "new.txt")
        deadline = time.monotonic() + 30
        while not (out / "new.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (out / "new.txt").is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    assert "ok" in rest and rest.rstrip().endswith("stopped")


def test_an_unusable_output_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    result = runner.invoke(app, ["convert", str(SAMPLE), "-o", str(tmp_path / "file" / "out")])
    assert result.exit_code == 2
    assert "cannot use the output folder" in result.output and "Traceback" not in result.output
