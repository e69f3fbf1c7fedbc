"""A real wheel, installed into a fresh virtual environment, converts the sample.

This is what a user's ``pip install .`` does; an editable install would hide a
wheel that forgot the fonts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from pdfcheck import pdf_fonts, pdf_text


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    src = tmp_path_factory.mktemp("src") / "pipeline"
    # Build from a copy holding only tracked-style content, as a clean clone would.
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "venv", "output", "__pycache__", "*.egg-info"
        ),
    )
    proc = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, src)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = dist.glob("pipeline-*.whl")
    return built


def test_wheel_carries_fonts_and_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for font in ROOT.joinpath("fonts").iterdir():
        assert f"pipeline/fonts/{font.name}" in names
    assert "pipeline/py.typed" in names
    for data in ROOT.joinpath("pipeline", "data").iterdir():  # the laws corpus and its licence too
        assert f"pipeline/data/{data.name}" in names


def test_installed_wheel_converts_the_sample(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    proc = run(bindir / "python", "-m", "pip", "install", "--quiet", wheel)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    work = tmp_path / "work"
    (work / "input").mkdir(parents=True)
    shutil.copy(SAMPLE, work / "input")
    # run outside the checkout, so only the installed package can be imported
    proc = run(bindir / "pipeline", "convert", "input/", cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = work / "output" / f"{SAMPLE.stem}.pdf"
    assert (work / "output" / f"{SAMPLE.stem}.docx").is_file()
    assert "劳动模范" in pdf_text(pdf)
    assert all(pdf_fonts(pdf).values())
    proc = run(bindir / "pipeline", "fonts", cwd=work)
    assert proc.returncode == 0 and "bundled" in proc.stdout
    assert f"{env_dir}/lib" in proc.stdout, "fonts resolve inside the installed package"
