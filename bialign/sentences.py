"""Sentence splitting for English and Spanish, mixed lines included.

bialign writes few splitting rules of its own: it combines two maintained splitters,
chosen on benchmarks/sentences.py against pysbd, blingfire and each of the two alone
(docs/input.md has the numbers). syntok finds the boundaries: it scores best on the
FLORES and WMT paragraphs, splits quotations into their sentences as those references
do, and keeps no state across a paragraph (sentencex, after a stray quote mark early in
a long paragraph, stops splitting for the rest of it). But syntok splits after Spanish
and some English abbreviations it does not know ("la Dra. Ruiz", "el núm. 5", "Gov.
Brown"), so each boundary it proposes is shown to sentencex (Wikimedia's segmenter,
which has abbreviation lists for both languages) as the word before it and the word
after it, and kept only when sentencex splits there under the rules of every language
of the pair: a line may hold both languages ('He said "we will win." Dijo "vamos a
ganar."'), and an abbreviation of either language must not end a sentence.

Both splitters pass over some sentence ends as abbreviations. Three rules of bialign's
own, each for a class rather than a word list, add those boundaries (docs/input.md has
what they changed): a unit symbol after a number ("34 cm. Un hombre"), an ordinary
frequent word that abbreviation lists hold ("etc. Cientos"), and an initialism before a
common word ("EE.UU. No piensa").

syntok knows only Latin sentence punctuation, so it proposes no boundary after the
full-width stops (。！？) of Chinese or Japanese. For a language written without spaces
(:attr:`bialign.languages.Language.spaced` False), sentencex's rules for that language
add the boundaries it finds right after such a stop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .languages import language

# Quote marks and brackets around the two words shown to sentencex: the question is
# only whether the word before is an abbreviation.
_MARKS = "\"'“”‘’«»()[]`"


def _syntok(text: str) -> list[int]:
    """Offsets where syntok starts a sentence, the first one apart (syntok reads a copy
    in which closing quote marks are written as it knows them; see below)."""
    import syntok.segmenter as syntok

    out = []
    shown = _PUNCT_GUILLEMET.sub(r"\1”", _glued_closing_quotes(text))
    for para in syntok.analyze(shown):
        for sentence in para:
            if sentence and sentence[0].offset > 0:
                out.append(sentence[0].offset)
    return sorted(set(out))


#: A guillemet right after a sentence's end mark closes the quotation, whichever way it
#: points (French and Spanish «...», German »...«). syntok ends a sentence after '."' and
#: '.”' but not after '.»', so it is shown a ” there: one character for one, so offsets
#: stay those of the text.
_PUNCT_GUILLEMET = re.compile(r"([.!?…])[»«]")
#: Closing quote marks and the marks they close; a straight quote closes every second one.
_CLOSES = {"”": "“„", "»": "«"}
_SPACED_CLOSING = re.compile(r"(?<=\S)(\s+)([\"”»])(?=[.!?…,;:)]*(?:\s|$))")
_SENTENCE_MARKS = re.compile(r"[.!?…,;:)]*")
#: A quote mark after any space: French writes « ... » with no-break or thin spaces.
_SPACED_MARK = re.compile(r"\s[\"”»]")


def _glued_closing_quotes(text: str) -> str:
    """The text as syntok should read it: a closing quote mark written after a space
    (tokenised text, '...un " error inocente ". Opinión'; French spacing, « ... ») moved
    left onto the word it closes, with the marks after it, and the spaces put after them
    ('...un " error inocente".  Opinión').

    syntok reads a quote mark after a space as opening, and then splits nothing up to
    the paragraph's end. Only characters inside each such run move, so every offset
    syntok reports past it is an offset of the text itself. A straight quote closes when
    the text's straight quotes before it are odd in number, and only in a text with an
    even count (an unmatched one leaves them all as they are); a closing curly quote or
    guillemet only after its opening mark (German writes »...«: left alone)."""
    if _SPACED_MARK.search(text) is None:
        return text
    straight_even = text.count('"') % 2 == 0
    chars = list(text)
    for m in _SPACED_CLOSING.finditer(text):
        space, mark = m.start(1), m.start(2)
        if text[mark] == '"':
            closing = straight_even and text.count('"', 0, mark) % 2 == 1
        else:
            opening = max(text.rfind(c, 0, mark) for c in _CLOSES[text[mark]])
            closing = opening >= 0 and text.rfind(text[mark], 0, mark) < opening
        if not closing:
            continue
        end = _SENTENCE_MARKS.match(text, mark + 1)
        stop = end.end() if end else mark + 1
        moved = text[mark:stop]
        chars[space:stop] = list(moved + text[space:mark])
    return "".join(chars)


def _confirmed(text: str, at: int, langs: Sequence[str]) -> bool:
    """Whether sentencex, under every language's rules, splits between the word that
    ends before ``at`` and the word that starts there."""
    from sentencex import segment

    # The nearest word on each side; a quote mark standing alone (' " Ocho nombres',
    # as French-style news writes it) is not the word.
    before = [w for w in (x.rstrip(_MARKS) for x in text[:at].rsplit(maxsplit=3)[-3:]) if w]
    after = [w for w in (x.lstrip(_MARKS) for x in text[at:].split(maxsplit=3)) if w]
    if not before or not after:
        return True
    probe = f"{before[-1]} {after[0]}"
    if _ordinary_word_ends(before[-1], after[0], langs):
        return True
    return all(
        sum(1 for piece in segment(lang, probe) if piece.strip()) > 1
        for lang in dict.fromkeys(langs)
    )


def boundaries(text: str, langs: Sequence[str] = ("en", "es")) -> list[int]:
    """Offsets where a sentence starts, the first one apart."""
    found = []
    spaced = all(language(lang).spaced for lang in langs)
    for at in _syntok(text):
        at = _past_closing_quote(text, at)
        if not 0 < at < len(text):
            continue
        if spaced and _inside_token(text, at):
            continue
        if _confirmed(text, at, langs):
            found.append(at)
    proposed = set(found)
    for m in _STOP_BEFORE_CAPITAL.finditer(text):
        if m.end() not in proposed and _stop_ends_sentence(text, m, langs):
            found.append(m.end())
    for lang in dict.fromkeys(langs):
        if not language(lang).spaced and _HAS_FULL_STOP.search(text):
            found += _after_full_stops(text, lang)
    return sorted(set(found))


#: A word ending in a full stop, then spaces and a capitalised word (opening marks
#: allowed): the places syntok passes over when it reads the word as an abbreviation.
_STOP_BEFORE_CAPITAL = re.compile(r"(?<!\S)(\S+)\.\s+(?=[\"“«¿¡(]*[^\W\d_])")
_NUMBER_WORD = re.compile(r"\d[\d.,]*")
_INITIALISM = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
#: Unit symbols (SI and common others), as written: a symbol takes no abbreviation point,
#: so after a number ("entre 21 y 34 cm.") the point ends the sentence (abbreviation
#: lists hold "cm." and "km." for other uses). Case matters: "5 M. Jackson" is an
#: initial, so no single capital letter is here.
UNIT_SYMBOLS = frozenset(
    {"mm", "cm", "dm", "m", "km", "mg", "g", "kg", "t", "ml", "cl", "dl", "l", "s", "min",
     "h", "ha", "kw", "kwh", "kW", "kWh", "MW", "GW", "MB", "GB", "TB", "Hz", "kHz", "MHz", "GHz"}
)  # fmt: skip
#: A number with a unit symbol glued to it ("34cm", "5.0Ghz"); symbols of two or more
#: letters are matched in any case there, as crawled text writes them.
_NUMBER_AND_UNIT = re.compile(r"\d[\d.,]*([^\W\d_]{2,4})")
_UNITS_ANY_CASE = frozenset(u.lower() for u in UNIT_SYMBOLS if len(u) > 1)
#: Times of day after a number ("at 5 p.m."): a sentence may end there, or go on ("at
#: 5 p.m. Friday"), so the next word decides, as after an initialism.
TIME_MARKS = frozenset({"a.m", "p.m"})
#: Zipf frequency from which a capitalised word after an initialism ("EE.UU. No ...",
#: "U.S. The ...") is a common word of one of the languages, so a sentence starts there.
COMMON_START_ZIPF = 5.5
_TOKEN = re.compile(r"\S+")
_OPENING = _MARKS + "¿¡"


def _previous_token(text: str, end: int) -> str:
    """The whitespace-delimited token that ends before ``end`` (spaces skipped), read
    backwards without copying the text before it."""
    i = end
    while i > 0 and text[i - 1].isspace():
        i -= 1
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def _stop_ends_sentence(text: str, m: re.Match[str], langs: Sequence[str]) -> bool:
    """A full stop syntok did not take as a sentence end that is one: after a unit
    symbol that follows a number, after an ordinary frequent word (see
    :func:`_ordinary_word_ends`), or after a capital initialism (or a time of day after
    a number) before a common word."""
    stem = m.group(1).rstrip(_MARKS) if m.group(1)[-1:] in _MARKS else m.group(1)
    after = _TOKEN.match(text, m.end())
    nxt = after.group().lstrip(_OPENING) if after else ""
    if not nxt[:1].isupper():
        return False
    after_number = bool(_NUMBER_WORD.fullmatch(_previous_token(text, m.start())))
    if stem in UNIT_SYMBOLS:
        return after_number
    glued = _NUMBER_AND_UNIT.fullmatch(stem)
    if glued and glued.group(1).lower() in _UNITS_ANY_CASE:
        return True  # "5.0GHz. Esto": a number with its unit takes no abbreviation point
    if _ordinary_word_ends(stem + ".", nxt, langs):
        return True
    # Capital initialisms name things ("EE.UU.", "U.S.", "D.C.") and may end a sentence;
    # lower-case ones ("e.g.", "i.e.") introduce what follows. So does a month or weekday
    # written in full ("in May. Los precios"): abbreviation lists hold "May." for the
    # languages that shorten "mayo", but in a language where it is the whole name the
    # point ends the sentence.
    if (
        (_INITIALISM.fullmatch(stem) and stem.isupper())
        or (stem in TIME_MARKS and after_number)
        or (stem[:1].isupper() and _full_date_word(stem.lower(), langs))
    ):
        from wordfreq import zipf_frequency

        word = nxt.rstrip(".,;:!?" + _MARKS).lower()
        return any(zipf_frequency(word, lang) >= COMMON_START_ZIPF for lang in langs)
    return False


#: Characters that separate words without showing (zero-width space, word joiner, BOM).
_INVISIBLE_SPACES = "\u200b\u2060\ufeff"
#: A lower-case word of two letters or more and its full stop, right before a capital
#: with no space between ("a real delight.What makes it"): a typing slip between two
#: sentences.
_GLUED_END = re.compile(r"(?<![^\W\d_])[^\W\d_]*[^\W\d_A-Z]{2}\.$")
#: How far back a glued word is read: a longer "word" is a URL or debris, no sentence.
_GLUED_REACH = 48


def _inside_token(text: str, at: int) -> bool:
    """Whether a proposed boundary falls inside a token: a full stop between a letter or
    digit and the next word with no space ("Arch.Design", "ASP.NET", "U.S.Army"). In a
    language written with spaces, a sentence starts after whitespace; the one exception
    is a lower-case word glued to the next sentence by a missing space, which crawled
    text often has ("delight.What"). Other marks ("Why?Because", "...Then") are left to
    the splitters, as before."""
    before = text[at - 1]
    if before.isspace() or before in _INVISIBLE_SPACES:
        return False
    if before != "." or at < 2 or not text[at - 2].isalnum():
        return False
    reach = text[max(0, at - _GLUED_REACH) : at]
    parts = reach.split()
    word = parts[-1] if parts else reach
    glued = word[:1].islower() and len(word) < _GLUED_REACH and _GLUED_END.search(word)
    return not glued


def _full_date_word(word: str, langs: Sequence[str]) -> bool:
    """A month or weekday name in full in one of ``langs``: one of its date words that
    does not begin another ("may" in English; not "mar", which begins "march")."""
    if len(word) < 3 or word in _TIME_WORDS:
        return False
    for lang in dict.fromkeys(langs):
        dates = language(lang).dates
        if word in dates and not any(w != word and w.startswith(word) for w in dates):
            return True
    return False


#: Date words of the language entries that name no month or weekday.
_TIME_WORDS = frozenset({"am", "pm", "hrs", "gmt", "utc"})


def _past_closing_quote(text: str, at: int) -> int:
    """A boundary proposed just before a quote mark that closes the sentence before it
    (``fascina. " Finalmente``: the text before holds an odd number of straight quotes;
    or a closing curly quote or guillemet) moves past that mark and its spaces."""
    rest = text[at:]
    mark = rest[:1]
    closing = mark in "”»’" or (mark == '"' and text.count('"', 0, at) % 2 == 1)
    if not closing or (len(rest) > 1 and not rest[1].isspace()):
        return at  # an opening mark, or one glued to the next word ('"Pensé')
    return len(text) - len(rest[1:].lstrip()) if rest[1:].strip() else len(text)


_HAS_FULL_STOP = re.compile(r"[。！？]")
#: Text that ends with a full-width stop and any closing quotes or brackets after it.
_ENDS_FULL_STOP = re.compile(r"[。！？][」』”’）)】》]*\s*$")


def _after_full_stops(text: str, lang: str) -> list[int]:
    """Offsets where sentencex, under ``lang``'s rules, starts a sentence right after a
    full-width stop."""
    from sentencex import segment

    out = []
    at = 0
    for piece in segment(lang, text):
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, at)
        if start < 0:  # pragma: no cover - sentencex returns slices of the text
            break
        if start > 0 and _ENDS_FULL_STOP.search(text[:start]):
            out.append(start)
        at = start + len(piece)
    return out


def split_text(
    text: str, lang: str | None = None, langs: Sequence[str] = ("en", "es")
) -> list[str]:
    """The sentences of ``text``, each a stripped slice of it (never altered).

    ``lang`` is accepted for the benchmark's common signature; the split does not depend
    on it, so that a line labelled with one language but holding both splits the same.
    """
    cuts = [0, *boundaries(text, langs), len(text)]
    out = [text[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False)]
    return [s for s in out if s]


#: Zipf frequency (wordfreq; 5 = once per 100,000 words) from which a lower-case word is
#: ordinary vocabulary rather than an abbreviation. Abbreviation lists hold words that are
#: also among a language's most frequent ones (Spanish "no.", for "número"), and a
#: sentence ending in such a word ("les guste o no. El presupuesto...") is common.
ORDINARY_ZIPF = 5.0


def _ordinary_word_ends(word: str, nxt: str, langs: Sequence[str]) -> bool:
    """A lower-case word with a full stop, a frequent word of every language of the text
    (not a run of letters and dots such as "a.m."), before a capitalised word: the full
    stop ends a sentence whatever the abbreviation lists say."""
    stem = word[:-1] if word.endswith(".") else ""
    if not (stem.isalpha() and stem.islower() and len(stem) > 1 and nxt[:1].isupper()):
        return False
    from wordfreq import zipf_frequency

    return all(zipf_frequency(stem, lang) >= ORDINARY_ZIPF for lang in dict.fromkeys(langs))


#: How a segment ends, read past closing quotes, brackets and spaces (tokenised corpora
#: space them out: "... auch ! )"): a full stop, question or exclamation mark or
#: ellipsis (Latin or full-width) ends a sentence; a colon or semicolon may or may not,
#: and translators change one into the other or into a full stop.
_TRAILING = " \t\n\r\f\v\u00a0\u2009\u202f\u3000\"'”’»)]」』）"
_SENTENCE_END = frozenset(".!?…。！？")
_SOFT_END = frozenset(";:；：")
#: The first word of a segment, past opening (and closing) quotes, brackets and dashes.
_FIRST_WORD = re.compile(r"[\"'“‘«¿¡(\[\-–—»”’)\s]*(\S*)")
#: A list item's label in lower case ("b ) Les Alpes", "a. First", "iv) Then"): the item
#: starts a unit of its own.
_ENUMERATOR = re.compile(r"\s*[(\[]?(?:[^\W\d_]|[ivx]{2,4})\s?[).\]]\s")
#: The kinds of boundary open_boundaries tells apart. Two boundaries disagree when one
#: is CLOSED and the other OPEN: ``(a ^ b) == 1`` (SOFT agrees with both).
CLOSED, OPEN, SOFT = 0, 1, 2


def _first_word(text: str) -> str:
    """A segment's first word, past opening (and closing) quotes, brackets and dashes."""
    match = _FIRST_WORD.match(text)
    return match.group(1) if match else ""


