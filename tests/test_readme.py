"""The README's commands, run as written on a copy of the repository with no ../shared.

Every ```bash and ```python block runs; ```sh blocks are the ones that need the network
(a hub model, a pip install) and are only shown. The two set-up commands are checked
too: the first one's run part (after the venv and pip steps) must print what the README
says; the second is exactly .ci/run, which is running these tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
#: Steps of the set-up commands that install rather than run.
INSTALL = re.compile(r"^(python3\.11 -m venv|\.venv/bin/pip install|sh tests/install_browser)")


def blocks(kind: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == kind]


def ci_command() -> str:
    return (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tracked files in a folder with no ../shared beside it."""
    dest = tmp_path_factory.mktemp("clone") / "bialign"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    assert not (dest.parent / "shared").exists()
    return dest


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BIALIGN_DATA", None)
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = ci_command()
    assert f"```bash\n{command}\n```" in README
    assert "pytest" in command and "mypy bialign" in command and "ruff format --check" in command


def test_the_first_command_prints_what_the_readme_shows(repo: Path) -> None:
    first = blocks("bash")[0].strip()
    steps = first.split(" && ")
    assert any(INSTALL.match(s) for s in steps), "the first command installs the package"
    runs = [s.replace(".venv/bin/", "") for s in steps if not INSTALL.match(s)]
    assert runs == ["bialign align examples/news_post.txt"]
    proc = run(" && ".join(runs), repo)
    assert proc.returncode == 0, proc.stderr
    shown = blocks("text")[0].strip().splitlines()
    printed = proc.stdout.strip().splitlines()
    assert printed[0] == shown[0]
    assert len(printed) == len(shown)
    for got, want in zip(printed[1:], shown[1:], strict=True):
        *got_text, got_score, got_conf = got.split("\t")
        *want_text, want_score, want_conf = want.split("\t")
        assert got_text == want_text
        assert abs(float(got_score) - float(want_score)) < 0.01
        assert abs(float(got_conf) - float(want_conf)) < 0.05


def test_every_other_bash_block_runs(repo: Path) -> None:
    ci = ci_command()
    commands = []
    for body in blocks("bash")[1:]:
        if body.strip() == ci:
            continue  # the command that is running this test
        for line in body.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    assert any(c.startswith("bialign align-docs") for c in commands)
    for command in commands:
        proc = run(command, repo)
        assert proc.returncode == 0, f"{command}\n{proc.stderr}"
    assert (repo / "train.en").read_text(encoding="utf-8").startswith("Village Library")
    assert (repo / "report.html").stat().st_size > 1000


def test_every_python_block_runs(repo: Path) -> None:
    for k, body in enumerate(blocks("python")):
        script = repo / f"readme_block_{k}.py"
        script.write_text(body, encoding="utf-8")
        proc = run(f"python {script.name}", repo)
        assert proc.returncode == 0, f"block {k}:\n{body}\n{proc.stderr}"


def test_sh_blocks_only_hold_what_needs_the_network() -> None:
    for body in blocks("sh"):
        for line in filter(None, (x.strip() for x in body.splitlines())):
            assert "pip install" in line or "--model sentence-transformers/" in line, line
