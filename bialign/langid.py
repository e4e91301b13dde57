"""Segment language identification for mixed bilingual documents.

Plain character n-gram detectors are unreliable on the short lines that bilingual web
pages are full of ("Leer más", "Breaking news", "SOURCE: EFE"). bialign combines three
kinds of evidence, each cheap:

1. langdetect's n-gram model, restricted to the configured languages (its profiles for
   only those languages are loaded, so nothing else can win);
2. function words and spelling cues ("el/la/que" vs "the/of/and"; ñ, ¿, ¡ and accents
   against English), decisive exactly where n-grams have too little text. They are data
   in :mod:`bialign.languages`: a pair gets function-word evidence when both of its
   languages list function words, and spelling cues when it has a
   :class:`~bialign.languages.Contrast` entry (English/Spanish does); any other pair
   relies on the n-grams and the context alone;
3. the document itself: a hidden Markov model over the segment labels, whose switching
   rate is estimated from the confident segments of that same document, decoded with
   Viterbi. A block-structured post keeps short lines in their block; a line-by-line
   interleaved post keeps alternating.

Segments with no language of their own get ``und`` (see :func:`is_undetermined`, and
:func:`undetermined_lines` for the document's say: a word it writes in lower case is no
name).
Everything is deterministic: langdetect is seeded and nothing else is random.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .about import package_version
from .errors import LanguageError
from .languages import LANGUAGES, contrast, language
from .threads import current_threads

UND = "und"

# ---------------------------------------------------------------------------------------
# "No language of its own": numbers, dates, times, URLs, e-mails, lone names, punctuation.

#: Top-level domains of no country, and time words of no language; every language entry
#: adds its countries' domains and its month and weekday names (bialign.languages).
_GENERIC_DOMAINS = ("com", "org", "net", "io", "gov", "edu")
_GENERIC_TIME_WORDS = frozenset({"h", "gmt", "utc"})
_DOMAINS = "|".join(
    dict.fromkeys(_GENERIC_DOMAINS + tuple(d for lang in LANGUAGES.values() for d in lang.domains))
)
_URL = re.compile(rf"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:{_DOMAINS})\S*", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
#: Month and weekday names and their abbreviations in every language with an entry: a
#: date written with words is still "a date alone".
_DATE_WORDS = _GENERIC_TIME_WORDS.union(*(lang.dates for lang in LANGUAGES.values()))


#: The start of a word in lower case (Latin letters, Latin-1 ones included).
_LOWER_START = re.compile(r"(?<![^\W\d_]|['’])[a-zß-öø-ÿ]")
_TLD_HINT = re.compile(rf"\.(?:{_DOMAINS})", re.I)


def content_words(text: str) -> list[str]:
    """Alphabetic words of a segment once URLs, e-mail addresses and dates are removed."""
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    # The URL pattern is the slow part; most lines cannot hold a URL, so test cheaply first.
    if "://" in text or "www." in text or _TLD_HINT.search(text):
        text = _URL.sub(" ", text)
    return [w for w in _WORD.findall(text) if w.lower() not in _DATE_WORDS]


def is_undetermined(text: str, langs: Sequence[str] = ("en", "es")) -> bool:
    """True for a segment with no language of its own.

    That is: no alphabetic word left once URLs, e-mail addresses, numbers, dates and times
    (month and weekday names included) are removed; or at most three words that are all
    capitalised or upper case, as in a lone name ("Marco Rubio") or a credit
    ("SOURCE: EFE"), none of them a common word of a configured language (see
    :func:`is_common_word`) and not all of them words of one language whose entry sets a
    :attr:`~bialign.languages.Language.word_lean` ("Core Language"). A line with an
    exclamation or question mark ("Never!", "¡Atención!"), or one that ends with a full
    stop after a word ("Privacy."), is an utterance, never a name. This reads the line
    alone; in a document, :func:`undetermined_lines` also asks the rest of it.
    """
    if "@" in text or "://" in text or "www." in text or _TLD_HINT.search(text):
        return _undetermined(text, content_words(text), tuple(langs))
    # Most lines hold a word in lower case that is no month or weekday: one search finds
    # it (a word's start: no letter or apostrophe before it, as _WORD reads words).
    low = _LOWER_START.search(text)
    if low is not None:
        word = _WORD.match(text, low.start())
        if word is not None and word.group().lower() not in _DATE_WORDS:
            return False
    # No address to remove: read words only until one decides (a word that is not
    # capitalised, or a fourth word), as _undetermined would on the whole list.
    words: list[str] = []
    for match in _WORD.finditer(text):
        w = match.group()
        if w.lower() in _DATE_WORDS:
            continue
        if not w[0].isupper() or len(words) == 3:
            return False
        words.append(w)
    return _undetermined(text, words, tuple(langs))


def is_lone_name(text: str, langs: Sequence[str] = ("en", "es")) -> bool:
    """True for a segment that is ``und`` only because it looks like a name: a few
    capitalised words that are no common words. Its translation on the same page would
    show it is language after all (see bialign.pipeline)."""
    words = content_words(text)
    return bool(words) and _undetermined(text, words, tuple(langs))


def undetermined_lines(texts: Sequence[str], langs: Sequence[str] = ("en", "es")) -> list[bool]:
    """:func:`is_undetermined` for each segment of one document, with the document as
    evidence: a line taken for a lone name whose every word (words in capitals aside) the
    document writes in lower case elsewhere is language, as "Loggers" on a page that
    speaks of "loggers" (see :class:`_PageCase`)."""
    langs = tuple(langs)
    page = _PageCase(texts)
    return [
        is_undetermined(t, langs) and not page.writes_in_lower_case(content_words(t)) for t in texts
    ]


class _PageCase:
    """Whether a document writes words in lower case, as words: whitespace-delimited
    tokens, bare or in punctuation, read once, when first needed.

    A name is not written in lower case; a common word is, wherever it is not a heading
    or at a sentence's start. So a capitalised line whose words all appear in lower case
    on its own page is words, even rare ones that no frequency list holds as common
    ("Loggers", "Codificaciones"): 8 of the 21 such headings of the dev split's python
    documents, in their own document. Of the 814 real names of the dev split's
    documents that look like lone names, 5 are written so in their own document, all
    names made of common words ("Music Festival", "Criminal Records") (docs/langid.md).
    Only whole tokens count: a handle, an address or a file name ("@marco_rubio",
    "rubio@efe.es", "javier_ortega.jpg") does not write a name in lower case.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._tokens: frozenset[str] | None = None

    def writes_in_lower_case(self, words: list[str]) -> bool:
        plain = [w.lower() for w in words if not w.isupper()]
        if not plain:
            return False
        if self._tokens is None:
            # One split of the whole document (C speed): a 10,000-line document costs a
            # few milliseconds, and only documents with a line taken for a name pay it.
            self._tokens = frozenset(" ".join(self._texts).split())
        tokens = self._tokens
        return all(any(f"{a}{w}{b}" in tokens for a in _OPENING for b in _CLOSING) for w in plain)


