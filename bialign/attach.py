"""A second look at segments left unaligned right next to a pair.

A translator often folds a short clause into the neighbouring sentence: "Ihm schien die
Sache einleuchtend ;" and the German sentence after it are one French sentence. The clause
alone hardly resembles that long translation (cosine 0.05 with the default encoder), so
the aligner, which never embeds a concatenation, leaves it unaligned. Embedding the joined
text answers the question directly: if "clause + sentence" is closer to the translation
than the sentence alone, by at least ``min_gain``, the clause joins the bead.

A clause that ends like a sentence or a clause (". ; : , ! ?", a closing quote) joins
even when the joined text's cosine drops a little (by up to 0.04): a translator's extra
clause, loosely rendered, lowers the cosine of a long bead only slightly. A whole sentence
(90 characters or more) must not lower it at all: one that belongs to the pair brings its
meaning, and one the translator left out (a sentence with no translation next to a merged
pair) only dilutes it. A line with no end punctuation (a heading, a byline, "Read more", a
caption) is a unit of its own on the page and joins only on clear evidence (a gain of
0.06): page furniture ("Sign in", "Comments (3)") must not ride along with a pair.

The same test runs the other way first. The search judges a merge by summed embeddings,
so it can take such a sentence, or a furniture line, into an m-n pair; a member at the
edge of a pair of three or more segments whose joined text is closer to the translation
without it, by more than its gain allows, is let go (:func:`_release`).

Only unaligned segments touching a pair, and edge members that are headings or whose
removal lowers the summed cosine by no more than 0.02 (RELEASE_SUM_RISE), are tried, so
this embeds a few texts per such segment, not the document's runs. Used between two
documents; inside one mixed page a neighbour in the stream can sit far away on the page,
and a caption stays a caption (there :mod:`bialign.absorbed` lets members go, on summed
embeddings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .absorbed import let_go
from .languages import text_length
from .search import Bead, cosine
from .sentences import OPEN, open_boundaries

#: Joined-text similarity gain a line with no end punctuation must bring to join a
#: neighbouring pair. Both gains were tuned on the development data with the other
#: defaults and the default encoder (docs/score.md); another encoder's cosines may want
#: other values (an encoder profile's ``attach`` holds them). 0.02 until the dev split of
#: benchmarks/hard_enes.py (page furniture next to merged pairs): there every value from
#: 0.05 up gives the same beads, better ones (strict F1 0.986 -> 0.988), and so do
#: Text+Berg dev, the newstest2010 documents and FLORES en-es/fr/de/pt/zh dev (equal, zh
#: +0.001); 0.06 is a step inside that plateau.
MIN_GAIN = 0.06

#: The same for a segment that ends like a sentence or clause: negative, so it may join
#: when the joined cosine drops by less than 0.04.
MIN_GAIN_SENTENCE = -0.04

#: The same for a whole sentence: a segment of LONG_CHARS or more (bialign.languages.
#: text_length) that ends like a sentence, or, in a document whose pairs read well
#: (RELIABLE_COSINE), any from a capital to a sentence mark. A clause is short and embeds
#: poorly alone, so a small loss is no evidence against it; a sentence that belongs to
#: the pair brings its meaning, so the joined text must come no further from the
#: translation. Chosen on the
#: dev splits of benchmarks/hard_enes.py, docs_enes.py (newstest2010), Text+Berg and
#: FLORES en-es/fr/de/pt/zh: Text+Berg dev keeps its F1 for every length from 70 to 130
#: characters (it falls by 0.014 at 55, where clauses of its long tokenised sentences
#: count as sentences) and 90 is the middle; a gain of 0.01 lowers Text+Berg dev by 0.013.
#: See docs/score.md.
MIN_GAIN_LONG = 0.0
LONG_CHARS = 90


#: An edge member other than a heading is tried for release only when dropping it
#: changes the cosine of the
#: bead's summed embeddings (free to compute) by at least this: no joined text is
#: embedded for the others. On the dev sets above, trying every edge member (5 times the
#: embeddings) let the same members go but for 3 of some 40. 0 until the hard_enes dev
#: documents were read over ten generator seeds: there a sentence with no translation
#: whose removal lowered the sum a little (a deleted sentence's neighbour) stayed in 3 of
#: 22 wrong beads of 2-2 and larger. -0.02: wrong beads of 2-2 and larger there 18 -> 17
#: (right ones 308 -> 307, strict F1 -0.0001), FLORES de/pt/zh dev +0.001 each, the rest
#: of the dev sets unchanged, for 0.3% more texts embedded on the newstest2010 documents.
#: -0.05 to "every member" let the same go but lowered newstest2010 dev by 0.0006.
RELEASE_SUM_RISE = -0.02

#: Members other than headings are let go only in a document whose one-to-one pairs
#: have a median cosine (single segments, unit vectors) of at least this (a heading is
#: held to MIN_GAIN, far above the noise this guards against, in every document). The
#: joined-text test was chosen on news, FLORES and Python-documentation pairs, where 95%
#: of the dev documents reach 0.69-0.71 (bialign.calibrate.pair_cosine_floor; dev splits
#: of benchmarks/hard_enes.py, docs_enes.py and flores_pairs.py); Text+Berg's
#: German/French documents, tokenised OCR of another genre, reach 0.60-0.67, and letting
#: go there broke more of their real m-n beads than it mended (test strict F1 0.911 ->
#: 0.901; with this floor 0.911). On the default encoder's scale: an encoder profile's
#: ``attach`` holds its own (e5-small 0.92, by the same rule).
RELIABLE_COSINE = 0.7


def default_gains() -> dict[str, float]:
    """bialign.attach's settings as an encoder profile's ``attach`` holds them (the default
    encoder's)."""
    return {
        "min_gain": MIN_GAIN,
        "min_gain_sentence": MIN_GAIN_SENTENCE,
        "min_gain_long": MIN_GAIN_LONG,
        "reliable_cosine": RELIABLE_COSINE,
    }


#: Sentence and clause ends, the full-width ones of Chinese and Japanese included. A
#: closing bracket ends a sentence only after one of them ("(see above.)"): "Comments
#: (3)" and "Photos (12)" are page furniture, not clauses.
_ENDS_PUNCTUATED = re.compile(
    r"""(?:[.!?…;:,"'»”’。！？；：，、」』]|[.!?…;:,"'»”’。！？；：，、」』][)\]）】》])\s*$"""
)


#: A sentence: a capital (after an opening quote or mark) to a sentence mark (and a
#: closing quote).
_SENTENCE = re.compile(r"""\s*["'«“¿¡(]*[^\W\d_](?<=[A-ZÀ-ÖØ-Þ]).*[.!?。！？]["'»”’)]*\s*$""", re.S)


def stands_alone(text: str) -> bool:
    """True for a short line (at most ALONE_WORDS words) that ends with a word or a
    number and no punctuation: a heading, a byline, page furniture ("Read more", "Last
    updated 12/03/2011 14:05"). It is a unit of its own on the page, not a clause. A
    longer line without end punctuation is usually a sentence broken across lines, and a
    line with no word of three letters ("A", "Vv": OCR debris) is no unit of the page."""
    words = text.split(None, ALONE_WORDS)  # a seventh piece already says "too long"
    return (
        len(words) <= ALONE_WORDS
        and bool(_ENDS_WORD.search(text))
        and any(len(w) >= 3 and w.isalpha() for w in words)
    )


ALONE_WORDS = 6


_ENDS_WORD = re.compile(r"[^\W_]\s*$")

#: Passes over the document; each can grow a bead by one segment on each side.
MAX_PASSES = 3


def attach_fragments(
    beads: list[Bead],
    src: Sequence[str],
    tgt: Sequence[str],
    encode: Callable[[list[str]], np.ndarray],
    min_gain: float = MIN_GAIN,
    min_gain_sentence: float = MIN_GAIN_SENTENCE,
    min_gain_long: float = MIN_GAIN_LONG,
    reliable_cosine: float = RELIABLE_COSINE,
    joiners: tuple[str, str] = (" ", " "),
) -> list[Bead]:
    """Beads where each unaligned segment that makes its neighbouring pair's joined text a
    closer translation, by the gain :func:`_needed` sets for it, is part of that pair;
    first, each member at the edge of an m-n pair that falls short of its gain is let go
    (:func:`_release`).

    ``encode`` maps texts to embeddings (normalised or not). An extended or shrunk bead
    keeps the score the aligner gave it. Indices are positions in ``src`` and ``tgt``.
    ``joiners`` join the segments of each side (:attr:`bialign.languages.Language.joiner`:
    nothing in Chinese).
    """
    texts = (src, tgt)
    gains = (min_gain, min_gain_sentence, min_gain_long)
    row: dict[str, np.ndarray] = {}  # every text embedded so far, across passes

    def joined(side: int, idx: tuple[int, ...]) -> str:
        return joiners[side].join(texts[side][i] for i in idx)

    def embed(batch: list[str]) -> None:
        new = list(dict.fromkeys(t for t in batch if t not in row))
        if new:
            row.update(zip(new, _unit(encode(new)), strict=True))

    out = list(beads)
    # Where the encoder reads the document's pairs well, a whole sentence is held to
    # min_gain_long and any edge member may be let go; elsewhere only a heading may
    # (RELIABLE_COSINE).
    reliable = _pair_cosine(out, texts, embed, row) >= reliable_cosine
    out = _release(out, texts, joined, embed, row, gains, headings_only=not reliable)
    for _ in range(MAX_PASSES):
        moves = _candidates(out)
        if not moves:
            break
        # Per move: the pair's own side, that side with the segment, the other side.
        triples = [
            (
                joined(side, _side(out[nb], side)),
                joined(side, run),
                joined(1 - side, _side(out[nb], 1 - side)),
            )
            for _, nb, side, run in moves
        ]
        embed([t for triple in triples for t in triple])
        best: dict[int, tuple[float, int, int, tuple[int, ...]]] = {}
        for (k, nb, side, run), (alone, grown, other) in zip(moves, triples, strict=True):
            gain = float(row[grown] @ row[other] - row[alone] @ row[other])
            segment = texts[side][_side(out[k], side)[0]]
            needed = _needed(segment, gains, reliable=reliable)
            if _cut([texts[side][i] for i in run], run.index(_side(out[k], side)[0])):
                # A piece of a sentence cut at another word ("Con anterioridad, el" before
                # "director ejecutivo ..."): a clause, whatever its length or end.
                needed = min(needed, min_gain_sentence)
            if gain > needed and (k not in best or gain > best[k][0]):
                best[k] = (gain, nb, side, run)
        # Apply from the strongest down; a bead grows at most once per pass, so each
        # decision was measured on the bead as it is.
        extended: set[int] = set()
        drop: set[int] = set()
        for k, (_, nb, side, run) in sorted(best.items(), key=lambda kv: -kv[1][0]):
            if nb in extended:
                continue
            s, t, score = out[nb]
            out[nb] = (run, t, score) if side == 0 else (s, run, score)
            extended.add(nb)
            drop.add(k)
        if not drop:
            break
        out = [b for i, b in enumerate(out) if i not in drop]
    return out


def _needed(
    segment: str, gains: tuple[float, float, float], inside: bool = False, reliable: bool = False
) -> float:
    """The joined-text gain a segment must bring to belong to a neighbouring pair (a
    whole sentence never less than a clause, whatever gains are given).

    A whole sentence is one of LONG_CHARS or more ending like a sentence; with
    ``reliable`` (the document's pairs read well, RELIABLE_COSINE) also any that starts
    with a capital and ends with a sentence mark ("He built a WiFi door bell, he said.").
    ``inside``: the segment is a member of a bead the search chose. A line with no end
    punctuation longer than a heading (more than ALONE_WORDS words, or LONG_CHARS for a
    language written without spaces) is then a piece of a sentence that the two languages
    cut at another word, held to the sentence gain, not to ``min_gain`` as a heading is."""
    min_gain, min_gain_sentence, min_gain_long = gains
    if _is_heading(segment):
        return min_gain
    long = text_length(segment) >= LONG_CHARS
    if not _ENDS_PUNCTUATED.search(segment):
        return min_gain_sentence if inside else min_gain
    if long or (reliable and _SENTENCE.match(segment)):
        return max(min_gain_long, min_gain_sentence)
    return min_gain_sentence


def _is_heading(segment: str) -> bool:
    """Any short line with no end punctuation: at most ALONE_WORDS words and under
    LONG_CHARS by text_length (a heading, a byline, "Comments (3)", OCR debris; a Chinese
    line of up to 25 characters): a unit of its own on the page, joined to a pair only on
    clear evidence (``min_gain``)."""
    return (
        not _ENDS_PUNCTUATED.search(segment)
        and len(segment.split(None, ALONE_WORDS)) <= ALONE_WORDS
        and text_length(segment) < LONG_CHARS
    )


def _release(
    beads: list[Bead],
    texts: tuple[Sequence[str], Sequence[str]],
    joined: Callable[[int, tuple[int, ...]], str],
    embed: Callable[[list[str]], None],
    row: dict[str, np.ndarray],
    gains: tuple[float, float, float],
    headings_only: bool = False,
) -> list[Bead]:
    """The beads with each edge member of an m-n pair let go while the pair's joined
    text is a closer translation without it than the member's gain allows.

    The reverse of attaching, with the same joined-text test: the search judges a merge
    by summed embeddings and so can take in a sentence with no translation of its own
    (one the translator left out) next to a merged pair. A member with no end punctuation
    longer than a heading is held to the sentence gain, not to ``min_gain``: inside a
    bead the search chose it is usually a piece of a sentence that the two languages cut
    at another word (:func:`_needed`).

    In a document whose one-to-one pairs the encoder reads less well (below
    RELIABLE_COSINE; ``headings_only``), only headings are tried: there a few hundredths
    of cosine are noise, and the search's choice of sentences and clauses stands, but a
    heading must still bring ``min_gain``."""
    out: list[Bead] = []
    todo = beads[::-1]  # a stack in stream order: what is let go is tried again
    while todo:
        s, t, score = todo.pop()
        found = _falls_short(s, t, texts, joined, embed, row, gains, headings_only)
        if found is None:
            out.append((s, t, score))
            continue
        todo.extend(reversed(let_go((s, t, score), *found)))
    return out


def _pair_cosine(
    beads: list[Bead],
    texts: tuple[Sequence[str], Sequence[str]],
    embed: Callable[[list[str]], None],
    row: dict[str, np.ndarray],
) -> float:
    """The median cosine of the document's one-to-one pairs (0 with none)."""
    ones = [(texts[0][s[0]], texts[1][t[0]]) for s, t, _ in beads if len(s) == len(t) == 1]
    if not ones:
        return 0.0
    embed([text for pair in ones for text in pair])
    return median_cosine(np.stack([row[a] for a, _ in ones]), np.stack([row[b] for _, b in ones]))


def median_cosine(src: np.ndarray, tgt: np.ndarray) -> float:
    """The median over rows of the cosine of ``src[i]`` and ``tgt[i]``: a document's pair
    cosine, as RELIABLE_COSINE reads it (bialign.calibrate.pair_cosine_floor too)."""
    return float(np.median((_unit(src) * _unit(tgt)).sum(axis=1)))


def _falls_short(
    s: tuple[int, ...],
    t: tuple[int, ...],
    texts: tuple[Sequence[str], Sequence[str]],
    joined: Callable[[int, tuple[int, ...]], str],
    embed: Callable[[list[str]], None],
    row: dict[str, np.ndarray],
    gains: tuple[float, float, float],
    headings_only: bool,
) -> tuple[int, int] | None:
    """(side, member) of the first or last member of a side of two or more that falls
    furthest short of its gain, or None.

    A heading is always tried; another member only when dropping it lowers the summed
    cosine by no more than RELEASE_SUM_RISE allows. A heading's own embedding can
    resemble a furniture line on the other side ("Next article" and "Lo más leído" in
    one bead), so the summed cosine falls without it although the joined texts read
    closer. Not so in a pair where no segment ends like a sentence or clause, a title
    broken over lines against its translation (the search's ``alone_floor`` lets such
    lines merge on purpose): there a heading is a member like any other, and in a
    document below RELIABLE_COSINE nothing is tried. (Applied to every document, that
    rule cost hard_enes dev documents 0.0009: lines of lists and code docs without end
    punctuation.)"""
    if not (s and t) or len(s) + len(t) < 3:
        return None
    bead = (s, t)
    title = not any(_ENDS_PUNCTUATED.search(texts[side][i]) for side in (0, 1) for i in bead[side])
    if headings_only and title:
        return None
    ends = [
        (side, m)
        for side in (0, 1)
        if len(bead[side]) >= 2
        for m in dict.fromkeys((bead[side][0], bead[side][-1]))
    ]
    members = [[texts[side][i] for i in bead[side]] for side in (0, 1)]
    heading = {
        (side, m): _is_heading(texts[side][m]) and not _cut(members[side], bead[side].index(m))
        for side, m in ends
    }
    edges = [e for e in ends if not headings_only or heading[e]]
    if not edges:
        return None
    embed([texts[side][i] for side in (0, 1) for i in bead[side]])
    summed = [np.sum([row[texts[side][i]] for i in bead[side]], axis=0) for side in (0, 1)]
    tried = [
        (side, m)
        for side, m in edges
        if (heading[side, m] and not title)
        or cosine(summed[side] - row[texts[side][m]], summed[1 - side])
        - cosine(summed[side], summed[1 - side])
        >= RELEASE_SUM_RISE
    ]
    if not tried:
        return None
    whole = (joined(0, s), joined(1, t))
    shrunk = [joined(side, tuple(x for x in bead[side] if x != m)) for side, m in tried]
    embed([*whole, *shrunk])
    worst, found = 0.0, None
    for (side, m), text in zip(tried, shrunk, strict=True):
        other = row[whole[1 - side]]
        gain = float(row[whole[side]] @ other - row[text] @ other)
        needed = _needed(texts[side][m], gains, inside=True, reliable=not headings_only)
        if needed - gain > worst:
            worst, found = needed - gain, (side, m)
    return found


def _cut(members: Sequence[str], k: int) -> bool:
    """Whether ``members[k]`` (one side of a bead, in stream order) continues, or is
    continued by, its neighbour across an OPEN boundary (bialign.sentences.open_boundaries:
    no end punctuation before, a lower-case start after): a piece of a sentence the two
    languages cut at another word ("Signos de contagio ya" + "se ven. Hay..."), not a
    heading."""
    b = open_boundaries(members)
    return bool((k + 1 < len(members) and b[k + 1] == OPEN) or (k > 0 and b[k] == OPEN))


def _candidates(beads: list[Bead]) -> list[tuple[int, int, int, tuple[int, ...]]]:
    """(unaligned bead, neighbouring pair bead, side, the pair's side with it joined).

    The neighbour is the nearest bead in each direction that holds segments of the same
    side; unaligned beads of the other side in between do not separate them."""
    moves = []
    for k, (s, t, _) in enumerate(beads):
        if s and t:
            continue
        side = 0 if s else 1
        u = (s or t)[0]
        for step in (-1, 1):
            nb = k + step
            while 0 <= nb < len(beads) and not _side(beads[nb], side):
                nb += step
            if not 0 <= nb < len(beads) or not _side(beads[nb], 1 - side):
                continue
            mine = _side(beads[nb], side)
            if step < 0 and mine[-1] == u - 1:
                moves.append((k, nb, side, (*mine, u)))
            elif step > 0 and mine[0] == u + 1:
                moves.append((k, nb, side, (u, *mine)))
    return moves


def _side(bead: Bead, side: int) -> tuple[int, ...]:
    return bead[0] if side == 0 else bead[1]


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
