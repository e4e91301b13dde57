"""The public entry points: one mixed document, two documents, or many of either.

Data flows one way: segment -> langid -> embed -> align -> corpus.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
from collections import ChainMap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from .about import CODE_STAMP, __version__
from .absorbed import release_absorbed
from .attach import attach_fragments, stands_alone
from .confidence import features, with_confidence
from .consistency import contradicts
from .corpus import Bead, ParallelCorpus, Segment
from .embed import (
    Embedder,
    embed_unique,
    encoder_label,
    load_embedder,
    model_name,
    predicted_identity,
    unit_rows,
)
from .errors import ConfigError, InputError, LanguageError
from .granularity import to_sentences
from .langid import (
    FIT_SAMPLE_DOCUMENT,
    FIT_SETTINGS,
    RULES_VERSION,
    UND,
    ForeignReading,
    LangLabel,
    SegmentLanguageIdentifier,
    content_words,
    foreign_reading,
    is_lone_name,
    third_language_segments,
    undetermined_lines,
)
from .languages import language, text_length
from .options import Options
from .profile import Profile, encoder_name, resolve
from .provenance import make_signature
from .search import align_embeddings
from .segment import (
    MAX_SEGMENT_CHARS,
    RawSegment,
    ReadDocument,
    read_document,
    refuse_file_name,
    split_sentences,
)
from .sentences import open_boundaries
from .threads import limited, resolve_threads

#: Segments of each monolingual document whose language is checked (evenly spread).
LANGUAGE_SAMPLE = 200


@dataclass(frozen=True)
class _LanguageCheck:
    """What the sample of one monolingual document looked like."""

    lang: str  # the language it was given as
    counts: dict[str, int]  # sampled segments per label, und included
    #: What the longest sampled segments read as among more languages, when most of them
    #: read as one outside ``langs`` (bialign.langid.foreign_reading), else None.
    foreign: ForeignReading | None = None

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

    def reads_as(self) -> str:
        """The language the document reads as: one outside langs when the fit check
        found it, else the label most of its sample got (the one it was given on a tie)."""
        if self.foreign is not None:
            return self.foreign.other
        best = max((n, x == self.lang, x) for x, n in self.counts.items() if x != UND)
        return best[2] if best[0] > 0 else self.lang


class Aligner:
    """A configured pipeline; keeps its encoder loaded across documents.

    Built from :class:`bialign.Options` and/or its fields as keywords
    (``Aligner(model="LaBSE", threads=2)``); the options are fixed once built
    (``aligner.options``). ``align`` and ``align_documents`` build one per call (the
    default encoder itself is cached per process); use an ``Aligner`` or ``align_many``
    for many documents.
    """

    def __init__(self, options: Options | None = None, /, **changes: Any) -> None:
        self.options = Options.of(options, **changes)
        self._threads = resolve_threads(self.options.threads)
        self._identifier = SegmentLanguageIdentifier(self.options.detector)
        self._samples: Any = None
        self._results: Any = None
        self._result_bases: dict[tuple[bool, str], str] = {}
        self._embedder: Embedder | None = None
        self._profile: Profile | None = None
        self._signatures: dict[bool, str] = {}
        self._ahead: dict[str, np.ndarray] = {}
        if self.options.cache_dir is not None:
            from .cache import open_vectors

            open_vectors(self.options.cache_dir).close()  # a bad folder stops here

    def __repr__(self) -> str:
        return f"Aligner({self.options!r})"

    @property
    def langs(self) -> tuple[str, str]:
        return self.options.langs

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            embedder = load_embedder(self.options.model, threads=self._threads)
            if self.options.cache_dir is not None:
                from .cache import CachedEmbedder

                embedder = CachedEmbedder(embedder, self.options.cache_dir)
            self._embedder = embedder
        return self._embedder

    @property
    def encoder_profile(self) -> Profile:
        """The profile in use (resolved once; warns once when the encoder has none)."""
        if self._profile is None:
            self._profile = resolve(self.options.profile, self._named())
        return self._profile

    def _named(self) -> object:
        """The encoder, or while it is not loaded something with its name: a profile and
        a signature need only the name, and align_segments with given embeddings may
        never need the encoder itself."""
        if self._embedder is not None:
            return self._embedder
        model = self.options.model
        name = model_name(model)
        if model is not None and not isinstance(model, str | Path):
            identity = getattr(model, "identity", None)
            if name is None and self.options.cache_dir is not None and isinstance(identity, str):
                return SimpleNamespace(name=identity)  # as the cache's wrapper names it
            return model
        return SimpleNamespace(name=name)

    def signature(self, mixed: bool) -> str:
        """The provenance line of the corpora this aligner makes (bialign.provenance);
        made once per mode, since the options and the profile are fixed."""
        if mixed not in self._signatures:
            prof = self.encoder_profile
            named = self._named()
            enc = encoder_name(named) or encoder_label(named)
            self._signatures[mixed] = make_signature(
                enc,
                f"{prof.name}@{prof.digest}",
                self.langs,
                "mixed" if mixed else "docs",
                self.options.split,
                self.options.changed(),
            )
        return self._signatures[mixed]

    # -- one mixed document ------------------------------------------------------------

    def align(self, doc: object) -> ParallelCorpus:
        with limited(self._threads), _gc_paused():
            return self._stored(True, (doc,), self._align)

    def _align(self, doc: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw = self._read(doc, "doc")
        segments = self._label(
            raw, split=self.options.split == "sentences" and not _as_segments(doc)
        )
        memo: dict[str, np.ndarray] = {}
        segments = self._short_translations(segments, memo)
        a, b = self.langs
        third = self._check_fit({x: [s.text for s in segments if s.lang == x] for x in (a, b)})
        if third is not None:  # a page in a third language as well: its segments stay out
            segments = self._without_third_language(segments, third.other)
        timings["langid"] = time.perf_counter() - t0
        src_idx = [s.index for s in segments if s.lang == a]
        tgt_idx = [s.index for s in segments if s.lang == b]
        if not src_idx or not tgt_idx:
            counts = {lang: sum(s.lang == lang for s in segments) for lang in (a, b, UND)}
            missing = a if not src_idx else b
            long = [s for s in segments if len(s.text) > MAX_SEGMENT_CHARS]
            if long and self.options.split != "sentences":
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
        with limited(self._threads), _gc_paused():
            return self._stored(False, (src, tgt), self._align_documents)

    # -- finished alignments kept in cache_dir -----------------------------------------

    def _stored(
        self, mixed: bool, docs: tuple[object, ...], run: Callable[..., ParallelCorpus]
    ) -> ParallelCorpus:
        """``run(*docs)``, or the corpus a run with the same documents and settings stored
        in cache_dir. The documents are read first (once), since the key is made of what
        the aligner reads from them."""
        store = self._result_store()
        if store is None:
            return run(*docs)
        from .cache import document_key

        t0 = time.perf_counter()
        read = tuple(self.read(d, name) for d, name in zip(docs, _NAMES[mixed], strict=True))
        basis = self._result_basis(mixed)
        key = document_key(basis, read)
        corpus = store.get(key)
        if corpus is not None:
            corpus.timings["cache"] = time.perf_counter() - t0
            return corpus
        corpus = run(*read)
        # Under the loaded encoder's own identity (the key above used the one predicted
        # before loading it; they differ only where the prediction was wrong).
        loaded = self._result_basis(mixed)
        store.put(key if loaded == basis else document_key(loaded, read), corpus)
        return corpus

    def has_stored(self, mixed: bool, docs: tuple[ReadDocument, ...]) -> bool:
        """Whether cache_dir holds the finished alignment of these read documents."""
        store = self._result_store()
        return store is not None and store.has(self._result_key(mixed, docs))

    def _result_store(self) -> Any:
        """The store of finished alignments (cache_dir), or None: also None for a
        detector that does not name its results (``identity``), whose labels could not
        be told apart from another detector's."""
        if self.options.cache_dir is None or not self._detector_identity():
            return None
        if self._results is None:
            from .cache import ResultStore

            self._results = ResultStore(self.options.cache_dir)
        return self._results

    def _detector_identity(self) -> str:
        """The detector's ``identity`` with its class (a subclass that changes what a
        stock detector says keeps the stock identity), or "" when it has none."""
        detector = self._identifier.detector
        ident = getattr(detector, "identity", None)
        if not isinstance(ident, str) or not ident:
            return ""
        # The class's name without its module: a class of the main script is
        # __main__.X in this process and __mp_main__.X in align_many's workers.
        return f"{type(detector).__qualname__}:{ident}"

    def _result_key(self, mixed: bool, docs: tuple[ReadDocument, ...]) -> bytes:
        from .cache import document_key

        return document_key(self._result_basis(mixed), docs)

    def _result_basis(self, mixed: bool) -> str:
        """Everything about this aligner that decides a result: the code, the exact
        vectors, the profile and options (the signature), the detector and the labelling
        rules, and every option by value (the signature names a given AlignConfig only as
        "given")."""
        from .cache import encoder_identity

        # The encoder's identity without loading it where it can be told (the default
        # encoder, a named model): a re-run that finds every result loads no model.
        identity = predicted_identity(self.options.model) if self._embedder is None else None
        if identity is None:
            identity = encoder_identity(self.embedder)
        if (mixed, identity) not in self._result_bases:
            opts = {
                f.name: repr(getattr(self.options, f.name))
                for f in fields(self.options)
                if f.name
                not in ("threads", "progress", "cache_dir", "model", "detector", "profile")
            }
            self._result_bases[(mixed, identity)] = json.dumps(
                [
                    CODE_STAMP,
                    identity,
                    self.signature(mixed),
                    self._detector_identity(),
                    RULES_VERSION,
                    opts,
                ],  # fmt: skip
                sort_keys=True,
            )
        return self._result_bases[(mixed, identity)]

    def _align_documents(self, src: object, tgt: object) -> ParallelCorpus:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        raw_src = self._read(src, "src")
        raw_tgt = self._read(tgt, "tgt")
        split = self.options.split == "sentences"
        a, b = self.langs
        src_check = self._check_language(src, raw_src, a)
        tgt_check = self._check_language(tgt, raw_tgt, b)
        # First: a document in neither language of langs (before the order is judged,
        # which chooses between those two only and would name the wrong one).
        for name, check in (("src", src_check), ("tgt", tgt_check)):
            if check.foreign is not None:
                fit = (src_check.reads_as(), tgt_check.reads_as())
                found = replace(check.foreign, suggested=fit)
                self._refuse_langs(found, f"{name}, given as {check.lang!r},")
        warnings = []
        if src_check.looks_like(b) and tgt_check.looks_like(a):
            # The two documents were given in the wrong order: align them the right way
            # round, so that every column holds the language its header names.
            warnings.append(
                f"src looks {b!r} and tgt looks {a!r} (src: {src_check.describe(b)}; tgt: "
                f"{tgt_check.describe(a)}): aligned them the other way round. The {a!r} "
                f"side of the corpus (src segments and indices) holds the second document "
                f"given, the {b!r} side (tgt) the first"
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
                        hint="pass a document and its translation, in the order of langs; "
                        "for a document in another language, name it in langs=(...)",
                        cli_hint="pass a document and its translation, in the order of "
                        "--langs; for a document in another language, name it in --langs",
                        document=name,
                        counts=check.counts,
                    )
        src_segs = self._label_monolingual(raw_src, a, src_check, split and not _as_segments(src))
        tgt_segs = self._label_monolingual(raw_tgt, b, tgt_check, split and not _as_segments(tgt))
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

    # -- two documents already segmented: the middle layer ------------------------------

    def align_segments(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        *,
        embeddings: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> ParallelCorpus:
        """Align two documents given as their segments, ``src`` in ``langs[0]`` and
        ``tgt`` in ``langs[1]``: what :meth:`align_documents` does once it has read them,
        without reading, splitting or checking their languages.

        ``embeddings`` (one row per segment of each side, any scale) stand in for the
        encoder on the segments themselves; texts the aligner makes (attach's joined
        texts) still go to the encoder. Benchmarks and accuracy tests call this, so
        they measure the product rather than a copy of its steps.
        """
        with limited(self._threads), _gc_paused():
            sides = []
            for name, doc, lang in (("src", src, self.langs[0]), ("tgt", tgt, self.langs[1])):
                if not _is_sequence(doc) or not all(isinstance(t, str) for t in doc):
                    raise InputError(
                        f"{name} must be a list of segment strings, got {type(doc).__name__}",
                        hint="for a text or a file use align_documents()",
                        document=name,
                    )
                und = undetermined_lines([t[:MAX_SEGMENT_CHARS] for t in doc], self.langs)
                sides.append(
                    [Segment(k, t, UND if und[k] else lang, 1.0, k + 1) for k, t in enumerate(doc)]
                )
            src_segs, tgt_segs = sides
            src_idx = [s.index for s in src_segs if s.text]
            tgt_idx = [s.index for s in tgt_segs if s.text]
            given = None
            if embeddings is not None:
                s_emb, t_emb = _given_embeddings(embeddings, len(src_segs), len(tgt_segs))
                given = np.concatenate([s_emb[src_idx], t_emb[tgt_idx]])
            return self._align_streams(src_segs, tgt_segs, src_idx, tgt_idx, {}, given=given)

    def sample_languages(self, doc: object, name: str = "doc") -> dict[str, int]:
        """How many of an evenly spread sample of the document's segments the detector
        puts in each language (``und`` included), read as :meth:`align` reads it: enough
        to sort a crawl's pages into mixed and one-language ones."""
        with limited(self._threads):
            check = self._check_language(doc, self._read(doc, name), self.langs[0])
        if check.foreign is not None:  # a page in neither language: refused here, named
            found = check.foreign
            raise LanguageError(
                f"{name} reads as {found.other!r} ({found.count} of the {found.sampled} "
                f"longest sampled segments, asked among more languages), not as "
                f"{self.langs[0]!r} or {self.langs[1]!r}",
                hint="name the document's languages in langs=(...)",
                cli_hint="name the document's languages with --langs",
                found=found.other,
            )
        return check.counts

    def read(self, doc: object, name: str = "doc") -> ReadDocument:
        """The document read as this aligner reads it, to pass to several steps (a
        crawl's page is sampled, matched and aligned) without reading it again."""
        if isinstance(doc, ReadDocument):
            return doc
        with limited(self._threads):
            return ReadDocument(name, tuple(self._read(doc, name)), _is_sequence(doc))

    def _sample_store(self) -> Any:
        """The store of language-check counts beside the vectors (cache_dir), or None."""
        if self.options.cache_dir is None:
            return None
        if self._samples is None:
            from .cache import SampleCounts

            self._samples = SampleCounts(self.options.cache_dir)
        return self._samples

    def _check_language(self, doc: object, raw: list[RawSegment], lang: str) -> _LanguageCheck:
        """Identify the language of an evenly spread sample of a monolingual document's
        segments: enough to catch a wrong or swapped document, at a fraction of the cost
        of labelling every segment (alignment itself does not need the labels); and ask
        whether its longest sampled segments read as a language outside ``langs``."""
        key = (self.langs, type(self.options.detector).__name__)
        texts = [r.text[:MAX_SEGMENT_CHARS] for r in raw if r.text]
        step = max(1, len(texts) // LANGUAGE_SAMPLE)
        sample = texts[::step][:LANGUAGE_SAMPLE]
        # With cache_dir, a re-run reads the counts it stored, for a detector that names
        # its results (bialign's own do; a user's detector with an ``identity`` too).
        ident = self._detector_identity()
        store = self._sample_store() if ident else None
        detector = f"{ident}|{','.join(self.langs)}|{RULES_VERSION}|{__version__}"
        counts: dict[str, int] | None
        if isinstance(doc, ReadDocument) and key in doc.sampled:
            counts = doc.sampled[key]
        else:
            counts = store.get(detector, sample) if store is not None else None
            if counts is None:
                labels = self._identifier.identify(sample, self.langs)
                counts = {x: sum(lab.lang == x for lab in labels) for x in (*self.langs, UND)}
                if store is not None:
                    store.put(detector, sample, counts)
            if isinstance(doc, ReadDocument):
                doc.sampled[key] = counts
        # Stored beside the counts, as {language: segments, "": sampled} or {}, under the
        # check's own settings (a change to them must not read old outcomes).
        fit_key = f"{detector}|fit:{FIT_SETTINGS}"
        reading = store.get(fit_key, sample) if store is not None else None
        if reading is None:
            found = foreign_reading(
                {lang: sample}, self.langs, self._identifier.detector, FIT_SAMPLE_DOCUMENT
            )
            reading = (
                {}
                if found is None or not found.wrong_langs
                else {found.other: found.count, "": found.sampled}
            )
            if store is not None:
                store.put(fit_key, sample, reading)
        foreign = None
        if reading:  # the callers say which langs would fit (they know both documents)
            other = next(x for x in reading if x)
            foreign = ForeignReading(lang, other, reading[other], reading[""])
        return _LanguageCheck(lang, counts, foreign)

    def _check_fit(self, groups: dict[str, list[str]]) -> ForeignReading | None:
        """A LanguageError when ``langs`` does not fit a mixed document: the identifier
        chooses between its two languages only, so a page in English and Spanish aligned
        as English/German would go out with its Spanish under the German header
        (bialign.langid.foreign_reading). Two documents are checked one by one, in
        :meth:`_check_language`."""
        texts = {lang: [t[:MAX_SEGMENT_CHARS] for t in items] for lang, items in groups.items()}
        found = foreign_reading(texts, self.langs, self._identifier.detector)
        if found is not None and found.wrong_langs:
            self._refuse_langs(found, f"the segments labelled {found.label!r}")
        return found

    def _without_third_language(self, segments: list[Segment], other: str) -> list[Segment]:
        """The segments, those that read as ``other`` (a third language of the page)
        labelled ``und``: they have no pair in ``langs``."""
        labelled = [k for k, s in enumerate(segments) if s.lang in self.langs]
        found = third_language_segments(
            [segments[k].text[:MAX_SEGMENT_CHARS] for k in labelled],
            other,
            self.langs,
            self._identifier.detector,
        )
        out = list(segments)
        for r in found:
            s = out[labelled[r]]
            out[labelled[r]] = Segment(s.index, s.text, UND, 1.0, s.line)
        return out

    def _refuse_langs(self, found: ForeignReading, where: str) -> None:
        a, b = self.langs
        fit = found.suggested
        raise LanguageError(
            f"{where} read as {found.other!r}: {found.count} of the {found.sampled} longest, "
            f"asked again among more languages (the identifier chooses between {a!r} and "
            f"{b!r} only), so langs={self.langs!r} does not fit this document",
            hint=f"name the document's languages, e.g. langs={fit!r}",
            cli_hint=f"name the document's languages, e.g. --langs {fit[0]} {fit[1]}",
            found=found.other,
            label=found.label,
        )

    def _label_monolingual(
        self, raw: list[RawSegment], lang: str, check: _LanguageCheck, split: bool
    ) -> list[Segment]:
        """Segments of a monolingual document: its language on every segment that has a
        language of its own, ``und`` on the rest; the confidence is the share of the
        sampled segments that the detector found in that language."""
        if split:
            raw = split_sentences(raw, [lang])
        confidence = check.share
        texts = [r.text[:MAX_SEGMENT_CHARS] for r in raw]
        und = undetermined_lines(texts, self.langs)
        out = []
        for r, text, no_language in zip(raw, texts, und, strict=True):
            if not text or no_language:
                out.append(Segment(r.index, r.text, UND, 1.0, r.line))
            else:
                out.append(Segment(r.index, r.text, lang, confidence, r.line))
        return out

    # -- shared steps ------------------------------------------------------------------

    def _refine(self, corpus: ParallelCorpus) -> ParallelCorpus:
        if self.options.granularity != "sentence":
            return corpus
        t0 = time.perf_counter()
        corpus = to_sentences(corpus, lambda texts: embed_unique(self.embedder, texts))
        corpus.timings["sentences"] = time.perf_counter() - t0
        return corpus

    def _read(self, doc: object, name: str) -> list[RawSegment]:
        return read_document(
            doc,
            name=name,
            markup=self.options.markup,
            input_format=self.options.input_format,
            keep_furniture=self.options.keep_furniture,
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
        ("Monitoring" / "Vigilancia", "Yes." / "Sí."); two lines both taken for names
        must also read as two languages (:meth:`_crossing`). So a line taken for a lone
        name with such a match is language after all (a name is not translated): the
        detector labels it, as any line. And a line labelled less surely than FLIP_CONFIDENCE
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
        match = self._crossing(segments, short, match)
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

    def _crossing(
        self, segments: list[Segment], short: list[int], match: dict[int, int]
    ) -> dict[int, int]:
        """``match`` (a row of ``short`` -> the row of its best match) without the
        matches of two lines taken for names that read as one language on their own.

        A translation pair crosses languages. Two names embed close because both are
        names ("Javier Ortega" / "Luis Noguera" at 0.60 with the default encoder), and
        each alone reads as either language, no more surely than a coin; two headings
        of rare words read as theirs ("Iterators" / "Iteradores"). Dev split of
        benchmarks/hard_enes.py, ten seeds: names 0.983 -> 0.988, headings and replies
        unchanged (docs/langid.md). Two lines of the same words, as written, in another order or
        markup ("Enum HOWTO" / "HOWTO - Enum", "A.M." / "*A.M."), are one heading kept in
        both languages, not two names: their match stands. So does the match of one name
        written in two orders ("Javier Ortega" / "Ortega, Javier"): a gap."""

        def words(r: int) -> set[str]:
            return set(content_words(segments[short[r]].text))

        both = [
            r
            for r, c in match.items()
            if segments[short[r]].lang == UND
            and segments[short[c]].lang == UND
            and words(r) != words(c)
        ]
        if not both:
            return match
        rows = sorted({x for r in both for x in (r, match[r])})
        own = SegmentLanguageIdentifier(self._identifier.detector, smooth=False).identify(
            [segments[short[x]].text[:MAX_SEGMENT_CHARS] for x in rows],
            self.langs,
            translated=range(len(rows)),
            page=False,
        )
        read = {x: label.lang for x, label in zip(rows, own, strict=True)}
        return {r: c for r, c in match.items() if r not in both or read[r] != read[match[r]]}

    def _align_streams(
        self,
        src_segs: list[Segment],
        tgt_segs: list[Segment],
        src_idx: list[int],
        tgt_idx: list[int],
        timings: dict[str, float],
        memo: dict[str, np.ndarray] | None = None,
        given: np.ndarray | None = None,
    ) -> ParallelCorpus:
        """Align the src stream (src_idx into src_segs) with the tgt stream; ``given``
        holds the streams' unit embeddings, src rows first, when the caller has them."""
        warnings = []
        sides = (
            [("", src_segs)] if src_segs is tgt_segs else [("src ", src_segs), ("tgt ", tgt_segs)]
        )
        for side, segs in sides:
            long = [s.index for s in segs if len(s.text) > MAX_SEGMENT_CHARS]
            if long:
                hint = (
                    '; split="sentences" (--split sentences) splits them'
                    if self.options.split != "sentences"
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
        emb = self._embed_known(texts, memo or {}) if given is None else given
        timings["embed"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        # Lengths in the length model's unit, so that Chinese and Latin text compare.
        src_len = np.array([text_length(src_segs[i].text) for i in src_idx], dtype=np.float64)
        tgt_len = np.array([text_length(tgt_segs[j].text) for j in tgt_idx], dtype=np.float64)
        mixed = src_segs is tgt_segs
        cfg = self.options.search_config(mixed, self.encoder_profile)
        n_src = len(src_idx)
        raw_beads = align_embeddings(
            emb[:n_src],
            emb[n_src:],
            src_len,
            tgt_len,
            cfg,
            _breaks(src_idx) if mixed else None,
            _breaks(tgt_idx) if mixed else None,
            np.array([stands_alone(t) for t in texts[:n_src]], dtype=bool),
            np.array([stands_alone(t) for t in texts[n_src:]], dtype=bool),
            # Whole texts: a long segment's end punctuation is past the analysed part.
            open_boundaries([src_segs[i].text for i in src_idx]) if cfg.boundary_weight else None,
            open_boundaries([tgt_segs[j].text for j in tgt_idx]) if cfg.boundary_weight else None,
        )
        joiners = (language(self.langs[0]).joiner, language(self.langs[1]).joiner)
        raw_beads = release_absorbed(raw_beads, emb[:n_src], emb[n_src:], cfg.absorbed_gain)
        if not mixed and self.options.attach:
            # Short clauses left unaligned next to a pair get a second look with their
            # joined text (bialign.attach); between two documents only.
            raw_beads = attach_fragments(
                raw_beads,
                texts[:n_src],
                texts[n_src:],
                _reusing(texts, emb, self.embedder),
                **self.options.gains(self.encoder_profile.attach),
                joiners=joiners,
            )
        timings["align"] = time.perf_counter() - t0
        beads = []
        floor = self.options.min_pair_score
        for s, t, score in raw_beads:
            si = tuple([src_idx[k] for k in s])
            ti = tuple([tgt_idx[k] for k in t])
            src_text, tgt_text = _join(src_segs, si, joiners[0]), _join(tgt_segs, ti, joiners[1])
            if s and t:
                weak = floor is not None and score < floor
                if weak or (mixed and contradicts(src_text, tgt_text)):
                    beads.extend(_unpair(si, ti, src_segs, tgt_segs))
                    continue
            beads.append(Bead(si, ti, src_text, tgt_text, float(score)))
        n = len(src_idx)
        t0 = time.perf_counter()
        beads = self._confidence(
            beads, src_segs, tgt_segs, src_idx, tgt_idx, emb, mixed, (src_len, tgt_len)
        )
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
        lengths: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> list[Bead]:
        """The beads with their calibrated confidence; with ``min_confidence``, pairs
        below it are unpaired and the unaligned segments scored again. ``lengths`` are
        the streams' lengths when the caller has them."""
        n = len(src_idx)
        streams = (src_segs, tgt_segs, src_idx, tgt_idx, emb[:n], emb[n:])
        prof = self.encoder_profile
        beads = with_confidence(beads, features(beads, *streams, lengths=lengths), prof, mixed)
        if self.options.min_confidence is None:
            return beads
        weak = [b.is_pair and (b.confidence or 0.0) < self.options.min_confidence for b in beads]
        if not any(weak):
            return beads
        kept: list[Bead] = []
        for b, w in zip(beads, weak, strict=True):
            kept.extend(_unpair(b.src, b.tgt, src_segs, tgt_segs) if w else [b])
        return with_confidence(kept, features(kept, *streams, lengths=lengths), prof, mixed)

    def _embed_known(self, texts: list[str], memo: dict[str, np.ndarray]) -> np.ndarray:
        """Embeddings of ``texts``, taking those already in ``memo`` (or embedded ahead,
        see :meth:`embed_ahead`) from it; new ones go into ``memo``."""
        if not memo and not self._ahead:
            return self._embed(texts)
        known = ChainMap(memo, self._ahead)
        new = list(dict.fromkeys(t for t in texts if t not in known))
        if new:
            memo.update(zip(new, self._embed(new), strict=True))
        return np.stack([known[t] for t in texts]) if texts else self._embed(texts)

    def embed_ahead(self, texts: Sequence[str]) -> None:
        """Embed ``texts`` now, in one call, for the alignments that follow to take from
        memory (:meth:`forget_ahead` drops them). ``align_many`` gives it the segments of
        its next documents: the default encoder embeds a few thousand lines in one call
        about twice as fast as in forty calls of fifty (docs/scale.md)."""
        new = [t for t in dict.fromkeys(texts) if t and t not in self._ahead]
        if new:
            with limited(self._threads):
                self._ahead.update(zip(new, self._embed(new), strict=True))

    def forget_ahead(self) -> None:
        """Drop what :meth:`embed_ahead` embedded."""
        self._ahead.clear()

    def _embed(self, texts: list[str]) -> np.ndarray:
        show = (
            self.options.progress
            if self.options.progress is not None
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


_GC_LOCK = threading.Lock()
_GC_PAUSES = [0, False]  # calls inside a pause now; whether the collector was on before


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one document's alignment.

    A long document makes tens of thousands of small objects (segments, beads, tuples)
    and none of them needs collecting before the call returns, yet each burst of
    allocations sets off collections that walk the whole heap, the caller's data
    included: on two 10,000-segment documents that was about 0.1 s of 1.0
    (benchmarks/overhead.py). The collector is process-wide, so calls in several threads
    share one pause: the first turns it off, the last one out turns it back on, and only
    if it was on before the first."""
    with _GC_LOCK:
        if _GC_PAUSES[0] == 0:
            _GC_PAUSES[1] = gc.isenabled()
            gc.disable()
        _GC_PAUSES[0] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES[0] -= 1
            if _GC_PAUSES[0] == 0 and _GC_PAUSES[1]:
                gc.enable()


def _join(segs: list[Segment], idx: tuple[int, ...], joiner: str = " ") -> str:
    if len(idx) == 1:
        return segs[idx[0]].text
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


def _given_embeddings(embeddings: object, n_src: int, n_tgt: int) -> tuple[np.ndarray, np.ndarray]:
    """The caller's two embedding matrices, checked and scaled to unit rows."""
    if not isinstance(embeddings, tuple | list) or len(embeddings) != 2:
        raise ConfigError("embeddings must be a pair (src_matrix, tgt_matrix)")
    out = []
    for name, matrix, rows in (("src", embeddings[0], n_src), ("tgt", embeddings[1], n_tgt)):
        arr = np.asarray(matrix, dtype=np.float32)
        if arr.ndim != 2 or arr.shape[0] != rows:
            raise ConfigError(
                f"{name} embeddings have shape {arr.shape}; expected ({rows}, dim), one row "
                "per segment",
                document=name,
            )
        if not np.isfinite(arr).all():
            raise ConfigError(f"{name} embeddings hold NaN or infinite values", document=name)
        out.append(unit_rows(arr))
    if out[0].shape[1] != out[1].shape[1]:
        raise ConfigError(
            f"src and tgt embeddings differ in dimension ({out[0].shape[1]} and {out[1].shape[1]})"
        )
    return out[0], out[1]


def _is_sequence(doc: object) -> bool:
    return isinstance(doc, Sequence) and not isinstance(doc, str)


#: The names of a mixed document and of two documents' sides, in messages and reads.
_NAMES = {True: ("doc",), False: ("src", "tgt")}


def _as_segments(doc: object) -> bool:
    """The document was given as its segments, which are never split into sentences."""
    return doc.segmented if isinstance(doc, ReadDocument) else _is_sequence(doc)


def align(doc: object, options: Options | None = None, /, **changes: Any) -> ParallelCorpus:
    """Find the translation pairs inside one mixed-language document.

    ``doc`` is a string, a sequence of strings (each item is one segment, exactly as
    given) or a ``pathlib.Path``; text and files are read by kind (an HTML page's blocks
    without its furniture, wrapped text's paragraphs, or one segment per line: see
    docs/input.md). The settings are a :class:`bialign.Options` and/or its fields as
    keywords (``langs``, ``model``, ``split``, ``input_format``, ``granularity``,
    ``min_pair_score``, ``min_confidence``, ``profile``, ``mixed_config``, ``threads``,
    ...); an unknown keyword is a :class:`bialign.ConfigError`.

    Raises :class:`bialign.LanguageError` when the document lacks one of the languages,
    and :class:`bialign.InputError` when ``doc`` is a one-line string naming an existing
    file (pass ``pathlib.Path`` to read a file; :class:`Aligner` takes any string as text).
    """
    refuse_file_name(doc, "doc")
    return Aligner(options, **changes).align(doc)


def align_documents(
    src: object, tgt: object, options: Options | None = None, /, **changes: Any
) -> ParallelCorpus:
    """Align two monolingual documents that translate each other (``src`` in
    ``langs[0]``); the same settings as :func:`align`."""
    refuse_file_name(src, "src")
    refuse_file_name(tgt, "tgt")
    return Aligner(options, **changes).align_documents(src, tgt)


def align_segments(
    src: Sequence[str],
    tgt: Sequence[str],
    options: Options | None = None,
    /,
    *,
    embeddings: tuple[np.ndarray, np.ndarray] | None = None,
    **changes: Any,
) -> ParallelCorpus:
    """Align two already segmented documents, optionally with their embeddings: the
    middle layer under align_documents (see :meth:`Aligner.align_segments`)."""
    return Aligner(options, **changes).align_segments(src, tgt, embeddings=embeddings)
