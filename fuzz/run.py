"""Coverage-guided fuzzing of one target with atheris (libFuzzer) for a time budget.

    python fuzz/run.py TARGET SECONDS [CORPUS_DIR]

TARGET is one of fuzz/targets.py's TARGETS (align_text, align_segments, read_file,
writers). Without CORPUS_DIR the fuzzer starts from targets.SEEDS (small bilingual
documents, so that it reaches the aligner at once). libFuzzer prints the number of
inputs tried ("#N DONE") at the end; a crash leaves the failing input in crash-* files.
Needs `pip install atheris`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["bialign"]):
    import targets


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in targets.TARGETS:
        sys.exit(__doc__)
    name, seconds = sys.argv[1], int(sys.argv[2])
    corpus = sys.argv[3:4]
    if not corpus:
        seeds = Path(tempfile.mkdtemp(prefix=f"bialign-fuzz-{name}-"))
        for k, seed in enumerate(targets.SEEDS):
            (seeds / f"seed{k}").write_bytes(seed)
        corpus = [str(seeds)]
    target = targets.TARGETS[name]
    atheris.Setup(
        [sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=4096", *corpus],
        target,
    )
    atheris.Fuzz()


if __name__ == "__main__":
    main()
