"""Save a cleaned, split dataset the ways people load it, with a dataset card.

One folder holds: ``hf/`` (a Hugging Face ``datasets.DatasetDict`` saved with
``save_to_disk``), ``parquet/<split>.parquet`` (pyarrow), ``moses/<split>.<lang>`` and
``tmx/<split>.tmx`` (those four folders are replaced on every run), ``README.md`` (the
dataset card: sources, languages, counts after each step, the confidence histogram as a
picture, how it was made; the licence is left for the publisher to fill in) and
``confidence_histogram.png``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np

from . import io as formats_io
from .about import DISTRIBUTION, __version__
from .corpus import Bead, ParallelCorpus
from .dataset import CleanReport, PairRecord
from .errors import BialignWarning, require
from .profile import GENERIC


@dataclass
class BuildSummary:
    """What went into the dataset and what each step removed."""

    langs: tuple[str, str]
    sources: list[str]
    documents: int = 0
    mixed_documents: int = 0
    matched_document_pairs: int = 0
    #: Matched pairs that the pages' addresses also paired, by kind (bialign.urls).
    match_evidence: dict[str, int] = field(default_factory=dict)
    unmatched_documents: int = 0
    failed_documents: int = 0
    #: (document, error) of each document that failed, in input order, then alignments'.
    failures: list[tuple[str, str]] = field(default_factory=list)
    aligned_pairs: int = 0
    published: int = 0
    cleaning: CleanReport = field(default_factory=CleanReport)
    duplicates: dict[str, int] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    #: How the pairs were made (bialign.provenance): of two documents, and of mixed pages.
    signature: str = ""
    mixed_signature: str = ""

    def signatures(self) -> str:
        """Both signatures in one line, for a file header or a dataset's description."""
        parts = [
            self.signature,
            f"mixed pages: {self.mixed_signature}" if self.mixed_signature else "",
        ]
        return "; ".join(p for p in parts if p)