#: Punctuation a word may stand in, as a whitespace-delimited token ("(loggers),").
_OPENING = ("", "(", "[", '"', "'", "«", "“", "‘", "¿", "¡", "*", "_")
_CLOSING = ("", ".", ",", ";", ":", "!", "?", ")", "]", '"', "'", "»", "”", "’", "…", "*", "_",
            ").", "),", '."', ',"', ".”", ",”", "»,", "».", "?”", '?"', "*.", "*,")  # fmt: skip


def _undetermined(text: str, words: list[str], langs: tuple[str, ...]) -> bool:
    if not words:
        return True
    if len(words) > 3 or not all(w[0].isupper() for w in words):
        return False
    if any(ch in text for ch in _QUESTION_MARKS) or _ENDS_SENTENCE.search(text):
        return False
    lexicon = _lexicon(langs)
    if any(w.lower() in lexicon for w in words):
        return False
    # Words in capitals are credits and acronyms ("SOURCE: EFE"); a capitalised word is
    # a name unless it is a common word of one language ("Weight", "Privacidad"), or all
    # its words lean to one language that lets them ("Core Language"; a credit with an
    # acronym, "(Source AFP)", stays one).
    plain = [w for w in words if not w.isupper()]
    if any(is_common_word(w, langs) for w in plain):
        return False
    return len(plain) < len(words) or _leaning(plain, langs) is None