def _continues(text: str, word: str) -> bool:
    """A segment (``text``, its first word ``word``) that starts in lower case: the rest
    of a sentence, a closing quote before it included ("» dit-il", after a quotation
    that ended the segment before). Not a list item's label ("b ) Les Alpes") nor a name
    written with an inner capital ("iPhone", "eBay")."""
    return word[:1].islower() and word == word.lower() and not _ENUMERATOR.match(text)


#: A segment of a script without case (Chinese, Japanese) at least this long that ends
#: without sentence punctuation was cut inside a sentence: headings and page furniture
#: are shorter.
MIN_CASELESS_CUT = 12


def _caseless_cut(before: str, word: str) -> bool:
    """The case of a script without it cannot show a cut: a long segment without end
    punctuation before a segment whose first word starts with such a letter stands for
    it."""
    first = word[:1]
    caseless = first.isalpha() and not first.isupper() and not first.islower()
    return caseless and len(before.strip()) >= MIN_CASELESS_CUT


def open_boundaries(texts: Sequence[str]) -> np.ndarray:
    """For each boundary of a stream of segments (before item k, k = 0..n), whether it
    falls inside a sentence (OPEN: the item before ends without sentence punctuation and
    the item after starts in lower case, the rest of a sentence cut at another word),
    between two sentences (CLOSED: the item before ends with sentence punctuation and
    the next does not start in lower case), or cannot be told (SOFT: after a colon or
    semicolon; after an item without end punctuation, which may be a heading or a
    sentence whose full stop a translator left out; a lower-case start after a full
    stop, a typing slip as often as not). The first and the last boundary are CLOSED."""
    out = np.zeros(len(texts) + 1, dtype=np.int8)
    firsts = [_first_word(t) for t in texts]
    # Text in lower case throughout (a lower-cased corpus, a list of terms): case says
    # nothing about where its sentences start.
    cased = _cased(firsts)
    ends = [t.rstrip(_TRAILING)[-1:] for t in texts[:-1]]
    for k, end in enumerate(ends, start=1):
        continues = cased and _continues(texts[k], firsts[k])
        if end in _SOFT_END:
            out[k] = SOFT
        elif end in _SENTENCE_END:
            # A lower-case start after a full stop is a slip ("...30 year." + "towards
            # the end of..."), or an abbreviation's point: no evidence either way.
            out[k] = SOFT if continues else CLOSED
        elif continues or _caseless_cut(texts[k - 1], firsts[k]):
            out[k] = OPEN
        else:
            out[k] = SOFT
    return out


def _cased(firsts: Sequence[str]) -> bool:
    """Whether a stream's segments (their first words) start with a capital as prose
    does: at least as many start upper case as lower case (among those that start with a
    letter that has case), and one does."""
    upper = sum(w[:1].isupper() for w in firsts)
    lower = sum(w[:1].islower() for w in firsts)
    return upper > 0 and upper >= lower
