"""Which document translates which: matching two collections of monolingual documents.

Most bilingual sites publish ``/en/story-123`` and ``/es/historia-123`` as two pages.
:func:`match_documents` finds those pairs in three steps, each cheap enough for tens of
thousands of documents:

1. **Candidates.** Every segment is embedded once (a text repeated across pages, such as
   boilerplate, once in all). A document's vector is the length-weighted mean of its
   segments' unit vectors. Each document's nearest documents on the other side are
   candidates, scored with the ratio margin of Artetxe and Schwenk (2019): the cosine
   divided by the mean cosine of both documents' k nearest neighbours, so that a generic
   page close to everything does not win.
2. **Verification.** Each candidate pair is aligned segment by segment
   (:func:`bialign.align_embeddings`) on the embeddings already computed, and scored by
   the share of both documents' characters that lie in pairs whose cosine reaches
   ``pair_cosine``. A translation covers most of both documents; a page on the same
   story by another writer, or an updated copy with rewritten paragraphs, covers less.
   Verification runs in rounds: each document's nearest candidate (from either side),
   then, after each assignment, the further candidates of documents not surely matched
   (unmatched, matched below ``SURE_SHARE``, or with two candidates nearly as close). A
   translation is nearly always its partner's nearest document and verifies at 1.0, so
   the later rounds are small (on the dev collection 572 alignments instead of 969 for
   every candidate, and the same matches).
3. **Assignment.** One to one, greedily by verified share (then margin): the best
   verified pair is taken first, so that of two near-duplicate versions of a story the
   one the translation really matches keeps it. Pairs below ``min_share`` (0.6, set on
   dev) stay unmatched: a document with no translation on the other side is left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np

from .embed import Embedder, embed_unique, load_embedder
from .errors import ConfigError, InputError
from .search import AlignConfig, align_embeddings, cosine
from .segment import MAX_SEGMENT_CHARS, read_document, refuse_file_name
from .threads import dot_t
from .urls import CONFLICT, HINT_KINDS, UrlHints


@dataclass(frozen=True)
class DocumentMatch:
    """One matched pair: ``src`` and ``tgt`` index the two collections as given."""

    src: int
    tgt: int
    #: Share of both documents' characters in confidently aligned segment pairs (0-1).
    share: float
    #: Ratio margin of the document vectors (about 1 for an ordinary neighbour, higher
    #: for a pair that stands out from both documents' neighbourhoods).
    margin: float
    #: The address evidence that also pairs them (:data:`bialign.urls.HINT_KINDS`), or "".
    hint: str = ""

    @property
    def confidence(self) -> float:
        """The verified share, the number to threshold (a translation covers most of both
        documents; see docs/dataset.md for measured precision at each value)."""
        return self.share


@dataclass
class _Docs:
    """One collection, embedded: segment vectors of every document, back to back."""

    vectors: np.ndarray  # (segments, dim), unit rows
    lengths: np.ndarray  # characters per segment
    starts: np.ndarray  # document k owns rows starts[k]:starts[k + 1]

    def rows(self, k: int) -> slice:
        return slice(int(self.starts[k]), int(self.starts[k + 1]))

    def doc_vectors(self) -> np.ndarray:
        """Length-weighted mean of each document's segment vectors, unit length."""
        weights = np.sqrt(self.lengths)[:, None] * self.vectors
        sums = np.add.reduceat(weights, self.starts[:-1], axis=0)
        empty = self.starts[1:] == self.starts[:-1]
        sums[empty] = 0.0
        return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def _embed_collection(docs: Sequence[object], embedder: Embedder, side: str) -> _Docs:
    texts: list[str] = []
    starts = [0]
    for k, doc in enumerate(docs):
        segs = read_document(doc, name=f"{side}[{k}]")
        texts.extend(s.text[:MAX_SEGMENT_CHARS] for s in segs if s.text)
        starts.append(len(texts))
    vectors = embed_unique(embedder, texts)
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    return _Docs(vectors, lengths, np.array(starts))


def _neighbours(a: np.ndarray, b: np.ndarray, k: int, block: int = 2048) -> tuple[
    np.ndarray, np.ndarray
]:  # fmt: skip
    """For each row of ``a``: its ``k`` nearest rows of ``b`` (indices, cosines)."""
    k = min(k, len(b))
    idx = np.empty((len(a), k), dtype=np.int64)
    sim = np.empty((len(a), k), dtype=np.float32)
    for i0 in range(0, len(a), block):
        s = dot_t(a[i0 : i0 + block], b)
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        idx[i0 : i0 + block] = part
        sim[i0 : i0 + block] = np.take_along_axis(s, part, axis=1)
    return idx, sim


