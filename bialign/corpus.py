"""The result of an alignment: segments with their languages, beads, and the corpus."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import io as formats_io
from .io.jsonl import pair_record

if TYPE_CHECKING:  # pragma: no cover
    import datasets
    import numpy as np
    import pandas


@dataclass(frozen=True)
class Segment:
    """One segment of a document: its position, text and language.

    ``lang`` is one of the configured languages or ``"und"`` (no language of its own:
    numbers, dates, URLs, lone names, credits). ``lang_confidence`` is the detector's
    posterior for that label, 0-1.
    """

    index: int
    text: str
    lang: str
    lang_confidence: float = 1.0
    line: int = 0


@dataclass(frozen=True)
class Bead:
    """A unit of the alignment: source segment indices, target indices, and a score.

    One side is empty for a segment left unaligned. ``score`` is the raw margin
    similarity the aligner used (see docs/score.md), on the encoder's own scale; unaligned
    beads score 0. ``confidence`` is the calibrated probability, 0-1, that the bead is
    exactly right (for an unaligned segment: that it truly has no translation), the same
    meaning for every encoder with a profile (:mod:`bialign.confidence`). The aligner
    sets it on every bead; it is None only on beads built by hand.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    src_text: str
    tgt_text: str
    score: float
    #: With ``granularity="sentence"``: the index in ``ParallelCorpus.paragraph_beads`` of
    #: the paragraph bead this bead came from; -1 otherwise.
    paragraph: int = -1
    confidence: float | None = None

    @property
    def is_pair(self) -> bool:
        return bool(self.src) and bool(self.tgt)

    @property
    def kind(self) -> str:
        """The bead's shape, e.g. ``"1-1"``, ``"2-1"`` or ``"0-1"``."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass
class ParallelCorpus:
    """Aligned beads of one document (or document pair), with the segments they index.

    For ``align(doc)`` the bead indices are positions in the document's own segment
    list, which is both ``src_segments`` and ``tgt_segments``; for ``align_documents`` they
    index the source and target documents' segment lists respectively.
    """

    beads: list[Bead]
    src_segments: list[Segment]
    tgt_segments: list[Segment]
    langs: tuple[str, str] = ("en", "es")
    #: Things the user should know: truncated segments, a missing language, ...
    warnings: list[str] = field(default_factory=list)
    #: Seconds spent in each stage.
    timings: dict[str, float] = field(default_factory=dict)
    #: How the corpus was made, sacrebleu style (see :mod:`bialign.provenance`):
    #: encoder and profile, languages, mode, split, changed options, bialign version.
    signature: str = ""
    #: The aligned streams: segment indices of each language, in order, and their
    #: L2-normalised embeddings (row k of ``src_embeddings`` embeds segment
    #: ``src_stream[k]``). Kept for :meth:`plot` and for users who rescore pairs.
    src_stream: list[int] = field(default_factory=list, repr=False)
    tgt_stream: list[int] = field(default_factory=list, repr=False)
    src_embeddings: np.ndarray | None = field(default=None, repr=False)
    tgt_embeddings: np.ndarray | None = field(default=None, repr=False)
    #: With ``granularity="sentence"``: the paragraph-level beads, whose texts are the
    #: context each sentence bead came from (``Bead.paragraph`` indexes this list).
    paragraph_beads: list[Bead] = field(default_factory=list, repr=False)

    @property
    def segments(self) -> list[Segment]:
        """The document's segments (for two documents: the source document's)."""
        return self.src_segments

    @property
    def mixed(self) -> bool:
        """True when both languages came from one document."""
        return self.src_segments is self.tgt_segments

    @property
    def pairs(self) -> list[Bead]:
        """The beads with both sides non-empty: the translations found."""
        return [b for b in self.beads if b.is_pair]

    def __len__(self) -> int:
        return len(self.beads)

    def __iter__(self) -> Iterator[Bead]:
        return iter(self.beads)

    def __repr__(self) -> str:
        return (
            f"<ParallelCorpus {self.langs[0]}-{self.langs[1]}: {len(self.pairs)} pairs, "
            f"{len(self.beads)} beads>"
        )

    def filter(
        self, min_score: float | None = None, *, min_confidence: float | None = None
    ) -> ParallelCorpus:
        """A corpus of the pairs with a raw score of at least ``min_score`` and a confidence
        of at least ``min_confidence`` (either may be omitted; unaligned beads dropped).

        ``min_confidence`` means the same for every encoder with a profile (0.9 keeps pairs
        that are right about 9 times in 10); ``min_score`` is on the encoder's own scale.
        A bead without a confidence (built by hand) reaches no ``min_confidence``: asked
        for pairs known to be likely right, the filter does not keep unknown ones. (The
        dataset's default floor, which the user did not ask for, leaves them alone:
        bialign.dataset.CleanConfig.)"""
        from .options import check_probability

        check_probability(min_confidence, "min_confidence")
        kept = [
            b
            for b in self.beads
            if b.is_pair
            and (min_score is None or b.score >= min_score)
            and (
                min_confidence is None
                or (b.confidence is not None and b.confidence >= min_confidence)
            )
        ]
        sig = self.signature
        if sig and min_confidence is not None:
            sig = _with_option(sig, f"filter_min_confidence={min_confidence:g}")
        if sig and min_score is not None:
            sig = _with_option(sig, f"filter_min_score={min_score:g}")
        return replace(self, beads=kept, warnings=list(self.warnings), signature=sig)

    # Writers: each writes the pairs only, since unaligned segments make no training data
    # (``to_json`` excepted: it is the whole alignment). All go through bialign.io.

    # TSV, JSONL and Moses files get a ``.meta.json`` sidecar holding the signature
    # (bialign.io.write_meta); TMX holds it in its header, JSON in its record.

    def to_tsv(self, path: str | Path) -> None:
        formats_io.write(self, "tsv", path)

    def to_jsonl(self, path: str | Path) -> None:
        formats_io.write(self, "jsonl", path)

    def to_moses(self, prefix: str | Path) -> tuple[Path, Path]:
        """Writes ``PREFIX.<src lang>`` and ``PREFIX.<tgt lang>``; returns both paths."""
        formats_io.write(self, "moses", prefix)
        src, tgt = formats_io.get_format("moses").files(prefix, self.langs)
        return src, tgt

    def to_tmx(self, path: str | Path) -> None:
        formats_io.write(self, "tmx", path)

    def to_json(self, path: str | Path) -> None:
        """The whole alignment (every segment and bead) as one JSON document."""
        formats_io.write(self, "json", path)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per pair: both texts keyed by language, indices and score."""
        return [pair_record(b, self.langs) for b in self.pairs]

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with one row per pair (needs ``bialign-corpus[pandas]``)."""
        from .errors import require

        pd: Any = require("pandas", "pandas", "ParallelCorpus.to_pandas()")
        return pd.DataFrame.from_records(
            self.to_records(),
            columns=[self.langs[0], self.langs[1], "score", "confidence", "src", "tgt"],
        )

    def to_hf_dataset(self) -> datasets.Dataset:
        """A Hugging Face dataset with a ``translation`` column (needs ``bialign-corpus[hf]``)."""
        from .errors import require

        ds: Any = require("datasets", "hf", "ParallelCorpus.to_hf_dataset()")
        a, b = self.langs
        info = ds.DatasetInfo(description=f"bialign corpus; signature: {self.signature}")
        return ds.Dataset.from_dict(
            {
                "translation": [{a: p.src_text, b: p.tgt_text} for p in self.pairs],
                "score": [p.score for p in self.pairs],
                "confidence": [p.confidence for p in self.pairs],
            },
            info=info,
        )

    def to_html(self, path: str | Path, title: str = "bialign report") -> None:
        """Write a self-contained HTML report: both sides bead by bead, a score filter,
        a histogram and a summary (see :mod:`bialign.report`)."""
        from .report import write_report

        write_report(self, path, title=title)

    def plot(self, path: str | Path, max_cells: int = 600) -> None:
        """Save the similarity heat map with the beads drawn over it (needs
        ``bialign-corpus[plot]``); streams longer than ``max_cells`` are max-pooled to it."""
        from .plot import plot_alignment

        plot_alignment(self, path, max_cells=max_cells)

    def write(self, path: str | Path | TextIO, fmt: str) -> None:
        """Write in one of the formats of :mod:`bialign.io` (``bialign.io.names()``: json,
        jsonl, moses, tmx, tsv) to a path (moses: a prefix) or an open text stream."""
        formats_io.write(self, fmt, path)


def _with_option(signature: str, option: str) -> str:
    """The signature with one more option in its ``options:`` field."""
    fields = signature.split("|")
    for k, f in enumerate(fields):
        if f.startswith("options:"):
            value = f[len("options:") :]
            fields[k] = "options:" + (option if value in ("", "default") else f"{value},{option}")
            return "|".join(fields)
    return signature + f"|options:{option}"
