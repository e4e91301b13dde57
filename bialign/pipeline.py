"""The public entry points: one mixed document, two documents, or many of either.

Data flows one way: segment -> langid -> embed -> align -> corpus.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .attach import attach_fragments, stands_alone
from .confidence import features, with_confidence
from .consistency import contradicts
from .corpus import Bead, ParallelCorpus, Segment
from .embed import Embedder, embed_unique, load_embedder
from .errors import ConfigError, LanguageError
from .granularity import GRANULARITIES, to_sentences
from .langid import (
    UND,
    LangLabel,
    LanguageDetector,
    SegmentLanguageIdentifier,
    is_lone_name,
    is_undetermined,
)
from .languages import language, text_length
from .profile import Profile, encoder_name, resolve
from .provenance import make_signature
from .readers import INPUT_FORMATS
from .search import AlignConfig, align_embeddings
from .segment import MAX_SEGMENT_CHARS, RawSegment, read_document, split_sentences
from .threads import limited, resolve_threads

SPLIT_MODES = ("lines", "sentences")
#: Segments of each monolingual document whose language is checked (evenly spread).
LANGUAGE_SAMPLE = 200


@dataclass(frozen=True)
class _LanguageCheck:
    """What the sample of one monolingual document looked like."""

    lang: str  # the language it was given as
    counts: dict[str, int]  # sampled segments per label, und included

    @property
    def labelled(self) -> int:
        return sum(n for lang, n in self.counts.items() if lang != UND)

    @property
    def share(self) -> float:
        """Share of the sampled segments with a language that are in the given one."""
        return self.counts.get(self.lang, 0) / self.labelled if self.labelled else 1.0

    def looks_like(self, other: str) -> bool:
        """Most of the sample (and at least 3 segments) is in ``other``."""
        n = self.counts.get(other, 0)
        return n >= 3 and n > self.labelled / 2

    def describe(self, lang: str) -> str:
        return f"{self.counts.get(lang, 0)} of {self.labelled} sampled segments {lang!r}"


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
    #: Threads for every pool bialign runs (BLAS, the default encoder, language
    #: identification); None: the CPUs this process may use (:mod:`bialign.threads`).
    #: Give fewer where other work shares the machine.
    threads: int | None = None
    #: A folder for a persistent embedding cache (:mod:`bialign.cache`): each distinct
    #: text is embedded once per encoder, across runs and worker processes.
    cache_dir: str | Path | None = None

    def __post_init__(self) -> None:
        self.langs = _check_langs(self.langs)
        if self.split not in SPLIT_MODES:
            raise ConfigError(f"split must be one of {SPLIT_MODES}, got {self.split!r}")
        if self.granularity not in GRANULARITIES:
            raise ConfigError(
                f"granularity must be one of {GRANULARITIES}, got {self.granularity!r}"
            )
        if self.input_format not in INPUT_FORMATS:
            raise ConfigError(
                f"input_format must be one of {INPUT_FORMATS}, got {self.input_format!r}"
            )
        self._threads = resolve_threads(self.threads)
        self._identifier = SegmentLanguageIdentifier(self.detector)
        self._embedder: Embedder | None = None
        self._profile: Profile | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            embedder = load_embedder(self.model, threads=self._threads)
            if self.cache_dir is not None:
                from .cache import CachedEmbedder

                embedder = CachedEmbedder(embedder, self.cache_dir)
            self._embedder = embedder
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
        with limited(self._threads):
            return self._align(doc)

    def _align(self, doc: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw = self._read(doc, "doc")
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
                f"(segments per language: {counts})",
                hint="for two monolingual documents use bialign.align_documents(src, tgt)",
                cli_hint="for two monolingual documents use bialign align-docs SRC TGT",
                counts=counts,
                missing=missing,
            )
        corpus = self._align_streams(segments, segments, src_idx, tgt_idx, timings, memo)
        return self._refine(corpus)

    # -- two documents -----------------------------------------------------------------

    def align_documents(self, src: object, tgt: object) -> ParallelCorpus:
        with limited(self._threads):
            return self._align_documents(src, tgt)

    def _align_documents(self, src: object, tgt: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw_src = self._read(src, "src")
        raw_tgt = self._read(tgt, "tgt")
        split = self.split == "sentences"
        a, b = self.langs
        src_check, tgt_check = self._check_language(raw_src, a), self._check_language(raw_tgt, b)
        warnings = []
        if src_check.looks_like(b) and tgt_check.looks_like(a):
            # The two documents were given in the wrong order: align them the right way
            # round, so that every column holds the language its header names.
            warnings.append(
                f"src looks {b!r} and tgt looks {a!r} (src: {src_check.describe(b)}; tgt: "
                f"{tgt_check.describe(a)}): aligned them the other way round, so the {a!r} "
                "side (src segments and indices) is the second document given"
            )
            raw_src, raw_tgt = raw_tgt, raw_src
            src, tgt = tgt, src
            src_check, tgt_check = (
                _LanguageCheck(a, tgt_check.counts),
                _LanguageCheck(b, src_check.counts),
            )
        else:
            for name, check, lang in (("src", src_check, a), ("tgt", tgt_check, b)):
                other = b if lang == a else a
                if check.looks_like(other):
                    raise LanguageError(
                        f"{name} was given as {lang!r} but looks {other!r} "
                        f"({check.describe(other)}; the detector chooses between "
                        f"{a!r} and {b!r} only)",
                        hint="pass a document and its translation, in the order of langs",
                        cli_hint="pass a document and its translation, in the order of --langs",
                        document=name,
                        counts=check.counts,
                    )
        src_segs = self._label_monolingual(raw_src, a, src_check, split and not _is_sequence(src))
        tgt_segs = self._label_monolingual(raw_tgt, b, tgt_check, split and not _is_sequence(tgt))
        timings["langid"] = time.perf_counter() - t0
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

    def sample_languages(self, doc: object, name: str = "doc") -> dict[str, int]:
        """How many of an evenly spread sample of the document's segments the detector
        puts in each language (``und`` included), read as :meth:`align` reads it: enough
        to sort a crawl's pages into mixed and one-language ones."""
        with limited(self._threads):
            return self._check_language(self._read(doc, name), self.langs[0]).counts

    def _check_language(self, raw: list[RawSegment], lang: str) -> _LanguageCheck:
        """Identify the language of an evenly spread sample of a monolingual document's
        segments: enough to catch a wrong or swapped document, at a fraction of the cost
        of labelling every segment (alignment itself does not need the labels)."""
        texts = [r.text[:MAX_SEGMENT_CHARS] for r in raw if r.text]
        step = max(1, len(texts) // LANGUAGE_SAMPLE)
        sample = texts[::step][:LANGUAGE_SAMPLE]
        labels = self._identifier.identify(sample, self.langs)
        counts = {x: sum(lab.lang == x for lab in labels) for x in (*self.langs, UND)}
        return _LanguageCheck(lang, counts)

    def _label_monolingual(
        self, raw: list[RawSegment], lang: str, check: _LanguageCheck, split: bool
    ) -> list[Segment]:
        """Segments of a monolingual document: its language on every segment that has a
        language of its own, ``und`` on the rest; the confidence is the share of the
        sampled segments that the detector found in that language."""
        if split:
            raw = split_sentences(raw, [lang])
        confidence = check.share
        out = []
        for r in raw:
            text = r.text[:MAX_SEGMENT_CHARS]
            if not text or is_undetermined(text, self.langs):
                out.append(Segment(r.index, r.text, UND, 1.0, r.line))
            else:
                out.append(Segment(r.index, r.text, lang, confidence, r.line))
        return out

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
        emb = self._embed_known(texts, memo or {})
        timings["embed"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        # Lengths in the length model's unit, so that Chinese and Latin text compare.
        src_len = np.array([text_length(src_segs[i].text) for i in src_idx], dtype=np.float64)
        tgt_len = np.array([text_length(tgt_segs[j].text) for j in tgt_idx], dtype=np.float64)
        mixed = src_segs is tgt_segs
        raw_beads = align_embeddings(
            emb[: len(src_idx)],
            emb[len(src_idx) :],
            src_len,
            tgt_len,
            self.config or self.encoder_profile.align_config(mixed),
            _breaks(src_idx) if mixed else None,
            _breaks(tgt_idx) if mixed else None,
            np.array([stands_alone(t) for t in texts[: len(src_idx)]], dtype=bool),
            np.array([stands_alone(t) for t in texts[len(src_idx) :]], dtype=bool),
        )
        joiners = (language(self.langs[0]).joiner, language(self.langs[1]).joiner)
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
                joiners=joiners,
            )
        timings["align"] = time.perf_counter() - t0
        beads = []
        for s, t, score in raw_beads:
            si = tuple(src_idx[k] for k in s)
            ti = tuple(tgt_idx[k] for k in t)
            src_text, tgt_text = _join(src_segs, si, joiners[0]), _join(tgt_segs, ti, joiners[1])
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


def _join(segs: list[Segment], idx: tuple[int, ...], joiner: str) -> str:
    return joiner.join(segs[i].text for i in idx)


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
    ``keep_furniture``, ``granularity`` ("paragraph" or "sentence"), ``min_score`` (raw
    score) or ``min_confidence`` (calibrated, 0-1), ``profile`` (an encoder profile or its
    JSON path), ``config`` (:class:`AlignConfig`), ``detector``, ``progress``, ``threads``
    (for every pool; default: the CPUs this process may use), ``cache_dir`` (a folder for
    a persistent embedding cache).

    Raises :class:`bialign.LanguageError` when the document lacks one of the languages.
    """
    return Aligner(langs=langs, **options).align(doc)


def align_documents(
    src: object, tgt: object, *, langs: tuple[str, str] = ("en", "es"), **options: Any
) -> ParallelCorpus:
    """Align two monolingual documents that translate each other (same options as align)."""
    return Aligner(langs=langs, **options).align_documents(src, tgt)
