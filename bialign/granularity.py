"""Paragraphs first, then sentences inside each aligned paragraph pair.

For pages of interleaved paragraphs, aligning whole paragraphs is the reliable step: a
paragraph and its translation are long, similar, and close together. Dataset builders
want sentence pairs, though, and the context they came from. So with
``granularity="sentence"`` each paragraph pair is split into sentences
(:mod:`bialign.sentences`) and its sentences are aligned as two small documents; when
they align confidently (every sentence in a pair, each pair scoring at least
``SENTENCE_MIN_SCORE``) the sentence pairs replace the paragraph pair, otherwise the
paragraph pair stays whole. Every bead records, in ``Bead.paragraph``, the index of the
paragraph bead it came from in ``ParallelCorpus.paragraph_beads``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .corpus import Bead, ParallelCorpus, Segment
from .languages import language, text_length
from .search import AlignConfig, align_embeddings
from .sentences import split_text

#: Weakest sentence pair accepted inside a paragraph pair (margin score, docs/score.md).
SENTENCE_MIN_SCORE = 0.05


def to_sentences(
    corpus: ParallelCorpus, encode: Callable[[list[str]], np.ndarray]
) -> ParallelCorpus:
    """The corpus at sentence level: paragraph pairs whose sentences align confidently
    are replaced by their sentence pairs; everything else is kept as it was."""
    langs = corpus.langs
    joiners = (language(langs[0]).joiner, language(langs[1]).joiner)
    plan: list[list[tuple[list[str], list[str], float]] | None] = []
    for bead in corpus.beads:
        plan.append(_split_pair(bead, corpus, encode, langs) if bead.is_pair else None)

    mixed = corpus.mixed
    # New segment lists: a segment of a split pair becomes its sentences, in place.
    split_src = {i for b, p in zip(corpus.beads, plan, strict=True) if p for i in b.src}
    split_tgt = {j for b, p in zip(corpus.beads, plan, strict=True) if p for j in b.tgt}
    if mixed:
        src_new, src_map = _resegment(corpus.src_segments, split_src | split_tgt, langs)
        tgt_new, tgt_map = src_new, src_map
    else:
        src_new, src_map = _resegment(corpus.src_segments, split_src, langs)
        tgt_new, tgt_map = _resegment(corpus.tgt_segments, split_tgt, langs)

    beads: list[Bead] = []
    paragraphs: list[Bead] = []
    for bead, sentence_pairs in zip(corpus.beads, plan, strict=True):
        paragraphs.append(bead)
        k = len(paragraphs) - 1
        if not sentence_pairs:
            beads.append(
                replace(
                    bead,
                    src=tuple(src_map[i][0] for i in bead.src),
                    tgt=tuple(tgt_map[j][0] for j in bead.tgt),
                    paragraph=k,
                )
            )
            continue
        src_ids = [n for i in bead.src for n in src_map[i]]
        tgt_ids = [n for j in bead.tgt for n in tgt_map[j]]
        si = ti = 0
        for src_texts, tgt_texts, score in sentence_pairs:
            s_idx = tuple(src_ids[si : si + len(src_texts)])
            t_idx = tuple(tgt_ids[ti : ti + len(tgt_texts)])
            si, ti = si + len(src_texts), ti + len(tgt_texts)
            src_text, tgt_text = joiners[0].join(src_texts), joiners[1].join(tgt_texts)
            # The paragraph pair's confidence: no profile is fitted on sentences inside a
            # pair, and a threshold must treat a pair's sentences as it treats the pair.
            beads.append(Bead(s_idx, t_idx, src_text, tgt_text, score, k, bead.confidence))
    src_stream = [s.index for s in src_new if s.lang == langs[0]]
    tgt_stream = [s.index for s in tgt_new if s.lang == langs[1]]
    if not mixed:
        src_stream = [s.index for s in src_new if s.text]
        tgt_stream = [s.index for s in tgt_new if s.text]
    return replace(
        corpus,
        beads=beads,
        src_segments=src_new,
        tgt_segments=tgt_new,
        warnings=list(corpus.warnings),
        src_stream=src_stream,
        tgt_stream=tgt_stream,
        src_embeddings=encode([src_new[i].text for i in src_stream]),
        tgt_embeddings=encode([tgt_new[j].text for j in tgt_stream]),
        paragraph_beads=paragraphs,
    )


def _sentences_of(
    segments: list[Segment], idx: tuple[int, ...], langs: tuple[str, str]
) -> list[str]:
    return [s for i in idx for s in split_text(segments[i].text, langs=langs)]


def _split_pair(
    bead: Bead,
    corpus: ParallelCorpus,
    encode: Callable[[list[str]], np.ndarray],
    langs: tuple[str, str],
) -> list[tuple[list[str], list[str], float]] | None:
    """The sentence pairs of a paragraph pair, or None to keep the pair whole."""
    src = _sentences_of(corpus.src_segments, bead.src, langs)
    tgt = _sentences_of(corpus.tgt_segments, bead.tgt, langs)
    if len(src) == 1 and len(tgt) == 1:
        return None
    emb = encode(src + tgt)
    sub = align_embeddings(
        emb[: len(src)],
        emb[len(src) :],
        np.array([text_length(t) for t in src], dtype=np.float64),
        np.array([text_length(t) for t in tgt], dtype=np.float64),
        AlignConfig(),
    )
    if any(not s or not t or score < SENTENCE_MIN_SCORE for s, t, score in sub):
        return None
    if len(sub) == 1:
        return None
    return [([src[i] for i in s], [tgt[j] for j in t], float(score)) for s, t, score in sub]


def _resegment(
    segments: list[Segment], split: set[int], langs: tuple[str, str]
) -> tuple[list[Segment], dict[int, list[int]]]:
    """Segments with those in ``split`` replaced by their sentences (same language and
    line); and for each old index, its new indices."""
    out: list[Segment] = []
    where: dict[int, list[int]] = {}
    for seg in segments:
        texts = split_text(seg.text, langs=langs) if seg.index in split else [seg.text]
        where[seg.index] = []
        for text in texts:
            where[seg.index].append(len(out))
            out.append(Segment(len(out), text, seg.lang, seg.lang_confidence, seg.line))
    return out, where
