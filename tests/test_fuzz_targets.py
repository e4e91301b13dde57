"""The fuzz targets (fuzz/targets.py) on their seeds and on a few nasty inputs, so the
harness keeps working; the coverage-guided runs themselves are `python fuzz/run.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))

import targets  # noqa: E402

NASTY = [
    b"",
    b"\xff\xfe\x00",
    b"\xef\xbb\xbfHello there my friend\r\nHola amigo mio\r",
    b"\x00" * 64,
    "\u2028\u2029\u0085".encode(),
    b"<script>x</script>\n" * 3,
    "\ud800".encode("utf-8", "surrogatepass"),
]


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_fuzz_target_runs_clean_on_seeds_and_nasty_inputs(name: str) -> None:
    for data in [*targets.SEEDS, *NASTY]:
        targets.TARGETS[name](data)


def test_fuzz_check_catches_a_broken_corpus() -> None:
    corpus = targets.ALIGNER.align(targets.SEEDS[0].decode())
    corpus.beads.append(corpus.beads[0])  # a segment in two beads
    with pytest.raises(AssertionError):
        targets._check(corpus)
