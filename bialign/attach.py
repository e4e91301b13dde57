"""A second look at segments left unaligned right next to a pair.

A translator often folds a short clause into the neighbouring sentence: "Ihm schien die
Sache einleuchtend ;" and the German sentence after it are one French sentence. The clause
alone hardly resembles that long translation (cosine 0.05 with the default encoder), so
the aligner, which never embeds a concatenation, leaves it unaligned. Embedding the joined
text answers the question directly: if "clause + sentence" is closer to the translation
than the sentence alone, by at least ``min_gain``, the clause joins the bead.

A segment that ends like a sentence or a clause (". ; : , ! ?", a closing quote or
bracket) joins even when the joined text's cosine drops a little (by up to 0.04): a
translator's extra clause, loosely rendered, lowers the cosine of a long bead only slightly.
A line with no end punctuation (a heading, a byline, "Read more", a caption) is a unit of
its own on the page and joins only on clear evidence (a gain of 0.06): page furniture
("Sign in", "Comments (3)") must not ride along with a pair.

Only unaligned segments touching a pair are tried, so this embeds a few texts per such
segment, not the document's runs. Used between two documents; inside one mixed page a
neighbour in the stream can sit far away on the page, and a caption stays a caption.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .search import Bead

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


def default_gains() -> dict[str, float]:
    """The gains as an encoder profile's ``attach`` holds them (the default encoder's)."""
    return {"min_gain": MIN_GAIN, "min_gain_sentence": MIN_GAIN_SENTENCE}


#: Sentence and clause ends, the full-width ones of Chinese and Japanese included.
_ENDS_PUNCTUATED = re.compile(r"""[.!?…;:,"'»”’)\]。！？；：，、」』）】》]\s*$""")


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
    joiners: tuple[str, str] = (" ", " "),
) -> list[Bead]:
    """Beads where each unaligned segment that makes its neighbouring pair's joined text a
    closer translation is part of that pair: closer by ``min_gain_sentence`` for a
    segment ending in punctuation, by ``min_gain`` for any other line.

    ``encode`` maps texts to embeddings (normalised or not). An extended bead keeps the
    score the aligner gave it. Indices are positions in ``src`` and ``tgt``. ``joiners``
    join the segments of each side (:attr:`bialign.languages.Language.joiner`: nothing
    in Chinese).
    """
    out = list(beads)
    texts = (src, tgt)

    def joined(side: int, idx: tuple[int, ...]) -> str:
        return joiners[side].join(texts[side][i] for i in idx)

    row: dict[str, np.ndarray] = {}  # every text embedded so far, across passes
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
        new = list(dict.fromkeys(t for triple in triples for t in triple if t not in row))
        if new:
            row.update(zip(new, _unit(encode(new)), strict=True))
        best: dict[int, tuple[float, int, int, tuple[int, ...]]] = {}
        for (k, nb, side, run), (alone, grown, other) in zip(moves, triples, strict=True):
            gain = float(row[grown] @ row[other] - row[alone] @ row[other])
            segment = texts[side][_side(out[k], side)[0]]
            needed = min_gain_sentence if _ENDS_PUNCTUATED.search(segment) else min_gain
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