#: A line ending in a full stop right after a word of three or more letters, not in
#: capitals ("Yes.", "Naturalmente."; not "Smith Jr." or "EFE."): its last two letters
#: are lower case, a-z or a letter of a language entry.
_LOWER = "a-z" + "".join(dict.fromkeys(ch for lang in LANGUAGES.values() for ch in lang.letters))
_ENDS_SENTENCE = re.compile(rf"(?<![^\W\d_])[^\W\d_]*[{_LOWER}]{{2}}\.\s*$")
#: Marks that make a line an utterance, never a name ("Never!", "¡Atención!").
_QUESTION_MARKS = "!?" + "".join(
    dict.fromkeys(ch for lang in LANGUAGES.values() for ch in lang.question_marks)
)

#: A word is common vocabulary of a language when its Zipf frequency there (wordfreq:
#: 3 is once per million words) is at least COMMON_ZIPF and exceeds its frequency in the
#: other language by COMMON_LEAN. Names are spelled the same in both languages and
#: have similar frequencies in both ("John" 5.4 / 4.9, "Rubio" 3.5 / 4.2); a common
#: word is rare in the other language ("Weight" 5.0 / 2.5, "privacidad" 0 / 4.3).
#: Chosen on the dev split of benchmarks/hard_enes.py (docs/langid.md).
COMMON_ZIPF = 3.0
COMMON_LEAN = 2.1


def is_common_word(word: str, langs: Sequence[str] = ("en", "es")) -> bool:
    """True when ``word`` is ordinary vocabulary of one of ``langs`` rather than a name."""
    return _is_common(word.lower(), tuple(langs))


def _is_common(word: str, langs: tuple[str, ...]) -> bool:
    return any(lean >= COMMON_LEAN for lean in _leans(word, langs))


@lru_cache(maxsize=65536)
def _leans(word: str, langs: tuple[str, ...]) -> tuple[float, ...]:
    """Per language of ``langs``: how much more frequent (Zipf) ``word`` is there than in
    the most frequent other, or -inf where it is rarer than COMMON_ZIPF; () without
    wordfreq."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return ()
    # A language wordfreq cannot read here counts as 0: Latin-script names and words are
    # rare in the languages that need a tokenizer of their own (zh, ja, ko) anyway.
    freqs = [zipf_frequency(word, lang) if _has_wordlist(lang) else 0.0 for lang in langs]
    return tuple(
        f - max((g for j, g in enumerate(freqs) if j != k), default=0.0)
        if f >= COMMON_ZIPF
        else -math.inf
        for k, f in enumerate(freqs)
    )


def _leaning(words: list[str], langs: tuple[str, ...]) -> str | None:
    """The language of ``langs`` to which every one of ``words`` (at most three) leans by
    its :attr:`~bialign.languages.Language.word_lean`, or None."""
    if not words or len(words) > 3:
        return None
    found = {_leans_to(w.lower(), langs) for w in words}
    return found.pop() if len(found) == 1 else None


def _leans_to(word: str, langs: tuple[str, ...]) -> str | None:
    for code, lean in zip(langs, _leans(word, langs), strict=False):
        needed = language(code).word_lean
        if needed is not None and lean >= needed:
            return code
    return None


@lru_cache(maxsize=64)
def _has_wordlist(lang: str) -> bool:
    """Whether wordfreq can give frequencies in ``lang`` here: Chinese needs jieba, Japanese
    and Korean MeCab (optional packages), and some languages have no list at all."""
    from wordfreq import zipf_frequency

    try:
        zipf_frequency("a", lang)
    except (ImportError, LookupError):
        return False
    return True


# ---------------------------------------------------------------------------------------
# Cues: function words and spelling, from bialign.languages. Log-odds for the pair's
# second language over its first.

#: A function word of one language of the pair (and not of the other) is this much
#: evidence for it, in log-odds (chosen with the English/Spanish cues, docs/langid.md).
FUNCTION_WORD = 1.6
#: A short capitalised line whose every word leans to one language by its word_lean
#: ("Introduction") is this much evidence for it, in log-odds: with a detector that
#: cannot tell, a posterior of 0.95, which the smoothing's largest switching prior (0.9,
#: 2.2 log-odds for staying) cannot overrule on an interleaved page.
LEANING_EVIDENCE = 3.0
#: Cue log-odds are clipped to +-CUE_CAP.
CUE_CAP = 12.0
#: Words whose cue terms a pair keeps (then it starts over).
_SEEN_WORDS = 100_000


@lru_cache(maxsize=8)
def _lexicon(langs: tuple[str, ...]) -> frozenset[str]:
    """The function words of the configured languages: a line holding one is language."""
    return frozenset().union(*(language(code).function_words for code in langs))


#: A "word" or "ending" cue, ready for _cue: (ending?, spellings, a search for any of
#: them, longer than, weight signed positive for the pair's second language).
_WordCue = tuple[bool, tuple[str, ...], Callable[[str], object], int, float]


@dataclass(frozen=True)
class _PairCues:
    """A pair's cue data, read once from bialign.languages: evidence for ``second`` over
    ``first`` (the codes as the caller wrote them), each spelling cue's weight signed."""

    first: str
    second: str
    first_words: frozenset[str]
    second_words: frozenset[str]
    shared: frozenset[str]
    #: ("line" or "each", spellings, signed weight), in the entry's order.
    text: tuple[tuple[str, tuple[str, ...], float], ...]
    word: tuple[_WordCue, ...]
    #: What each word seen so far adds, in order (words repeat: reading them once is
    #: what keeps the cues as fast as the constants they were).
    seen: dict[str, tuple[float, ...]] = field(default_factory=dict, compare=False)

    def adds(self, w: str) -> tuple[float, ...]:
        """The log-odds a word that is not shared adds, one term per cue it meets."""
        found = self.seen.get(w)
        if found is None:
            if w in self.second_words:
                found = (FUNCTION_WORD,)
            elif w in self.first_words:
                found = (-FUNCTION_WORD,)
            else:
                found = tuple(
                    weight
                    for ending, spellings, search, longer_than, weight in self.word
                    if len(w) > longer_than and (w.endswith(spellings) if ending else search(w))
                )
            if len(self.seen) >= _SEEN_WORDS:
                self.seen.clear()
            self.seen[w] = found
        return found


