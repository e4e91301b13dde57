"""The public entry points: one mixed document, two documents, or many of either.

Data flows one way: segment -> langid -> embed -> align -> corpus.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .align import MIXED, AlignConfig, align_embeddings
from .attach import attach_fragments, stands_alone
from .consistency import contradicts
from .corpus import Bead, ParallelCorpus, Segment
from .embed import Embedder, embed_unique, load_embedder
from .errors import LanguageError
from .langid import UND, LanguageDetector, SegmentLanguageIdentifier, is_lone_name
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

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.model)
        return self._embedder

    # -- one mixed document ------------------------------------------------------------

    def align(self, doc: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw = read_document(doc, markup=self.markup)
        segments = self._label(raw, split=self.split == "sentences" and not _is_sequence(doc))
        memo: dict[str, np.ndarray] = {}
        segments = self._short_translations(segments, memo)
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
        corpus = self._align_streams(segments, segments, src_idx, tgt_idx, timings, memo)
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

    def _short_translations(
        self, segments: list[Segment], memo: dict[str, np.ndarray]
    ) -> list[Segment]:
        """Labels of short lines checked against their translations on the page.

        A short line and its best match among the short lines near it on the page (other
        texts, within TRANSLATION_WINDOW positions), when they embed at least
        TRANSLATION_COSINE apart, are a translation pair: headings and replies
        ("Monitoring" / "Vigilancia", "Yes." / "Sí."). So a line taken for a lone name
        with such a match is language after all (a name is not translated): the detector
        labels it, as any line. And a line labelled less surely than FLIP_CONFIDENCE
        whose match got the same language, more surely, takes the other language
        ("Conclusion" / "Conclusión" both looked Spanish). The embeddings are kept in
        ``memo`` for the alignment.
        """
        langs = self.langs
        short = [
            k
            for k, s in enumerate(segments)
            if 0 < len(s.text.split()) <= SHORT_LINE_WORDS
            and (s.lang in langs or is_lone_name(s.text, langs))
        ]
        asks = [
            r
            for r, k in enumerate(short)
            if segments[k].lang == UND or segments[k].lang_confidence < FLIP_CONFIDENCE
        ]
        if len(short) < 2 or not asks:
            return segments
        texts = [segments[k].text[:MAX_SEGMENT_CHARS] for k in short]
        emb = self._embed(texts)
        memo.update(zip(texts, emb, strict=True))
        ids = np.unique(np.array([t.strip() for t in texts]), return_inverse=True)[1]
        pos = np.array(short)
        lo = np.searchsorted(pos, pos - TRANSLATION_WINDOW, side="left")
        hi = np.searchsorted(pos, pos + TRANSLATION_WINDOW, side="right")
        match: dict[int, int] = {}  # row in short -> row of its best match
        for r in asks:
            sims = emb[lo[r] : hi[r]] @ emb[r]
            sims[ids[lo[r] : hi[r]] == ids[r]] = -1.0
            c = int(sims.argmax())
            if sims[c] >= TRANSLATION_COSINE:
                match[r] = lo[r] + c
        translated = {short[r] for r in match if segments[short[r]].lang == UND}
        if translated:
            labels = self._identifier.identify(
                [s.text[:MAX_SEGMENT_CHARS] for s in segments], langs, translated
            )
            segments = [
                replace(s, lang=lab.lang, lang_confidence=lab.confidence)
                for s, lab in zip(segments, labels, strict=True)
            ]
        for r, c in match.items():
            weak, sure = segments[short[r]], segments[short[c]]
            if (
                weak.lang in langs
                and weak.lang == sure.lang
                and weak.lang_confidence < FLIP_CONFIDENCE
                and weak.lang_confidence < sure.lang_confidence
            ):
                other = langs[1] if weak.lang == langs[0] else langs[0]
                segments[short[r]] = replace(
                    weak, lang=other, lang_confidence=1 - weak.lang_confidence
                )
        return segments

    def _align_streams(
        self,
        src_segs: list[Segment],
        tgt_segs: list[Segment],
        src_idx: list[int],
        tgt_idx: list[int],
        timings: dict[str, float],
        memo: dict[str, np.ndarray] | None = None,
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
        emb = self._embed_known(texts, memo or {})
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
            np.array([stands_alone(t) for t in texts[: len(src_idx)]], dtype=bool),
            np.array([stands_alone(t) for t in texts[len(src_idx) :]], dtype=bool),
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

    def _embed_known(self, texts: list[str], memo: dict[str, np.ndarray]) -> np.ndarray:
        """Embeddings of ``texts``, taking those already in ``memo`` from it."""
        if not memo:
            return self._embed(texts)
        new = list(dict.fromkeys(t for t in texts if t not in memo))
        if new:
            memo.update(zip(new, self._embed(new), strict=True))
        return np.stack([memo[t] for t in texts]) if texts else self._embed(texts)

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


#: A line taken for a lone name is language when a short line of the page (at most
#: SHORT_LINE_WORDS words) embeds at least this close to it. With the default encoder,
#: on the dev split of benchmarks/hard_enes.py, names reach at most 0.49 against any
#: short line of their page and 87% of headings with a translation on it reach 0.55.
#: Another encoder's cosines may want another value.
TRANSLATION_COSINE = 0.55
SHORT_LINE_WORDS = 8
#: Of a translation pair of short lines with the same label, the less sure one takes the
#: other language when its label's posterior is below this (dev: the wrong ones were at
#: 0.03-0.58, see docs/langid.md).
FLIP_CONFIDENCE = 0.7
#: A short line's translation is looked for among the short lines at most this many
#: positions away, so the check stays linear in the length of the document.
TRANSLATION_WINDOW = 200


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
    ``min_score``, ``config`` (:class:`AlignConfig`), ``detector``, ``progress``.

    Raises :class:`bialign.LanguageError` when the document lacks one of the languages.
    """
    return Aligner(langs=langs, **options).align(doc)


def align_documents(
    src: object, tgt: object, *, langs: tuple[str, str] = ("en", "es"), **options: Any
) -> ParallelCorpus:
    """Align two monolingual documents that translate each other (same options as align)."""
    return Aligner(langs=langs, **options).align_documents(src, tgt)
