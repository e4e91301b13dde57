"""Shared helpers for the benchmark scripts: data path, machine facts, result tables.

Every benchmark writes its numbers as JSON under ``benchmarks/results/`` and replaces its
own section in ``benchmarks/RESULTS.md`` with a table, the machine, date and command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bialign.evaluate import error_breakdown, score_alignments

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RESULTS_MD = HERE / "RESULTS.md"
RESULTS_DIR = HERE / "results"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    p.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    return p


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


class Timer:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> Timer:
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._t


class CachedEncoder:
    """The default encoder behind a cache, so every aligner in a run gets the same vectors
    and embedding time is measured apart from alignment."""

    def __init__(self) -> None:
        from bialign.embed import load_embedder

        self.inner = load_embedder(None)
        #: The wrapped encoder's name, so the aligner picks its profile.
        self.name = getattr(self.inner, "name", None)
        self.cache: dict[str, np.ndarray] = {}
        self.timer = Timer()
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            with self.timer:
                vecs = self.inner.encode(missing)
            for t, v in zip(missing, vecs, strict=True):
                self.cache[t] = v
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


def fmt_table(headers: list[str], rows: list[list[Any]]) -> str:
    def cell(x: Any) -> str:
        return f"{x:.3f}" if isinstance(x, float) else str(x)

    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    return "\n".join(out)


def bead_table(gold: list, runs: dict[str, tuple[list, float]]) -> tuple[str, dict[str, Any]]:
    """Strict and lax bead precision, recall and F1 and seconds, a row per aligner, from
    each aligner's (beads per document, seconds); and the same numbers for the JSON."""
    headers = ["aligner", "strict P", "strict R", "strict F1", "lax P", "lax R", "lax F1",
               "align s"]  # fmt: skip
    rows, numbers = [], {}
    for name, (pred, sec) in runs.items():
        s = score_alignments(gold, pred)
        rows.append([name, s.strict_p, s.strict_r, s.strict_f1, s.lax_p, s.lax_r, s.lax_f1, sec])
        numbers[name] = {**s.as_dict(), "align_seconds": round(sec, 3)}
    return fmt_table(headers, rows), numbers


def error_table(gold: list, runs: dict[str, tuple[list, float]]) -> tuple[str, dict[str, Any]]:
    """Each aligner's wrong beads by kind (bialign.evaluate.error_breakdown) and the strict
    F1 it would reach with every split, or every merge, repaired."""
    headers = ["aligner", "gold beads split", "gold beads merged", "other wrong beads",
               "strict F1", "F1, splits repaired", "F1, merges repaired"]  # fmt: skip
    rows, numbers = [], {}
    for name, (pred, _) in runs.items():
        e = error_breakdown(gold, pred)
        rows.append([name, e.split, e.merged, e.other, e.strict_f1, e.f1_without_split,
                     e.f1_without_merged])  # fmt: skip
        numbers[name] = e.as_dict()
    return fmt_table(headers, rows), numbers


def write_results(
    name: str, title: str, payload: dict[str, Any], table: str, notes: str = ""
) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    payload = {
        "benchmark": name,
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "command": "python " + " ".join([os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]]),
        **payload,
    }
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    section = (
        f"<!-- {name}:start -->\n## {title}\n\n"
        f"Run {payload['date']} on {payload['machine']}:\n`{payload['command']}`\n\n"
        f"{table}\n\n{notes}".rstrip()
        + f"\n<!-- {name}:end -->"
    )
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- {name}:start -->.*?<!-- {name}:end -->", re.S)
    text = pattern.sub(section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS_MD.write_text(text.rstrip() + "\n")
