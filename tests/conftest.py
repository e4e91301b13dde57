"""Shared fixtures. Tests never touch the network: the hub is switched off here."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

DATA = Path(os.environ.get("BIALIGN_DATA", Path(__file__).resolve().parents[1] / "../shared/data"))
EXAMPLE = DATA / "examples" / "bilingual_news_post.txt"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"shared data not found at {DATA}; set BIALIGN_DATA")
    return DATA


@pytest.fixture(scope="session")
def flores(data_dir: Path) -> tuple[list[str], list[str]]:
    d = data_dir / "flores200_devtest"
    en = (d / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    es = (d / "spa_Latn.devtest").read_text(encoding="utf-8").splitlines()
    return en, es


@pytest.fixture
def ctrl_c() -> Callable[..., str]:
    """Run a command and press Ctrl-C once ``ready()`` holds (or after ``timeout``), as a
    terminal would: SIGINT back to its default in the child, even where the runner's
    shell ignores it (a background job), since Python then installs no KeyboardInterrupt
    handler. Checks exit status 130 and no traceback; returns the one line it printed."""

    def run(cmd: list[str], ready: Callable[[], bool], timeout: float = 120) -> str:
        def default_sigint() -> None:
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        proc = subprocess.Popen(cmd, preexec_fn=default_sigint, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not ready():
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        (line,) = err.strip().splitlines()
        return line

    return run