@lru_cache(maxsize=64)
def _pair_cues(langs: tuple[str, ...]) -> _PairCues | None:
    """The cues for exactly two configured languages; None when the pair has none."""
    codes = sorted(set(langs))
    if len(codes) != 2:
        return None
    found = contrast(*codes)
    if found is None:
        return None
    first, second = codes
    if first.lower() != found.langs[0]:
        first, second = second, first
    first_words = language(first).function_words
    second_words = language(second).function_words
    text: list[tuple[str, tuple[str, ...], float]] = []
    word: list[_WordCue] = []
    for cue in found.cues:
        signed = cue.weight if cue.lang == found.langs[1] else -cue.weight
        if cue.where in ("line", "each"):
            text.append((cue.where, cue.spellings, signed))
        else:
            search = re.compile("|".join(map(re.escape, cue.spellings))).search
            word.append((cue.where == "ending", cue.spellings, search, cue.longer_than, signed))
    return _PairCues(
        first,
        second,
        first_words,
        second_words,
        found.shared | (first_words & second_words),
        tuple(text),
        tuple(word),
    )


def _cue(low: str, words: list[str], cues: _PairCues) -> float:
    """Evidence for ``cues.second`` over ``cues.first`` in a lower-cased line and its
    lower-cased content words (log-odds, clipped to +-CUE_CAP; 0 for no evidence)."""
    score = 0.0
    for where, spellings, weight in cues.text:
        if where == "line":
            if any(s in low for s in spellings):
                score += weight
        else:
            score += weight * sum(low.count(s) for s in spellings)
    shared, adds = cues.shared, cues.adds
    for w in words:
        if w in shared:
            continue
        for x in adds(w):
            score += x
        if score >= CUE_CAP or score <= -CUE_CAP:
            break  # decisive already; the rest of a long line cannot change the label
    return max(-CUE_CAP, min(CUE_CAP, score))


# ---------------------------------------------------------------------------------------
# Detectors.


@runtime_checkable
class LanguageDetector(Protocol):
    """Anything that gives, for each text, a probability for each configured language."""

    def probabilities(self, texts: Sequence[str], langs: Sequence[str]) -> list[dict[str, float]]:
        """One dict per text, over exactly ``langs``, summing to 1 (uniform if unsure)."""
        ...