def publish(pairs: Sequence[PairRecord], out: Path, summary: BuildSummary) -> dict[str, int]:
    """Write every format and the card; returns pairs per split."""
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("hf", "parquet", "moses", "tmx"):  # no split files left from a rerun
        shutil.rmtree(out / folder, ignore_errors=True)
    a, b = summary.langs
    by_split: dict[str, list[PairRecord]] = {}
    for p in pairs:
        by_split.setdefault(p.split or "train", []).append(p)
    counts = {name: len(rows) for name, rows in sorted(by_split.items())}
    _write_parquet_and_hf(by_split, out, summary.langs, summary.signatures())
    (out / "moses").mkdir(exist_ok=True)
    (out / "tmx").mkdir(exist_ok=True)
    for name, rows in by_split.items():
        docs = _by_document(rows, summary.langs)
        formats_io.write_documents(docs, "moses", out / "moses" / name, summary.langs)
        formats_io.write_documents(
            docs, "tmx", out / "tmx" / f"{name}.tmx", summary.langs, summary.signatures()
        )
    card_name = _card_name(out)
    if card_name == "README.md":  # an edited card may still show the picture it had
        for old in ("score_histogram.png", "confidence_histogram.png"):
            (out / old).unlink(missing_ok=True)
    confidences = [p.confidence for p in pairs if p.confidence is not None]
    if confidences:
        picture = _histogram(confidences, out / "confidence_histogram.png", CONFIDENCE_AXIS)
    else:  # an encoder without a calibration profile: the raw scores are what there is
        picture = _histogram([p.score for p in pairs], out / "score_histogram.png", SCORE_AXIS)
    card = _card(summary, counts, picture, confidences)
    (out / card_name).write_text(card, encoding="utf-8")
    (out / "build.json").write_text(
        json.dumps(
            {
                "card_sha256": hashlib.sha256(card.encode("utf-8")).hexdigest(),
                "signature": summary.signature,
                "mixed_signature": summary.mixed_signature,
                "langs": list(summary.langs),
                "splits": counts,
                "documents": summary.documents,
                "matched_document_pairs": summary.matched_document_pairs,
                "match_evidence": summary.match_evidence,
                "aligned_pairs": summary.aligned_pairs,
                "failed_documents": summary.failed_documents,
                "failures": [list(f) for f in summary.failures],
                "removed": dict(summary.cleaning.removed),
                "duplicates": summary.duplicates,
                "options": summary.options,
                "bialign": __version__,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return counts


def _card_name(out: Path) -> str:
    """README.md, unless the README.md there is not the card the last run wrote (the
    publisher filled in the licence, say): then README.bialign.md, with a warning, so
    that a rerun never loses their edits."""
    readme = out / "README.md"
    if not readme.exists():
        return "README.md"
    try:
        last = json.loads((out / "build.json").read_text(encoding="utf-8")).get("card_sha256")
    except (OSError, ValueError, AttributeError):
        last = None
    if hashlib.sha256(readme.read_bytes()).hexdigest() == last:
        return "README.md"
    warnings.warn(
        f"bialign: {readme} was edited since bialign wrote it (or is not bialign's); the "
        f"new dataset card is in {out / 'README.bialign.md'}",
        BialignWarning,
        stacklevel=3,
    )
    return "README.bialign.md"


def _by_document(
    rows: list[PairRecord], langs: tuple[str, str]
) -> list[tuple[str, ParallelCorpus]]:
    """Each run of pairs from one document as ``(doc, corpus)``, in order, for the writers
    of :mod:`bialign.io`. A pair bead needs segment indices on both sides; the writers do
    not print them, so every bead gets ``(0,)``."""
    out = []
    for doc, run in groupby(rows, key=lambda p: p.doc):
        beads = [Bead((0,), (0,), p.src, p.tgt, p.score, confidence=p.confidence) for p in run]
        out.append((doc, ParallelCorpus(beads, [], [], langs)))
    return out


def _columns(rows: list[PairRecord], langs: tuple[str, str]) -> dict[str, list[Any]]:
    return {
        "translation": [{langs[0]: p.src, langs[1]: p.tgt} for p in rows],
        "score": [p.score for p in rows],
        "confidence": [p.confidence for p in rows],
        "doc": [p.doc for p in rows],
    }


def _write_parquet_and_hf(
    by_split: dict[str, list[PairRecord]], out: Path, langs: tuple[str, str], signature: str
) -> None:
    pa: Any = require("pyarrow", "dataset", "Parquet output")
    pq: Any = require("pyarrow.parquet", "dataset", "Parquet output")
    ds: Any = require("datasets", "dataset", "the Hugging Face dataset")
    ds.disable_progress_bars()  # bialign reports its own progress
    (out / "parquet").mkdir(exist_ok=True)
    splits = {}
    for name, rows in by_split.items():
        table = pa.Table.from_pydict(_columns(rows, langs))
        pq.write_table(table, out / "parquet" / f"{name}.parquet")
        info = ds.DatasetInfo(description=f"bialign dataset; signature: {signature}")
        splits[name] = ds.Dataset(table, info=info)
    ds.DatasetDict(splits).save_to_disk(str(out / "hf"))


CONFIDENCE_AXIS = "confidence (estimated probability that the pair is right)"
SCORE_AXIS = "bead score (margin similarity)"


def _histogram(values: list[float], path: Path, axis: str) -> str | None:
    """The histogram of ``values`` as a PNG, or None when matplotlib is not installed
    (or there are no values). Drawn through matplotlib's object API, not pyplot: no
    global figure state in a library, and 0.15 s less to import."""
    if not values:
        return None
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    fig = Figure(figsize=(6, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    bounds = (0.0, 1.0) if axis == CONFIDENCE_AXIS else None
    ax.hist(values, bins=20 if bounds else 40, range=bounds, color="#3b6ea8")
    ax.set_xlabel(axis)
    ax.set_ylabel("pairs")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path.name


#: Confidence thresholds the card counts pairs at.
CARD_THRESHOLDS = (0.5, 0.8, 0.9, 0.95)


def _card(
    summary: BuildSummary,
    counts: dict[str, int],
    picture: str | None,
    confidences: Sequence[float] = (),
) -> str:
    a, b = summary.langs
    conf = np.asarray(confidences, dtype=np.float64)
    generic = f"profile:{GENERIC}@" in summary.signatures()
    removed = "\n".join(
        f"| {name.replace('_', ' ')} | {n:,} |" for name, n in summary.cleaning.removed.items()
    )
    dup = "\n".join(f"| {k} duplicates | {n:,} |" for k, n in summary.duplicates.items())
    splits = "\n".join(f"| {name} | {n:,} |" for name, n in counts.items())
    options = "\n".join(f"- `{k}`: `{v}`" for k, v in sorted(summary.options.items()))
    sources = "\n".join(f"- `{s}`" for s in summary.sources)
    lines = [
        "---",
        f"language: [{a}, {b}]",
        "license: # TODO: the publisher sets the licence of the source texts here",
        "task_categories: [translation]",
        "---",
        "",
        f"# {a}-{b} parallel corpus",
        "",
        f"Translation pairs (of the documents' segments: lines, paragraphs or sentences, "
        f"as the pages give them) found by [bialign](https://pypi.org/project/{DISTRIBUTION}/) "
        f"{__version__} in the sources "
        "below: documents that hold both languages were aligned on their own, and "
        "documents in one language were first matched with their translation "
        "(`bialign.match_documents`) and then aligned.",
        "",
        "## Sources",
        "",
        sources,
        "",
        "## How many",
        "",
        "| step | count |",
        "|---|---|",
        f"| documents read | {summary.documents:,} |",
        f"| documents with both languages | {summary.mixed_documents:,} |",
        f"| matched document pairs | {summary.matched_document_pairs:,} |",
        *(
            f"| matched pairs whose addresses also pair them ({kind}) | {n:,} |"
            for kind, n in sorted(summary.match_evidence.items())
        ),
        f"| one-language documents left unmatched | {summary.unmatched_documents:,} |",
        f"| documents that failed (skipped) | {summary.failed_documents:,} |",
        f"| aligned pairs | {summary.aligned_pairs:,} |",
        # (Empty when nothing was removed: no blank line, which would end the table.)
        *([removed] if removed else []),
        *([dup] if dup else []),
        f"| pairs published | {sum(counts.values()):,} |",
        "",
        "Splits are drawn by document, and documents that shared a duplicate pair stay in "
        "one split, so no pair or near copy of it is in two splits.",
        "",
        "| split | pairs |",
        "|---|---|",
        splits,
        "",
        *_failures_section(summary.failures),
        "## Confidence and score",
        "",
        *(_confidence_section(conf, picture, generic) if len(conf) else _score_section(picture)),
        "",
        "## How it was made",
        "",
        options,
        "",
        *([f"Signature (two documents): `{summary.signature}`", ""] if summary.signature else []),
        *(
            [f"Signature (mixed pages): `{summary.mixed_signature}`", ""]
            if summary.mixed_signature
            else []
        ),
        "Formats: `hf/` (`datasets.load_from_disk`), `parquet/`, `moses/`, `tmx/`.",
        "",
        "## Licence",
        "",
        "Set by the publisher: the pairs are excerpts of the source documents above.",
        "",
    ]
    return "\n".join(lines).replace("\n\n\n", "\n\n")


#: Failed documents the card names (build.json lists every one).
CARD_FAILURES = 10


def _failures_section(failures: Sequence[tuple[str, str]]) -> list[str]:
    if not failures:
        return []
    more = len(failures) - CARD_FAILURES
    return [
        "Documents that failed were skipped:",
        "",
        *(f"- `{_plain_line(doc)}`: {_plain_line(why)}" for doc, why in failures[:CARD_FAILURES]),
        *([f"- and {more:,} more (`build.json` lists every one)"] if more > 0 else []),
        "",
    ]


def _plain_line(text: str) -> str:
    """A document id or error on one line of the card, with no markup of its own."""
    return " ".join(text.split()).replace("`", "'")


def _confidence_section(conf: np.ndarray, picture: str | None, generic: bool) -> list[str]:
    kept = "\n".join(f"| {t} | {int((conf >= t).sum()):,} |" for t in CARD_THRESHOLDS)
    caveat = [
        "The encoder has no calibration profile of its own: these confidences come from "
        "bialign's generic profile, fitted to each document's own score distribution, and "
        "are less reliable than a fitted profile's (fit one with `bialign calibrate`; see "
        "docs/confidence.md).",
        "",
    ]
    return [
        *(caveat if generic else []),
        "`confidence` is bialign's calibrated estimate of the probability that a pair is "
        "exactly right (among pairs near 0.8, about 80% are); `score` is the raw bead "
        "score, a margin similarity: about 0 for unrelated text, higher for clearer "
        "translations. Keep the pairs at or above a confidence, for instance with "
        "`datasets`' `filter`:",
        "",
        "| confidence at least | pairs |",
        "|---|---|",
        kept,
        "",
        f"![confidence histogram]({picture})" if picture else _NO_PICTURE,
    ]


def _score_section(picture: str | None) -> list[str]:
    return [
        "These pairs carry no `confidence`: they were made outside bialign's aligner, which "
        "sets one on every pair (see docs/confidence.md). `score` is the raw bead score, a "
        "margin similarity: about 0 for unrelated text, higher for clearer translations.",
        "",
        f"![score histogram]({picture})" if picture else _NO_PICTURE,
    ]


_NO_PICTURE = "(matplotlib not installed: no histogram drawn)"


def split_counts(pairs: Sequence[PairRecord]) -> dict[str, int]:
    return dict(Counter(p.split for p in pairs))
