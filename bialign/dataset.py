"""From aligned pairs to a dataset people can publish: clean, deduplicate, split, save.

Each step is a plain function over :class:`PairRecord` rows, so that it can run on the
pairs of one corpus, of ``align_many``, or of ``bialign build-dataset``:

- :func:`clean` applies named filters (:data:`FILTERS`) and counts what each removed;
  a pair is counted under the first filter that rejects it, in the order listed. The
  filters follow OpusFilter's usual set (LengthFilter, LengthRatioFilter,
  AlphabetRatioFilter, NonZeroNumeralsFilter, LanguageIDFilter, SimilarityFilter) but
  are a few lines each here: OpusFilter itself pulls scikit-learn, pandas, matplotlib,
  morfessor and subword-nmt into the install for them.
- :func:`deduplicate` drops exact duplicates (after normalising case, spacing and
  punctuation) and near duplicates (MinHash LSH from ``datasketch`` over character
  shingles of both sides), keeping the copy with the highest score.
- :func:`split` assigns train/dev/test by document, and keeps documents that share a
  near-duplicate pair in the same split, so no pair leaks across splits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from .consistency import contradicts
from .errors import ConfigError


@dataclass(frozen=True)
class PairRecord:
    """One translation pair of a dataset, with where it came from."""

    src: str
    tgt: str
    score: float
    doc: str = ""  # the document (or document pair) it came from
    split: str = ""  # train / dev / test once split
    confidence: float | None = None  # calibrated (bialign.Bead.confidence)


#: build-dataset's confidence floor: a published pair should be more likely right than
#: wrong. On the dev collection of benchmarks/dataset.py it removed 1 of 4,874 pairs
#: (precision and recall unchanged to three decimals); what it catches is rare and bad:
#: e5 paired the example post's bullet line with its Spanish caption at confidence 0.0.
DATASET_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class CleanConfig:
    """Thresholds of the filters; the defaults keep ordinary sentence pairs, and drop a
    pair whose calibrated confidence is below DATASET_MIN_CONFIDENCE (None: no floor)."""

    min_words: int = 1
    max_chars: int = 1000
    max_length_ratio: float = 3.0  # characters, longer side over shorter, past 20 chars
    min_letter_share: float = 0.5  # letters among non-space characters
    max_similarity: float = 0.9  # sides more alike than this are copies, not translations
    min_score: float | None = None
    min_confidence: float | None = DATASET_MIN_CONFIDENCE
    langs: tuple[str, str] | None = None  # check each side's language when given


_WORD = re.compile(r"\w+")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _too_short(p: PairRecord, c: CleanConfig) -> bool:
    return min(len(_WORD.findall(p.src)), len(_WORD.findall(p.tgt))) < c.min_words


def _too_long(p: PairRecord, c: CleanConfig) -> bool:
    return max(len(p.src), len(p.tgt)) > c.max_chars


def _length_ratio(p: PairRecord, c: CleanConfig) -> bool:
    a, b = sorted((len(p.src), len(p.tgt)))
    return b > 20 and b > c.max_length_ratio * max(a, 1)


def _non_letters(p: PairRecord, c: CleanConfig) -> bool:
    def share(text: str) -> float:
        # map() of the str methods: the same counts as a generator, at C speed.
        letters = sum(map(str.isalpha, text))
        return letters / max(1, len(text) - sum(map(str.isspace, text)))

    return min(share(p.src), share(p.tgt)) < c.min_letter_share


def _identical(p: PairRecord, c: CleanConfig) -> bool:
    a, b = _norm(p.src), _norm(p.tgt)
    if a == b:
        return True
    # difflib's quick_ratio (the shared multiset of characters), counted in C: a pair
    # must pass it before the full ratio, and building a SequenceMatcher for every pair
    # only to compute it was most of this filter's time.
    shared = sum((Counter(a) & Counter(b)).values())
    if 2.0 * shared / max(1, len(a) + len(b)) <= c.max_similarity:
        return False
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False).ratio() > c.max_similarity


def _numbers(p: PairRecord, c: CleanConfig) -> bool:
    return contradicts(p.src, p.tgt)


def _low_score(p: PairRecord, c: CleanConfig) -> bool:
    return c.min_score is not None and p.score < c.min_score


def _low_confidence(p: PairRecord, c: CleanConfig) -> bool:
    """Below the floor; a pair without a confidence (built by hand) is not judged."""
    return (
        c.min_confidence is not None
        and p.confidence is not None
        and (p.confidence < c.min_confidence)
    )


#: The filters in the order they are applied; each returns True to drop the pair.
FILTERS: dict[str, Callable[[PairRecord, CleanConfig], bool]] = {
    "too_short": _too_short,
    "too_long": _too_long,
    "mostly_non_letters": _non_letters,
    "identical_sides": _identical,
    "length_ratio": _length_ratio,
    "numbers_disagree": _numbers,
    "low_score": _low_score,
    "low_confidence": _low_confidence,
}


@dataclass
class CleanReport:
    """How many pairs went in, and how many each filter removed."""

    total: int = 0
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return self.total - sum(self.removed.values())


def clean(
    pairs: Iterable[PairRecord], config: CleanConfig | None = None
) -> tuple[list[PairRecord], CleanReport]:
    """The pairs that pass every filter, and the count each filter removed (with the
    default config, pairs below confidence 0.5 go too: ``CleanConfig(min_confidence=None)``
    keeps them)."""
    config = config or CleanConfig()
    report = CleanReport()
    kept = []
    candidates = []
    for p in pairs:
        report.total += 1
        reason = next((name for name, f in FILTERS.items() if f(p, config)), None)
        if reason:
            report.removed[reason] += 1
        else:
            candidates.append(p)
    if config.langs is not None and candidates:
        candidates = _language_filter(candidates, config.langs, report)
    kept.extend(candidates)
    return kept, report


def _language_filter(
    pairs: list[PairRecord], langs: tuple[str, str], report: CleanReport
) -> list[PairRecord]:
    """Drop pairs whose either side the detector places in the other language."""
    from .langid import UND, SegmentLanguageIdentifier

    # Each line alone: the pairs come from many documents, none of them the page of another.
    ident = SegmentLanguageIdentifier(smooth=False)
    src = ident.identify([p.src for p in pairs], langs, page=False)
    tgt = ident.identify([p.tgt for p in pairs], langs, page=False)
    kept = []
    for p, a, b in zip(pairs, src, tgt, strict=True):
        if a.lang not in (langs[0], UND) or b.lang not in (langs[1], UND):
            report.removed["wrong_language"] += 1
        else:
            kept.append(p)
    return kept


def deduplicate(
    pairs: Sequence[PairRecord], *, near: float | None = 0.8, num_perm: int = 64
) -> tuple[list[PairRecord], dict[str, int], list[set[str]]]:
    """Pairs without exact or near duplicates (the best-scored copy of each is kept), the
    count of each kind removed, and the groups of documents that shared a duplicate (for
    :func:`split`). ``near`` is the MinHash Jaccard threshold; None skips that pass."""
    order = sorted(range(len(pairs)), key=lambda k: -pairs[k].score)
    seen: dict[tuple[str, str], int] = {}
    kept: list[int] = []
    groups: list[set[str]] = []
    counts = {"exact": 0, "near": 0}
    keys: dict[int, tuple[str, str]] = {}
    for k in order:
        key = keys[k] = (_norm(pairs[k].src), _norm(pairs[k].tgt))
        if key in seen:
            counts["exact"] += 1
            groups.append({pairs[seen[key]].doc, pairs[k].doc})
        else:
            seen[key] = k
            kept.append(k)
    if near is not None and len(kept) > 1:
        from .errors import require

        ds: object = require("datasketch", "dataset", "near-duplicate removal")
        lsh = ds.MinHashLSH(threshold=near, num_perm=num_perm)  # type: ignore[attr-defined]
        # One set of permutations for all pairs (drawing them per MinHash was a third of
        # the pass), and CRC-32 for the shingles: a C call, where datasketch's default
        # SHA-1 wrapper costs a Python call per shingle (4x the time in all, measured).
        template = ds.MinHash(num_perm=num_perm)  # type: ignore[attr-defined]
        survivors = []
        for k in kept:
            mh = ds.MinHash(  # type: ignore[attr-defined]
                num_perm=num_perm,
                hashfunc=zlib.crc32,
                permutations=template.permutations,
                scheme=template.scheme,
            )
            text = " | ".join(keys[k])
            mh.update_batch([text[i : i + 5].encode() for i in range(max(1, len(text) - 4))])
            hits = lsh.query(mh)
            if hits:
                counts["near"] += 1
                groups.append({pairs[int(hits[0])].doc, pairs[k].doc})
                continue
            lsh.insert(str(k), mh)
            survivors.append(k)
        kept = survivors
    return [pairs[k] for k in sorted(kept)], counts, groups


def check_sizes(sizes: dict[str, float] | None) -> dict[str, float]:
    """The split shares, checked: non-negative and summing to 1 (default 0.9/0.05/0.05)."""
    sizes = sizes or {"train": 0.9, "dev": 0.05, "test": 0.05}
    if any(v < 0 for v in sizes.values()) or abs(sum(sizes.values()) - 1.0) > 1e-6:
        raise ConfigError(f"split sizes must be non-negative and sum to 1; got {sizes}")
    return sizes


def split(
    pairs: Sequence[PairRecord],
    sizes: dict[str, float] | None = None,
    groups: Iterable[set[str]] = (),
    seed: str = "bialign",
) -> list[PairRecord]:
    """Each pair with its ``split`` set, by document: all pairs of a document, and of
    documents that shared a duplicate (``groups``), land in one split. ``sizes`` are
    the shares of documents per split (default 0.9 / 0.05 / 0.05)."""
    sizes = check_sizes(sizes)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        first, *rest = list(group)
        for other in rest:
            parent[find(other)] = find(first)
    bounds = []
    acc = 0.0
    for name, share in sizes.items():
        acc += share
        bounds.append((acc, name))

    def assign(doc: str) -> str:
        root = find(doc)
        h = int.from_bytes(hashlib.sha256(f"{seed}:{root}".encode()).digest()[:8], "big")
        u = h / 2**64
        return next((name for bound, name in bounds if u < bound), bounds[-1][1])

    return [replace(p, split=assign(p.doc)) for p in pairs]