class LangdetectDetector:
    """langdetect's n-gram model with only the configured languages' profiles loaded.

    Uses ``langdetect_rs`` (the same results from a Rust core) when it is installed, else
    ``langdetect``. Seeded with 0, so repeated runs give the same probabilities.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._factories: dict[tuple[str, ...], object] = {}

    @property
    def identity(self) -> str:
        """What names this detector's results (for a persistent cache of them)."""
        return f"langdetect-{package_version('langdetect')}-seed{self.seed}"

    def _factory(self, langs: tuple[str, ...]) -> object:
        if langs not in self._factories:
            self._factories[langs] = _restricted_factory(langs, self.seed)
        return self._factories[langs]

    def probabilities(self, texts: Sequence[str], langs: Sequence[str]) -> list[dict[str, float]]:
        key = tuple(langs)
        factory = self._factory(key)
        out = []
        for text in texts:
            detector = factory.create()  # type: ignore[attr-defined]
            detector.append(text)
            try:
                found = {lang.lang: lang.prob for lang in detector.get_probabilities()}
            except Exception:  # langdetect raises when a text has no usable features
                found = {}
            out.append(_complete(found, key))
        return out


class LinguaDetector:
    """lingua's n-gram models restricted to the configured languages.

    More accurate than langdetect on short lines (it was built for them), and fast:
    its Rust core classifies a batch on all cores.
    """

    def __init__(self) -> None:
        self._detectors: dict[tuple[str, ...], object] = {}

    @property
    def identity(self) -> str:
        """What names this detector's results (for a persistent cache of them)."""
        return f"lingua-{package_version('lingua-language-detector')}"

    def _detector(self, langs: tuple[str, ...]) -> object:
        if langs not in self._detectors:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

            unknown = [x for x in langs if not hasattr(IsoCode639_1, x.upper())]
            if unknown:
                raise LanguageError(
                    f"lingua does not know the language code(s) {', '.join(map(repr, unknown))} "
                    "(ISO 639-1 codes such as 'en', 'es', 'de')"
                )
            chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, x.upper())) for x in langs]
            self._detectors[langs] = LanguageDetectorBuilder.from_languages(*chosen).build()
        return self._detectors[langs]

    def probabilities(self, texts: Sequence[str], langs: Sequence[str]) -> list[dict[str, float]]:
        key = tuple(langs)
        detector = self._detector(key)
        if current_threads() == 1:  # lingua's parallel pool spans every CPU: stay on one
            results = [detector.compute_language_confidence_values(t) for t in texts]  # type: ignore[attr-defined]
        else:
            results = detector.compute_language_confidence_values_in_parallel(list(texts))  # type: ignore[attr-defined]
        out = []
        for values in results:
            found = {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}
            out.append(_complete(found, key))
        return out


#: Changes whenever the labelling rules of this module change, so that stored language
#: checks (bialign.cache) made under other rules are not read.
RULES_VERSION = "2026-11-29.3"


def default_detector() -> LanguageDetector:
    """lingua when installed (the better base, see docs/langid.md), else langdetect."""
    try:
        import lingua  # noqa: F401
    except ImportError:  # pragma: no cover - depends on what is installed
        return LangdetectDetector()
    return LinguaDetector()


def _complete(found: dict[str, float], langs: tuple[str, ...]) -> dict[str, float]:
    """Fill in the languages a detector left out and renormalise over ``langs``."""
    known = {lang: found.get(lang, 0.0) for lang in langs}
    missing = [lang for lang in langs if known[lang] <= 0.0]
    rest = max(0.0, 1.0 - sum(known.values()))
    for lang in missing:
        known[lang] = max(rest / len(missing), 1e-3)
    total = sum(known.values())
    return {lang: p / total for lang, p in known.items()}


def _restricted_factory(langs: tuple[str, ...], seed: int) -> object:
    import importlib

    try:
        ld: Any = importlib.import_module("langdetect_rs")
    except ImportError:  # pragma: no cover - depends on what is installed
        ld = importlib.import_module("langdetect")
    import langdetect as ld_py  # profiles ship with the Python package

    profile_dir = Path(ld_py.__file__).parent / "profiles"
    profiles = []
    for lang in langs:
        path = profile_dir / lang
        if not path.is_file():
            raise LanguageError(
                f"langdetect has no profile for language {lang!r}; "
                f"known: {', '.join(sorted(p.name for p in profile_dir.iterdir()))}"
            )
        profiles.append(path.read_text(encoding="utf-8"))
    factory = ld.DetectorFactory()
    factory.load_json_profile([json.dumps(json.loads(p)) for p in profiles])
    factory.set_seed(seed)
    ld.DetectorFactory.seed = seed
    return factory


# ---------------------------------------------------------------------------------------
# Putting the evidence together.


