"""The public entry points: one mixed document, two documents, or many of either.

Data flows one way: segment -> langid -> embed -> align -> corpus.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .align import MIXED, AlignConfig, align_embeddings
from .attach import attach_fragments
from .consistency import contradicts
from .corpus import Bead, ParallelCorpus, Segment
from .embed import Embedder, embed_unique, load_embedder
from .errors import LanguageError
from .granularity import GRANULARITIES, to_sentences
from .langid import UND, LangLabel, LanguageDetector, SegmentLanguageIdentifier
from .readers import INPUT_FORMATS
from .segment import MAX_SEGMENT_CHARS, RawSegment, read_document, split_sentences

SPLIT_MODES = ("lines", "sentences")


@dataclass
class Aligner:
    """A configured pipeline; keeps its encoder loaded across documents.

    ``align`` and ``align_documents`` build one per call (the default encoder itself is
    cached per process); use an ``Aligner`` or ``align_many`` for many documents.
    """

    langs: tuple[str, str] = ("en", "es")
    model: str | Embedder | None = None
    split: str = "lines"
    config: AlignConfig | None = None
    detector: LanguageDetector | None = None
    min_score: float | None = None
    progress: bool | None = None
    #: Read HTML as a page (text of its blocks, entities decoded); False never reads
    #: text as HTML and keeps it exactly as given, a segment per line (for documents
    #: about markup).
    markup: bool = True
    #: The reader for text and files: "auto" (from content and extension), "html",
    #: "text" (wrapped paragraphs rejoined) or "lines" (see docs/input.md).
    input_format: str = "auto"
    #: HTML: keep page furniture (title, navigation, banners, share links, footer) that
    #: is left out by default.
    keep_furniture: bool = False
    #: "paragraph" pairs the units as read; "sentence" then aligns the sentences inside
    #: each paragraph pair and keeps the pair whole where they do not align confidently
    #: (:mod:`bialign.granularity`).
    granularity: str = "paragraph"
    #: Between two documents, let a segment left unaligned next to a pair join it when
    #: the joined text is a closer translation (:mod:`bialign.attach`).
    attach: bool = True

    def __post_init__(self) -> None:
        self.langs = _check_langs(self.langs)
        if self.split not in SPLIT_MODES:
            raise ValueError(f"split must be one of {SPLIT_MODES}, got {self.split!r}")
        if self.granularity not in GRANULARITIES:
            raise ValueError(
                f"granularity must be one of {GRANULARITIES}, got {self.granularity!r}"
            )
        if self.input_format not in INPUT_FORMATS:
            raise ValueError(
                f"input_format must be one of {INPUT_FORMATS}, got {self.input_format!r}"
            )
        self._identifier = SegmentLanguageIdentifier(self.detector)
        self._embedder: Embedder | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.model)
        return self._embedder

    # -- one mixed document ------------------------------------------------------------

    def align(self, doc: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw = self._read(doc, "doc")
        segments = self._label(raw, split=self.split == "sentences" and not _is_sequence(doc))
        timings["langid"] = time.perf_counter() - t0
        a, b = self.langs
        src_idx = [s.index for s in segments if s.lang == a]
        tgt_idx = [s.index for s in segments if s.lang == b]
        if not src_idx or not tgt_idx:
            counts = {lang: sum(s.lang == lang for s in segments) for lang in (a, b, UND)}
            missing = a if not src_idx else b
            long = [s for s in segments if len(s.text) > MAX_SEGMENT_CHARS]
            if long and self.split != "sentences":
                raise LanguageError(
                    f"the document has no {missing!r} segment (segments per language: "
                    f"{counts}), and {len(long)} of its {len(segments)} segments are longer "
                    f"than {MAX_SEGMENT_CHARS:,} characters (the longest "
                    f"{max(len(s.text) for s in long):,}): split it into sentences with "
                    'split="sentences" (--split sentences on the command line)'
                )
            raise LanguageError(
                f"the document has no {missing!r} segment, so there is nothing to pair "
                f"(segments per language: {counts}); use align_documents() for two "
                "monolingual documents"
            )
        corpus = self._align_streams(segments, segments, src_idx, tgt_idx, timings)
        return self._refine(corpus)

    # -- two documents -----------------------------------------------------------------

    def align_documents(self, src: object, tgt: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw_src = self._read(src, "src")
        raw_tgt = self._read(tgt, "tgt")
        split = self.split == "sentences"
        src_segs = self._label(raw_src, split=split and not _is_sequence(src))
        tgt_segs = self._label(raw_tgt, split=split and not _is_sequence(tgt))
        timings["langid"] = time.perf_counter() - t0
        warnings = []
        for name, segs, lang in (
            ("src", src_segs, self.langs[0]),
            ("tgt", tgt_segs, self.langs[1]),
        ):
            labelled = [s for s in segs if s.lang != UND]
            other = [s for s in labelled if s.lang != lang]
            if labelled and len(other) > len(labelled) / 2:
                warnings.append(
                    f"{name} was given as {lang!r} but {len(other)} of {len(labelled)} "
                    f"segments look like {other[0].lang!r}; check the langs argument"
                )
        for w in warnings:
            print(f"bialign: warning: {w}", file=sys.stderr)
        # Every segment of a monolingual document takes part, und ones included: a line
        # such as "Michel Piola, Vernier" has its counterpart in the other document.
        corpus = self._align_streams(
            src_segs,
            tgt_segs,
            [s.index for s in src_segs if s.text],
            [s.index for s in tgt_segs if s.text],
            timings,
        )
        corpus.warnings[:0] = warnings
        return self._refine(corpus)

    # -- shared steps ------------------------------------------------------------------

    def _refine(self, corpus: ParallelCorpus) -> ParallelCorpus:
        if self.granularity != "sentence":
            return corpus
        t0 = time.perf_counter()
        corpus = to_sentences(corpus, lambda texts: embed_unique(self.embedder, texts))
        corpus.timings["sentences"] = time.perf_counter() - t0
        return corpus

    def _read(self, doc: object, name: str) -> list[RawSegment]:
        return read_document(
            doc,
            name=name,
            markup=self.markup,
            input_format=self.input_format,
            keep_furniture=self.keep_furniture,
        )

    def _label(self, raw: list[RawSegment], split: bool) -> list[Segment]:
        if split:
            raw = split_sentences(raw, self.langs)
        texts = [r.text[:MAX_SEGMENT_CHARS] for r in raw]
        labels = self._identifier.identify(texts, self.langs)
        labels = [
            _with_hint(lab, r.lang_hint, self.langs) for r, lab in zip(raw, labels, strict=True)
        ]
        return [
            Segment(r.index, r.text, lab.lang, lab.confidence, r.line)
            for r, lab in zip(raw, labels, strict=True)
        ]

    def _align_streams(
        self,
        src_segs: list[Segment],
        tgt_segs: list[Segment],
        src_idx: list[int],
        tgt_idx: list[int],
        timings: dict[str, float],
    ) -> ParallelCorpus:
        warnings = []
        sides = (
            [("", src_segs)] if src_segs is tgt_segs else [("src ", src_segs), ("tgt ", tgt_segs)]
        )
        for side, segs in sides:
            long = [s.index for s in segs if len(s.text) > MAX_SEGMENT_CHARS]
            if long:
                hint = (
                    '; split="sentences" (--split sentences) splits them'
                    if self.split != "sentences"
                    else ""
                )
                warnings.append(
                    f"{len(long)} {side}segment(s) longer than {MAX_SEGMENT_CHARS} characters "
                    f"were analysed on their first {MAX_SEGMENT_CHARS} only (indices "
                    f"{long[:10]}){hint}"
                )
        t0 = time.perf_counter()
        texts = [src_segs[i].text[:MAX_SEGMENT_CHARS] for i in src_idx] + [
            tgt_segs[j].text[:MAX_SEGMENT_CHARS] for j in tgt_idx
        ]
        emb = self._embed(texts)
        timings["embed"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        src_len = np.array([len(src_segs[i].text) for i in src_idx], dtype=np.float64)
        tgt_len = np.array([len(tgt_segs[j].text) for j in tgt_idx], dtype=np.float64)
        mixed = src_segs is tgt_segs
        raw_beads = align_embeddings(
            emb[: len(src_idx)],
            emb[len(src_idx) :],
            src_len,
            tgt_len,
            self.config or (MIXED if mixed else AlignConfig()),
            _breaks(src_idx) if mixed else None,
            _breaks(tgt_idx) if mixed else None,
        )
        if not mixed and self.attach:
            # Short clauses left unaligned next to a pair get a second look with their
            # joined text (bialign.attach); between two documents only.
            n_src = len(src_idx)
            raw_beads = attach_fragments(
                raw_beads, texts[:n_src], texts[n_src:], _reusing(texts, emb, self.embedder)
            )
        timings["align"] = time.perf_counter() - t0
        beads = []
        for s, t, score in raw_beads:
            si = tuple(src_idx[k] for k in s)
            ti = tuple(tgt_idx[k] for k in t)
            src_text, tgt_text = _join(src_segs, si), _join(tgt_segs, ti)
            if s and t:
                weak = self.min_score is not None and score < self.min_score
                if weak or (mixed and contradicts(src_text, tgt_text)):
                    beads.extend(_unpair(si, ti, src_segs, tgt_segs))
                    continue
            beads.append(Bead(si, ti, src_text, tgt_text, float(score)))
        n = len(src_idx)
        return ParallelCorpus(
            beads,
            src_segs,
            tgt_segs,
            self.langs,
            warnings,
            timings,
            src_stream=list(src_idx),
            tgt_stream=list(tgt_idx),
            src_embeddings=emb[:n],
            tgt_embeddings=emb[n:],
        )

    def _embed(self, texts: list[str]) -> np.ndarray:
        show = (
            self.progress
            if self.progress is not None
            else (len(texts) > 2000 and sys.stderr.isatty())
        )
        if not show or len(texts) <= 256:
            return embed_unique(self.embedder, texts)
        from tqdm import tqdm

        parts = []
        step = 1024
        with tqdm(total=len(texts), unit="seg", desc="embedding", file=sys.stderr) as bar:
            for k in range(0, len(texts), step):
                parts.append(embed_unique(self.embedder, texts[k : k + step]))
                bar.update(min(step, len(texts) - k))
        return np.concatenate(parts)


#: A ``lang`` attribute in the page decides a segment's language when the detector is
#: less sure than this of another one of the two languages (short lines such as
#: "Hospital general" read as both). It never gives a language to an ``und`` segment.
HINT_OVERRIDES_BELOW = 0.9


def _with_hint(label: LangLabel, hint: str, langs: tuple[str, str]) -> LangLabel:
    if hint in langs and label.lang not in (hint, UND) and label.confidence < HINT_OVERRIDES_BELOW:
        return LangLabel(hint, label.confidence)
    return label


def _reusing(
    texts: list[str], emb: np.ndarray, embedder: Embedder
) -> Callable[[list[str]], np.ndarray]:
    """An encode function that serves the texts already embedded from ``emb`` and embeds
    only the new ones (attach asks mostly for joined texts, plus the single segments
    the alignment already has)."""
    known = {t: k for k, t in enumerate(texts)}

    def encode(batch: list[str]) -> np.ndarray:
        new = [t for t in batch if t not in known]
        fresh = embed_unique(embedder, new) if new else emb[:0]
        where = {t: k for k, t in enumerate(new)}
        return np.stack([emb[known[t]] if t in known else fresh[where[t]] for t in batch])

    return encode


def _join(segs: list[Segment], idx: tuple[int, ...]) -> str:
    return " ".join(segs[i].text for i in idx)


#: In a mixed document, segments of one language further apart than this many positions
#: are never merged into one bead.
MAX_MERGE_GAP = 3


def _breaks(stream: list[int]) -> np.ndarray:
    pos = np.asarray(stream)
    return np.diff(pos) > MAX_MERGE_GAP if len(pos) > 1 else np.zeros(len(pos), dtype=bool)


def _unpair(
    si: tuple[int, ...], ti: tuple[int, ...], src_segs: list[Segment], tgt_segs: list[Segment]
) -> list[Bead]:
    return [Bead((i,), (), src_segs[i].text, "", 0.0) for i in si] + [
        Bead((), (j,), "", tgt_segs[j].text, 0.0) for j in ti
    ]


def _is_sequence(doc: object) -> bool:
    return isinstance(doc, Sequence) and not isinstance(doc, str)


def _check_langs(langs: object) -> tuple[str, str]:
    if (
        not isinstance(langs, tuple | list)
        or len(langs) != 2
        or not all(isinstance(x, str) and x for x in langs)
    ):
        raise LanguageError(f"langs must be two language codes such as ('en', 'es'); got {langs!r}")
    if langs[0] == langs[1]:
        raise LanguageError(f"langs must name two different languages; got {langs!r}")
    return (langs[0], langs[1])


def align(doc: object, *, langs: tuple[str, str] = ("en", "es"), **options: Any) -> ParallelCorpus:
    """Find the translation pairs inside one mixed-language document.

    ``doc`` is a string, a sequence of strings (each item is one segment, exactly as
    given) or a ``pathlib.Path``; text and files are read by kind (an HTML page's blocks
    without its furniture, wrapped text's paragraphs, or one segment per line: see
    docs/input.md). Options: ``model`` (None for the embedded encoder, a
    sentence-transformers name or folder, or any object with ``encode``), ``split``
    ("lines" or "sentences"), ``input_format`` ("auto", "html", "text", "lines"),
    ``keep_furniture``, ``granularity`` ("paragraph" or "sentence"), ``min_score``,
    ``config`` (:class:`AlignConfig`), ``detector``, ``progress``.

    Raises :class:`bialign.LanguageError` when the document lacks one of the languages.
    """
    return Aligner(langs=langs, **options).align(doc)


def align_documents(
    src: object, tgt: object, *, langs: tuple[str, str] = ("en", "es"), **options: Any
) -> ParallelCorpus:
    """Align two monolingual documents that translate each other (same options as align)."""
    return Aligner(langs=langs, **options).align_documents(src, tgt)
