"""The built wheel: its name, its version, and a `bialign demo` that runs from it alone."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import bialign
from bialign.about import DISTRIBUTION

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (found,) = out.glob("*.whl")
    return found


def test_the_wheel_carries_the_distribution_name_version_and_demo_post(wheel: Path) -> None:
    assert wheel.name.startswith(f"{DISTRIBUTION.replace('-', '_')}-{bialign.__version__}-")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode()
    assert f"Name: {DISTRIBUTION}\n" in text and f"Version: {bialign.__version__}\n" in text
    assert "bialign/data/news_post.txt" in names
    # Every extra names this distribution, never the unrelated 'bialign' on the index.
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist: bialign")]
    assert requires and all(line.startswith(f"Requires-Dist: {DISTRIBUTION}[") for line in requires)


def test_demo_runs_from_the_installed_wheel_alone(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import bialign; print(bialign.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(target))
    proc = subprocess.run(
        [sys.executable, "-m", "bialign.cli", "demo"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Posted on 14/03/2026 at 09:30  <->  Publicado el 14/03/2026 a las 09:30" in proc.stdout
    assert "1 translation pair(s)" in proc.stdout


def test_the_bundled_demo_post_is_the_repository_example() -> None:
    bundled = (ROOT / "bialign" / "data" / "news_post.txt").read_bytes()
    assert bundled == (ROOT / "examples" / "news_post.txt").read_bytes()


def test_no_install_line_names_the_unrelated_bialign_package() -> None:
    # 'bialign' on the package index is an RNA alignment tool: every hint names ours.
    import re

    wrong = re.compile(r"pip install[^\n`&;|]*?(?<![/\w.-])bialign(?![-\w])|\bbialign\[")
    files = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("bialign/**/*.py")]
    bad = [f"{f.relative_to(ROOT)}: {m.group(0)}" for f in files
           for m in wrong.finditer(f.read_text(encoding="utf-8"))]  # fmt: skip
    assert bad == []