@dataclass(frozen=True)
class LangLabel:
    """The language of one segment and how sure bialign is of it (0-1)."""

    lang: str
    confidence: float


#: A line of at least DECISIVE_WORDS content words whose cues reach DECISIVE_CUE in
#: log-odds (about five more function words of one language than of the other) is
#: labelled from the cues alone.
DECISIVE_WORDS = 8
DECISIVE_CUE = 8.0


class SegmentLanguageIdentifier:
    """Labels every segment of a document with one of ``langs`` or ``und``."""

    def __init__(self, detector: LanguageDetector | None = None, smooth: bool = True) -> None:
        self.detector = detector if detector is not None else default_detector()
        self.smooth = smooth

    def identify(
        self,
        texts: Sequence[str],
        langs: Sequence[str],
        translated: Collection[int] = (),
        page: bool = True,
    ) -> list[LangLabel]:
        """One label per text of one document. ``und`` is as :func:`undetermined_lines`
        says, the texts being the page; with ``page=False`` (texts of many documents) as
        :func:`is_undetermined` says of each text alone. Indices in ``translated`` are
        lines whose translation is on the page, so they are language: the name rule of
        ``und`` skips them."""
        langs = tuple(langs)
        known = set(translated)
        und = (
            undetermined_lines(texts, langs) if page else [is_undetermined(t, langs) for t in texts]
        )
        cues = _pair_cues(langs)
        labels: list[LangLabel | None] = [None] * len(texts)
        todo: list[int] = []  # segments that need a language
        evidence: dict[int, tuple[int, float]] = {}  # index -> (content words, cue)
        leaned: dict[int, str] = {}  # a heading whose words lean to a language (word_lean)
        ask: list[int] = []  # segments the n-gram detector must see
        for i, text in enumerate(texts):
            words = content_words(text)
            if und[i] and not (words and i in known):
                labels[i] = LangLabel(UND, 1.0)
                continue
            todo.append(i)
            cue = _cue(text.lower(), [w.lower() for w in words], cues) if cues is not None else 0.0
            evidence[i] = (len(words), cue)
            if len(words) <= 3 and all(w[0].isupper() and not w.isupper() for w in words):
                leaning = _leaning(words, langs)
                if leaning is not None:
                    leaned[i] = leaning
            # A long line full of function words is decided by the cues alone: asking
            # the detector too would only cost time (it agrees on every such line of
            # the benchmark, see docs/langid.md).
            if not (cues is not None and len(words) >= DECISIVE_WORDS and abs(cue) >= DECISIVE_CUE):
                ask.append(i)
        if not todo:
            return [lab for lab in labels if lab is not None]
        found = self.detector.probabilities([texts[i] for i in ask], langs)
        probs = dict(zip(ask, found, strict=True))
        log_probs = []
        for i in todo:
            n_words, cue = evidence[i]
            lp = dict.fromkeys(langs, 0.0)
            if i in probs:
                # n-gram evidence grows with length; on a one-word line it is close to
                # noise. Clipped: a detector's 0.999 on a five-word line is overconfident.
                weight = min(1.0, 0.25 + n_words / 8.0)
                p = probs[i]
                lp = {lang: weight * math.log(min(max(p[lang], 0.02), 0.98)) for lang in langs}
            if cues is not None:
                lp[cues.second] += cue / 2.0
                lp[cues.first] -= cue / 2.0
            if i in leaned:
                lp[leaned[i]] += LEANING_EVIDENCE
            log_probs.append(_normalise_log(lp))
        path = _viterbi(log_probs, langs) if self.smooth else None
        for k, i in enumerate(todo):
            post = {lang: math.exp(v) for lang, v in log_probs[k].items()}
            lang = path[k] if path is not None else max(post, key=lambda x: post[x])
            labels[i] = LangLabel(lang, round(post[lang], 6))
        return [lab for lab in labels if lab is not None]


# ---------------------------------------------------------------------------------------
# Does ``langs`` fit the document at all?