def _check_hints(hints: object, n: int, m: int) -> None:
    """Hints made for these two collections, or a ConfigError that says what is wrong."""
    if not isinstance(hints, UrlHints):
        raise ConfigError(
            f"hints must be a bialign.UrlHints (from bialign.url_hints), not "
            f"{type(hints).__name__}",
            option="hints",
        )
    for side, keys, size in (("src", hints.src_keys, n), ("tgt", hints.tgt_keys, m)):
        if keys and len(keys) != size:
            raise ConfigError(
                f"hints were made for {len(keys)} {side} documents, not {size}: make them "
                "from the addresses of the documents given",
                option="hints",
            )
    for (i, j), kind in hints.pairs.items():
        if not (0 <= i < n and 0 <= j < m):
            raise ConfigError(
                f"hints name pair ({i}, {j}) outside {n} x {m} documents", option="hints"
            )
        if kind not in HINT_KINDS:
            raise ConfigError(f"hints name pair ({i}, {j}) with kind {kind!r}; kinds are "
                              f"{', '.join(HINT_KINDS)}", option="hints")  # fmt: skip


def _nearest(idx: np.ndarray, sim: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` most similar of each row's neighbours (``_neighbours`` leaves them in
    no particular order), and whether each row's second is within TIE_GAP of its first."""
    order = np.argsort(-sim, axis=1, kind="stable")
    ranked = np.take_along_axis(sim, order, axis=1)
    tied = (
        ranked[:, 0] - ranked[:, 1] < TIE_GAP
        if ranked.shape[1] > 1
        else np.zeros(len(sim), dtype=bool)
    )
    return np.take_along_axis(idx, order[:, :n], axis=1), tied


def _verify(src: _Docs, tgt: _Docs, i: int, j: int, pair_cosine: float) -> float:
    """Share of both documents' characters in aligned pairs of cosine >= pair_cosine."""
    ri, rj = src.rows(i), tgt.rows(j)
    es, et = src.vectors[ri], tgt.vectors[rj]
    ls, lt = src.lengths[ri], tgt.lengths[rj]
    total = ls.sum() + lt.sum()
    if not len(es) or not len(et) or total == 0:
        return 0.0
    covered = 0.0
    for s, t, _ in align_embeddings(es, et, ls, lt, _VERIFY):
        if s and t:
            u, v = es[list(s)].sum(axis=0), et[list(t)].sum(axis=0)
            if cosine(u, v) >= pair_cosine:
                covered += ls[list(s)].sum() + lt[list(t)].sum()
    return float(covered / total)


#: The verified share a pair needs when its addresses pair it, and when they conflict.
#: Not fitted: on the dev collections every value from 0.15 to 0.6 (and 0.6 to 1.01)
#: matched the same pairs (benchmarks/docmatch.py --grid). Half of both documents, so
#: that a page translating part of its original still matches (a translation of 1 of 8
#: sentences verified at 0.52 in a trial) while another story at the same address (a
#: match report and its preview, 0.37) does not; and a little above the plain 0.6 for
#: a conflict, which is evidence against, not proof (a translated slug on a site that
#: otherwise pairs by address: a half translation verified at 0.80).
HINTED_SHARE = 0.5
CONFLICT_SHARE = 0.7

#: Neighbours whose mean cosine is a document's neighbourhood in the ratio margin.
MARGIN_NEIGHBOURS = 4

#: A matched pair verified at this share or more is taken as found: its documents' further
#: candidates are not verified (see match_documents). Three in four true pairs of the dev
#: collection verify at 1.0; a version of the story a few sentences apart verifies lower
#: (0.91 for one sentence in eleven), and must not keep the translation unchallenged.
SURE_SHARE = 0.99
#: Document vectors this close (cosine) are a tie: the further candidates are verified
#: even after a sure match, since of two versions of one story either may be nearer.
TIE_GAP = 0.02

#: Verification aligns with the two-document defaults, with beads of at most four
#: segments in all (3-1, 2-2, 1-3): it only asks how much of the two documents pairs up,
#: not how exactly.
_VERIFY = AlignConfig(max_side=3)


def match_documents(
    src_docs: Sequence[object],
    tgt_docs: Sequence[object],
    *,
    model: str | Embedder | None = None,
    candidates: int = 2,
    pair_cosine: float = 0.5,
    min_share: float = 0.6,
    hints: UrlHints | None = None,
    hinted_share: float = HINTED_SHARE,
    conflict_share: float = CONFLICT_SHARE,
    progress: bool = False,
    verified: MutableMapping[tuple[int, int], float] | None = None,
) -> list[DocumentMatch]:
    """Match each document of ``src_docs`` with its translation in ``tgt_docs``.

    Documents are given as :func:`bialign.align` takes them (text, a list of segments, a
    path). Returns one-to-one matches sorted by ``src``; documents without a verified
    partner are in none. ``candidates`` nearest documents on each side may be verified
    (2: on the dev collections 1, 2 and 4 matched the same pairs, and each candidate
    costs a sentence alignment, most of matching's time): first each document's nearest
    from both sides, then the further ones of documents not surely matched (see the
    module docstring; on the dev collection 572 verifications instead of 969, the same
    pairs);
    ``pair_cosine`` is the cosine a segment pair needs to count as aligned (set for the
    default encoder) and ``min_share`` the verified share a match needs. ``progress``
    shows a bar over the candidate verifications on standard error.

    ``verified`` is a memo of shares already verified, by ``(src, tgt)``: a pair found
    there is not aligned again, and each new one is added (build-dataset keeps it on
    disk, so that matching goes on after a kill).

    ``hints`` is what the pages' addresses say (:func:`bialign.url_hints`): a pair they
    name is verified even when its vectors are not among the nearest, and needs only
    ``hinted_share``; a pair whose addresses conflict needs ``conflict_share``.
    """
    if candidates < 1:
        raise ConfigError(f"candidates must be at least 1, got {candidates}")
    for name, value in (("min_share", min_share), ("hinted_share", hinted_share)):
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{name} must be between 0 and 1, got {value}")
    if not conflict_share >= 0.0:
        raise ConfigError(
            f"conflict_share must be 0 or more (above 1: never), got {conflict_share}"
        )
    for side, docs in (("src_docs", src_docs), ("tgt_docs", tgt_docs)):
        if not isinstance(docs, Sequence) or isinstance(docs, str | bytes):
            raise InputError(
                f"{side} must be a list of documents (texts, lists of segments or paths), "
                f"not {type(docs).__name__}"
            )
        for k, doc in enumerate(docs):
            refuse_file_name(doc, f"{side}[{k}]")
    if hints is not None:
        _check_hints(hints, len(src_docs), len(tgt_docs))  # before any embedding
    if not src_docs or not tgt_docs:
        return []
    embedder = load_embedder(model)
    src = _embed_collection(src_docs, embedder, "src")
    tgt = _embed_collection(tgt_docs, embedder, "tgt")
    ds, dt = src.doc_vectors(), tgt.doc_vectors()
    k = max(candidates, MARGIN_NEIGHBOURS)
    fwd_idx, fwd_sim = _neighbours(ds, dt, k)
    bwd_idx, bwd_sim = _neighbours(dt, ds, k)
    r_src, r_tgt = fwd_sim.mean(axis=1), bwd_sim.mean(axis=1)
    fwd, fwd_tied = _nearest(fwd_idx, fwd_sim, candidates)
    bwd, bwd_tied = _nearest(bwd_idx, bwd_sim, candidates)
    needed = {None: min_share, CONFLICT: conflict_share}
    scored: dict[tuple[int, int], tuple[float, float, int, int, str]] = {}
    from tqdm import tqdm

    bar = tqdm(desc="matching", unit="candidate", disable=not progress, file=sys.stderr)
    asked: set[tuple[int, int]] = set()

    def verify(pairs: set[tuple[int, int]]) -> None:
        asked.update(pairs)
        bar.total = (bar.total or 0) + len(pairs)
        for i, j in sorted(pairs):
            margin = 2.0 * float(ds[i] @ dt[j]) / max(float(r_src[i] + r_tgt[j]), 1e-6)
            kind = hints.about(i, j) if hints is not None else None
            share = verified.get((i, j)) if verified is not None else None
            if share is None:
                share = _verify(src, tgt, i, j, pair_cosine)
                if verified is not None:
                    verified[(i, j)] = share
            if share >= needed.get(kind, hinted_share):
                scored[(i, j)] = (share, margin, i, j, kind if kind in HINT_KINDS else "")
            bar.update()

    # Round one: each document's nearest candidate, from both sides (and the pairs the
    # addresses name). Then, after each assignment, the further candidates of every
    # document not surely matched: unmatched, matched below SURE_SHARE, or with a second
    # candidate within TIE_GAP of its first (two versions of one story: the nearer one
    # by vector need not be the translation); until no new candidate is left.
    first = {(i, int(row[0])) for i, row in enumerate(fwd)}
    first |= {(int(row[0]), j) for j, row in enumerate(bwd)}
    if hints is not None:
        first |= set(hints.pairs)
    verify(first)
    out = _assign(scored.values())
    while candidates > 1:
        sure = [
            m for m in out if m.share >= SURE_SHARE and not fwd_tied[m.src] and not bwd_tied[m.tgt]
        ]
        sure_src, sure_tgt = {m.src for m in sure}, {m.tgt for m in sure}
        more = {(i, int(j)) for i, row in enumerate(fwd) if i not in sure_src for j in row[1:]}
        more |= {(int(i), j) for j, row in enumerate(bwd) if j not in sure_tgt for i in row[1:]}
        more -= asked
        if not more:
            break
        verify(more)
        out = _assign(scored.values())
    bar.close()
    return out


def _assign(scored: Iterable[tuple[float, float, int, int, str]]) -> list[DocumentMatch]:
    """One to one, greedily by verified share, then margin; sorted by ``src``."""
    taken_src: set[int] = set()
    taken_tgt: set[int] = set()
    out = []
    for share, margin, i, j, kind in sorted(scored, reverse=True):
        if i in taken_src or j in taken_tgt:
            continue
        taken_src.add(i)
        taken_tgt.add(j)
        out.append(DocumentMatch(i, j, round(share, 6), round(margin, 6), kind))
    return sorted(out, key=lambda m: m.src)
