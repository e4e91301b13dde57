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

from .align import AlignConfig, align_embeddings
from .attach import attach_fragments
from .confidence import features, with_confidence
from .consistency import contradicts
from .corpus import Bead, ParallelCorpus, Segment
from .embed import Embedder, embed_unique, load_embedder
from .errors import LanguageError
from .langid import UND, LanguageDetector, SegmentLanguageIdentifier
from .profile import Profile, encoder_name, resolve
from .provenance import make_signature
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
    #: Unpair pairs whose raw score (the encoder's own scale) is below this.
    min_score: float | None = None
    #: Unpair pairs whose calibrated confidence is below this (same meaning for every
    #: encoder with a profile; see docs/score.md).
    min_confidence: float | None = None
    #: The encoder profile (:mod:`bialign.profile`): a Profile or the path of its JSON
    #: file; None looks up the profile shipped for the encoder.
    profile: Profile | str | None = None
    progress: bool | None = None
    #: Remove HTML tags and decode entities (see :func:`bialign.segment.strip_markup`);
    #: False keeps the text exactly as given (for documents about markup).
    markup: bool = True
    #: Between two documents, let a segment left unaligned next to a pair join it when
    #: the joined text is a closer translation (:mod:`bialign.attach`).
    attach: bool = True

    def __post_init__(self) -> None:
        self.langs = _check_langs(self.langs)
        if self.split not in SPLIT_MODES:
            raise ValueError(f"split must be one of {SPLIT_MODES}, got {self.split!r}")
        self._identifier = SegmentLanguageIdentifier(self.detector)
        self._embedder: Embedder | None = None
        self._profile: Profile | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.model)
        return self._embedder

    @property
    def encoder_profile(self) -> Profile:
        """The profile in use (resolved once; warns once when the encoder has none)."""
        if self._profile is None:
            self._profile = resolve(self.profile, self.embedder)
        return self._profile

    def signature(self, mixed: bool) -> str:
        """The provenance line of the corpora this aligner makes (bialign.provenance)."""
        prof = self.encoder_profile
        changed: dict[str, object] = {}
        if self.config is not None and self.config != prof.align_config(mixed):
            changed["config"] = "custom"
        for name, value, default in (
            ("min_score", self.min_score, None),
            ("min_confidence", self.min_confidence, None),
            ("markup", self.markup, True),
            ("attach", self.attach, True),
        ):
            if value != default:
                changed[name] = value
        if self.detector is not None:
            changed["detector"] = type(self.detector).__name__
        enc = encoder_name(self.embedder) or type(self.embedder).__name__
        return make_signature(
            enc,
            f"{prof.name}@{prof.digest}",
            self.langs,
            "mixed" if mixed else "docs",
            self.split,
            changed,
        )

    # -- one mixed document ------------------------------------------------------------

    def align(self, doc: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw = read_document(doc, markup=self.markup)
        segments = self._label(raw, split=self.split == "sentences" and not _is_sequence(doc))
        timings["langid"] = time.perf_counter() - t0
        a, b = self.langs
        src_idx = [s.index for s in segments if s.lang == a]
        tgt_idx = [s.index for s in segments if s.lang == b]
        if not src_idx or not tgt_idx:
            counts = {lang: sum(s.lang == lang for s in segments) for lang in (a, b, UND)}
            missing = a if not src_idx else b
            raise LanguageError(
                f"the document has no {missing!r} segment, so there is nothing to pair "
                f"(segments per language: {counts}); use align_documents() for two "
                "monolingual documents"
            )
        corpus = self._align_streams(segments, segments, src_idx, tgt_idx, timings)
        return corpus

    # -- two documents -----------------------------------------------------------------

    def align_documents(self, src: object, tgt: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw_src = read_document(src, name="src", markup=self.markup)
        raw_tgt = read_document(tgt, name="tgt", markup=self.markup)
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
        return corpus

    # -- shared steps ------------------------------------------------------------------

    def _label(self, raw: list[RawSegment], split: bool) -> list[Segment]:
        texts = [r.text[:MAX_SEGMENT_CHARS] for r in raw]
        labels = self._identifier.identify(texts, self.langs)
        if split:
            raw = split_sentences(raw, [lab.lang for lab in labels])
            texts = [r.text[:MAX_SEGMENT_CHARS] for r in raw]
            labels = self._identifier.identify(texts, self.langs)
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
                warnings.append(
                    f"{len(long)} {side}segment(s) longer than {MAX_SEGMENT_CHARS} characters "
                    f"were analysed on their first {MAX_SEGMENT_CHARS} only (indices {long[:10]})"
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
            self.config or self.encoder_profile.align_config(mixed),
            _breaks(src_idx) if mixed else None,
            _breaks(tgt_idx) if mixed else None,
        )
        if not mixed and self.attach:
            # Short clauses left unaligned next to a pair get a second look with their
            # joined text (bialign.attach); between two documents only.
            n_src = len(src_idx)
            raw_beads = attach_fragments(
                raw_beads,
                texts[:n_src],
                texts[n_src:],
                _reusing(texts, emb, self.embedder),
                **self.encoder_profile.attach,
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
        t0 = time.perf_counter()
        beads = self._confidence(beads, src_segs, tgt_segs, src_idx, tgt_idx, emb, mixed)
        timings["confidence"] = time.perf_counter() - t0
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
            signature=self.signature(mixed),
        )

    def _confidence(
        self,
        beads: list[Bead],
        src_segs: list[Segment],
        tgt_segs: list[Segment],
        src_idx: list[int],
        tgt_idx: list[int],
        emb: np.ndarray,
        mixed: bool,
    ) -> list[Bead]:
        """The beads with their calibrated confidence; with ``min_confidence``, pairs
        below it are unpaired and the unaligned segments scored again."""
        n = len(src_idx)
        streams = (src_segs, tgt_segs, src_idx, tgt_idx, emb[:n], emb[n:])
        prof = self.encoder_profile
        beads = with_confidence(beads, features(beads, *streams), prof, mixed)
        if self.min_confidence is None:
            return beads
        weak = [b.is_pair and (b.confidence or 0.0) < self.min_confidence for b in beads]
        if not any(weak):
            return beads
        kept: list[Bead] = []
        for b, w in zip(beads, weak, strict=True):
            kept.extend(_unpair(b.src, b.tgt, src_segs, tgt_segs) if w else [b])
        return with_confidence(kept, features(kept, *streams), prof, mixed)

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

    ``doc`` is a string (each non-empty line is a segment), a sequence of strings (each
    item is one segment, never re-split) or a ``pathlib.Path`` to a UTF-8 text file.
    Options: ``model`` (None for the embedded encoder, a sentence-transformers name or
    folder, or any object with ``encode``), ``split`` ("lines" or "sentences"),
    ``min_score`` (raw score) or ``min_confidence`` (calibrated, 0-1), ``profile`` (an
    encoder profile or its JSON path), ``config`` (:class:`AlignConfig`), ``detector``,
    ``progress``.

    Raises :class:`bialign.LanguageError` when the document lacks one of the languages.
    """
    return Aligner(langs=langs, **options).align(doc)


def align_documents(
    src: object, tgt: object, *, langs: tuple[str, str] = ("en", "es"), **options: Any
) -> ParallelCorpus:
    """Align two monolingual documents that translate each other (same options as align)."""
    return Aligner(langs=langs, **options).align_documents(src, tgt)