#: The fit check reads, for each language of ``langs``, the FIT_SAMPLE longest segments
#: labelled with it (of FIT_MIN_LENGTH or more, in text_length units: about letters; a
#: document of one language, FIT_SAMPLE_DOCUMENT), their first FIT_CHARS characters...
FIT_SAMPLE = 8
FIT_SAMPLE_DOCUMENT = 4
FIT_MIN_LENGTH = 25.0
FIT_CHARS = 160
#: ...with the detector choosing among more languages; a segment counts for the language
#: it gives FIT_CONFIDENCE or more.
FIT_CONFIDENCE = 0.7
#: At least FIT_COUNT segments, and FIT_SHARE of a label's sample, in one language outside
#: ``langs`` make it a wrong ``langs``. On the 520 English/Spanish pages and document pairs
#: of benchmarks/hard_enes.py (both splits) no label had more than one of its eight
#: longest segments read as another language, at 0.7 as at 0.8 (0.7: a Spanish line full
#: of names, "El Grupo de Estudio de Irak...", reads 0.76).
FIT_COUNT = 3
FIT_SHARE = 1 / 3
#: ...or FIT_COUNT_ABSENT when a language of ``langs`` is read not once (a page of four
#: lines in English and Portuguese aligned as English/Spanish).
FIT_COUNT_ABSENT = 2
#: The settings above in one string: stored outcomes of the check are keyed by it.
FIT_SETTINGS = f"{FIT_SAMPLE}/{FIT_SAMPLE_DOCUMENT}/{FIT_MIN_LENGTH}/{FIT_CHARS}/" + (
    f"{FIT_CONFIDENCE}/{FIT_COUNT}/{FIT_COUNT_ABSENT}/{FIT_SHARE:.4f}/text_length"
)


@dataclass(frozen=True)
class ForeignReading:
    """Segments labelled ``label`` that, among more languages, read as ``other``."""

    label: str
    other: str
    count: int  # sampled segments that read as ``other``
    sampled: int
    #: ``langs`` with ``other`` in place of the language of ``langs`` that shows least in
    #: the sample (on a page in English and Spanish aligned as English/German: German).
    suggested: tuple[str, ...] = ()
    #: True: ``langs`` does not fit (a language of it hardly shows). False: both show, and
    #: ``other`` is a third language of the page, whose segments are no part of a pair.
    wrong_langs: bool = True


def foreign_reading(
    groups: Mapping[str, Sequence[str]],
    langs: Sequence[str],
    detector: LanguageDetector,
    sample: int = FIT_SAMPLE,
) -> ForeignReading | None:
    """The first language of ``langs`` whose segments mostly read as a language not in
    ``langs``, or None.

    The identifier chooses between the two languages of ``langs`` only, so a page in
    English and Spanish aligned with ``langs=("en", "de")`` gets its Spanish labelled
    English or German, and its pairs go out under the wrong headers at full confidence.
    Asking the detector again, about the ``sample`` longest segments of each label (their
    first FIT_CHARS characters: the check asks more languages, and its cost grows with
    both), with every language of bialign's registry (bialign.languages) added, tells:
    FIT_COUNT or more of them, and FIT_SHARE of the whole sample, confidently in one
    language outside ``langs`` while a language of ``langs`` hardly shows (fewer than
    FIT_COUNT) is a wrong ``langs`` (the Spanish may be spread over both labels, sharing
    each with the language that is right). A page where both languages of ``langs`` show
    and a third one too, in FIT_COUNT or more (English, Spanish and French), is not a
    wrong ``langs``: the result says so (``wrong_langs`` False), for the caller to take
    the third language's segments out of pairing. A detector that does not know one of
    those languages skips the check."""
    from collections import Counter

    from .languages import text_length

    wider = tuple(dict.fromkeys((*langs, *LANGUAGES)))
    texts: list[str] = []
    owners: list[str] = []
    for label, items in groups.items():
        # Longest by text_length, so that Chinese lines (few characters) are asked too.
        long = [t for t in items if text_length(t) >= FIT_MIN_LENGTH]
        long.sort(key=text_length, reverse=True)
        texts += [t[:FIT_CHARS] for t in long[:sample]]
        owners += [label] * len(long[:sample])
    if not texts or len(wider) == len(tuple(langs)):
        return None
    found = _ask(detector, texts, wider, tuple(langs))
    if found is None:
        return None
    reads = {
        label: Counter(
            max(p, key=lambda x: p[x])
            for p, owner in zip(found, owners, strict=True)
            if owner == label and p and max(p.values()) >= FIT_CONFIDENCE
        )
        for label in groups
    }
    total = Counter[str]()
    for read in reads.values():
        total.update(read)
    both = all(total[x] >= FIT_COUNT for x in langs)
    for other, count in total.most_common():
        if other in langs:
            continue
        label = max(reads, key=lambda lab: reads[lab][other])
        if both:  # a third language of the page, once it is read FIT_COUNT times
            if count >= FIT_COUNT:
                return ForeignReading(label, other, count, len(texts), tuple(langs), False)
            continue
        # The language of langs that shows least makes way (on a tie, the label's).
        gone = min(langs, key=lambda x: (total[x], x != label))
        # On a short page or document, two are enough when that language shows not once.
        least = FIT_COUNT if total[gone] else FIT_COUNT_ABSENT
        if count >= least and count >= FIT_SHARE * len(texts):
            suggested = tuple(other if x == gone else x for x in langs)
            return ForeignReading(label, other, count, len(texts), suggested)
    return None


def third_language_segments(
    texts: Sequence[str], other: str, langs: Sequence[str], detector: LanguageDetector
) -> list[int]:
    """Positions of ``texts`` (of FIT_MIN_LENGTH or more) that the detector, asked among
    ``langs`` and ``other``, puts in ``other`` with FIT_CONFIDENCE or more: on a page that
    :func:`foreign_reading` found in a third language as well, the segments in it."""
    from .languages import text_length

    asked = [k for k, t in enumerate(texts) if text_length(t) >= FIT_MIN_LENGTH]
    if not asked:
        return []
    found = _ask(detector, [texts[k][:FIT_CHARS] for k in asked], (*langs, other), tuple(langs))
    if found is None:
        return []
    return [
        k
        for k, p in zip(asked, found, strict=True)
        if p and max(p, key=lambda x: p[x]) == other and p[other] >= FIT_CONFIDENCE
    ]


def _ask(
    detector: LanguageDetector, texts: list[str], wider: tuple[str, ...], langs: tuple[str, ...]
) -> list[dict[str, float]] | None:
    """The detector's probabilities over ``wider``; over the Latin-script languages of it
    when the detector knows no Chinese or Japanese (langdetect names them otherwise);
    None when it cannot answer (a user's detector written for ``langs`` alone)."""
    latin = tuple(x for x in wider if x not in ("zh", "ja") or x in langs)
    for ask in dict.fromkeys((wider, latin)):
        if len(ask) == len(langs):
            break
        try:
            found = detector.probabilities(texts, ask)
        except Exception:  # noqa: BLE001 - any failure of a user's detector skips the check
            continue
        if isinstance(found, list) and len(found) == len(texts):
            return [p if isinstance(p, dict) else {} for p in found]
    return None


def _normalise_log(lp: dict[str, float]) -> dict[str, float]:
    top = max(lp.values())
    z = top + math.log(sum(math.exp(v - top) for v in lp.values()))
    return {k: v - z for k, v in lp.items()}


def _viterbi(log_probs: list[dict[str, float]], langs: tuple[str, ...]) -> list[str]:
    """Most likely label sequence under a two-parameter HMM fitted to this document.

    The switching probability is estimated from consecutive confident segments (add-one
    smoothed), so the prior adapts to block-structured and interleaved documents alike.
    Emissions are the per-segment posteriors, so a confident segment is never overruled;
    only segments with weak evidence follow their neighbours.
    """
    confident = [
        max(lp, key=lambda x: lp[x]) if max(lp.values()) > math.log(0.97) else None
        for lp in log_probs
    ]
    same = switch = 1.0
    prev = None
    for lab in confident:
        if lab is None:
            continue
        if prev is not None:
            if lab == prev:
                same += 1
            else:
                switch += 1
        prev = lab
    p_switch = min(0.9, max(0.15, switch / (same + switch)))
    log_stay = math.log(1.0 - p_switch)
    log_move = math.log(p_switch / max(1, len(langs) - 1))
    n = len(log_probs)
    score = {lang: log_probs[0][lang] for lang in langs}
    back: list[dict[str, str]] = []
    for t in range(1, n):
        new: dict[str, float] = {}
        ptr: dict[str, str] = {}
        for lang in langs:
            best_prev = max(langs, key=lambda q: score[q] + (log_stay if q == lang else log_move))
            new[lang] = (
                score[best_prev]
                + (log_stay if best_prev == lang else log_move)
                + log_probs[t][lang]
            )
            ptr[lang] = best_prev
        score = new
        back.append(ptr)
    last = max(langs, key=lambda q: score[q])
    path = [last]
    for ptr in reversed(back):
        last = ptr[last]
        path.append(last)
    return path[::-1]
