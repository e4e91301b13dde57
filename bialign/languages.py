"""What bialign knows about each language, in one place.

The generic code asks this module, never a constant of its own, for the few things that
differ between languages:

- how two segments are joined into one text (a merged bead's text, the joined texts that
  :mod:`bialign.attach` embeds): with a space, or with nothing in Chinese and Japanese,
  which write no space between sentences;
- how sentences are found (:mod:`bialign.sentences`): syntok proposes boundaries and
  sentencex confirms them, and in a language written without spaces, whose full stops
  are 。！？ (which syntok does not know), sentencex's rules for that language add the
  boundaries after those stops;
- the evidence of language identification (:mod:`bialign.langid`): function words, and
  for a pair with a :class:`Contrast` entry, spelling cues weighed between its two
  languages;
- what a page writes the same way in every language and so is no language of its own
  (:mod:`bialign.langid`): dates in words, addresses under a country's domain, and the
  punctuation and letters that tell a sentence from a name;
- the notations :mod:`bialign.consistency` reads to veto a pair whose two sides
  contradict each other: names of languages, decimal and thousands marks, scale words;
- what has been measured for it (:attr:`Language.measured`; docs/languages.md has the
  numbers).

Evidence that weighs one language against the other (function words, cues) is read from
the entries of the two configured languages; notations that recognise a written form
(dates, domains, language names, numbers) are read from every entry, since a page in one
pair quotes the others' dates and numbers too, and because these lists only ever grow.

Every code that is not listed gets the generic entry from :func:`language` (spaces
between sentences, syntok and sentencex's rules for that code, no cues, nothing
measured): any language lingua knows runs.

The aligner's length model compares lengths in one unit for every language,
:func:`text_length`: a Han character (Chinese, and the kanji of Japanese) counts as
HAN_LETTERS Latin letters, every other character as one. It is a property of characters,
not of a language, because Chinese text holds Latin names and numbers; what remains of a
pair's length ratio is fitted per document (:func:`bialign.search._length_ratio`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .errors import ConfigError

#: English letters per Han character: a least-squares fit of the English sentences'
#: lengths to the Chinese ones (Han characters counted apart from the rest) on the dev
#: half of FLORES-200 devtest (benchmarks/flores_pairs.py) gives 3.49; with it, Chinese
#: and English lengths are in ratio 0.98, as Spanish and English are in 1.18. Kana and
#: Hangul are not weighted: no data here measures them, and the per-document ratio
#: takes what is left.
HAN_LETTERS = 3.5

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def text_length(text: str) -> int | float:
    """The length of ``text`` in the unit of the length model: characters, a Han
    character counting HAN_LETTERS (so that Chinese and Latin lengths compare fairly)."""
    han = len(_HAN.findall(text)) if not text.isascii() else 0
    return len(text) + (HAN_LETTERS - 1) * han if han else len(text)


def _units(table: Mapping[tuple[str, ...], tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """Unit words from (spellings) -> (metric unit, factor)."""
    return {word: unit for words, unit in table.items() for word in words}


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one or more words a line (word lists read best so)."""
    return frozenset(text.split())


@dataclass(frozen=True)
class Language:
    """The settings of one language (ISO 639-1 code).

    Every field after ``name`` defaults to "nothing known", which is what a code without
    an entry gets; an entry fills in what has been written down for its language.
    Word lists are lower case.
    """

    code: str
    name: str
    #: Words and sentences are separated by spaces. False for Chinese and Japanese: their
    #: segments are joined with nothing in between, and their sentences are found by
    #: sentencex's rules for the language after a full-width stop (。！？).
    spaced: bool = True
    #: What is measured for the language paired with English (or another measured
    #: language); "" when nothing is.
    measured: str = ""
    #: Short frequent words that show the language (articles, prepositions, pronouns, and
    #: the page furniture of news sites). A short line holding one is language, not a
    #: lone name; and when both languages of the pair have a list, each one is evidence
    #: for its language in language identification (bialign.langid.FUNCTION_WORD
    #: log-odds). Leave out words that a language it is paired with writes too.
    function_words: frozenset[str] = frozenset()
    #: Month and weekday names, their usual abbreviations, and words of times ("pm"): a
    #: date written in words is still no language of its own.
    dates: frozenset[str] = frozenset()
    #: Lower-case letters beyond a-z: a line ending in two of them (or of a-z) and a full
    #: stop is a sentence ("Naturalmente."), not a name.
    letters: str = ""
    #: Question and exclamation marks beyond "!" and "?": a line holding one is an
    #: utterance ("¡Atención!"), not a name.
    question_marks: str = ""
    #: Country-code top-level domains of the countries where the language is written, so
    #: that an address without "www." or "://" ("elpais.es") is recognised and removed
    #: before words are counted (com, org, net, io, gov and edu always are).
    domains: tuple[str, ...] = ()
    #: How this language names languages: the code named -> its names, accented and
    #: plain. A pair whose two sides both name languages, none the same, is vetoed.
    language_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    #: The marks between a number's whole part and its decimals.
    decimal_marks: str = ""
    #: The marks between groups of three digits; a space (or a no-break space) groups
    #: only before exactly three digits, so that "en 2010 12 personas" stays two numbers.
    group_marks: str = ""
    #: Scale words after a number and their values ("15 billion" is 15e9); a phrase of
    #: several words is written with single spaces and matched with any whitespace.
    scale_words: Mapping[str, float] = field(default_factory=dict, hash=False)
    #: Words for "one" before a scale word ("a million", "un millón").
    one_words: tuple[str, ...] = ()
    #: What follows the digits of a decade ("the 1980s"): such a number is also read as
    #: its last two digits ("los años 80").
    decade_suffixes: tuple[str, ...] = ()
    #: A line of at most three capitalised words, each of them this much more frequent
    #: (wordfreq Zipf, at least bialign.langid.COMMON_ZIPF) in this language than in the
    #: other of the pair, is this language's text, not a name ("Introduction", "Core
    #: Language"); None: only a word leaning by bialign.langid.COMMON_LEAN makes it so.
    #: Set for English: its words leak into every other language's word lists (titles,
    #: quotes, code: "introduction" has Zipf 2.8 in Spanish) while names are as frequent
    #: in either ("Smith" leans 0.7 to English, "Brown" 0.9), so its words lean less.
    word_lean: float | None = None
    #: Units of measure written as words, lower case: word -> (the metric unit of its
    #: quantity, how many of that one of it is). A number before one is also read in the
    #: metric unit, so that a translator's conversion ("187 pounds" / "84,82 kg", "30
    #: miles" / "48 km") is no contradiction (bialign.consistency; symbols such as "kg" and
    #: "lb" are read there, in any language).
    unit_words: Mapping[str, tuple[str, float]] = field(default_factory=dict, hash=False)

    @property
    def joiner(self) -> str:
        """What goes between two segments joined into one text."""
        return " " if self.spaced else ""


@dataclass(frozen=True)
class Cue:
    """A spelling that is evidence for one language of a pair over the other.

    The weight is in log-odds and means something only between the two languages of its
    :class:`Contrast`: "ñ" shows Spanish against English, not against Portuguese.
    """

    #: The language the spelling is evidence for.
    lang: str
    #: Log-odds for ``lang`` over the other language, each time the cue is found.
    weight: float
    #: Where it is looked for. "line": any of the spellings anywhere in the line, counted
    #: once; "each": every occurrence of them in the line; "word": a word holding any of
    #: them, once per word; "ending": a word ending in one of them and longer than
    #: ``longer_than`` letters, once per word. Words are only read for "word" and
    #: "ending" cues when they are no function word of either language nor shared.
    where: Literal["line", "each", "word", "ending"]
    spellings: tuple[str, ...]
    longer_than: int = 0


@dataclass(frozen=True)
class Contrast:
    """What tells two languages apart beyond their function words.

    Spelling evidence is a contrast, not a property of one language, so it is written
    per pair. A pair without an entry still gets function-word evidence when both of its
    languages list function words; a pair with neither gets no cue at all and relies on
    the n-gram detector and the document's context.
    """

    langs: tuple[str, str]
    #: Words that both languages write ("no", "me", "real"): evidence for neither, and no
    #: spelling cue is read from them.
    shared: frozenset[str] = frozenset()
    #: Applied in this order, text-wide cues ("line", "each") first.
    cues: tuple[Cue, ...] = ()

    def __post_init__(self) -> None:
        # A cue for a third language would silently count for one of the two.
        for cue in self.cues:
            if cue.lang not in self.langs or cue.where not in ("line", "each", "word", "ending"):
                raise ConfigError(f"{cue} does not fit the contrast {self.langs}")


ENGLISH = Language(
    "en",
    "English",
    measured="with Spanish: mixed pages, documents, web pages; with Chinese, French, "
    "German, Portuguese: FLORES documents",
    # "has" is left out: it is a Spanish verb form too.
    function_words=_words(
        """
        the of and to in is that for it with as was on are be by this from at or have an
        but not they his her which you we were been will would their who said more about
        after into than its can there what when up out she do does did how all so if our
        my your these those other new just also here click read news breaking posted
        related like should could may must any some only over such because while where
        why being share follow today week year years people government president minister
        says told according during between against before under both through however
        since us them him i it's don't isn't what's there's let's
        """
    ),
    dates=_words(
        """
        january february march april may june july august september october november
        december jan feb mar apr jun jul aug sep sept oct nov dec
        monday tuesday wednesday thursday friday saturday sunday am pm hrs
        """
    ),
    language_names={
        "en": ("english",),
        "es": ("spanish",),
        "fr": ("french",),
        "de": ("german",),
        "pt": ("portuguese",),
    },
    decimal_marks=".",
    group_marks=",",
    # Short scale: a billion is 10^9.
    scale_words={
        "thousand": 1e3,
        "million": 1e6,
        "millions": 1e6,
        "billion": 1e9,
        "billions": 1e9,
        "trillion": 1e12,
        # Newspaper shorthand: "$5bn", "1m survivors" (a metre too, bialign.consistency).
        "m": 1e6,
        "bn": 1e9,
    },
    one_words=("one", "a"),
    decade_suffixes=("s", "'s"),
    unit_words=_units(
        {
            ("pound", "pounds"): ("kg", 0.45359237),
            ("ounce", "ounces"): ("kg", 0.028349523125),
            ("kilogram", "kilograms", "kilogramme", "kilogrammes", "kilo", "kilos"): ("kg", 1),
            ("gram", "grams", "gramme", "grammes"): ("kg", 0.001),
            ("mile", "miles"): ("m", 1609.344),
            ("foot", "feet"): ("m", 0.3048),
            ("inch", "inches"): ("m", 0.0254),
            ("yard", "yards"): ("m", 0.9144),
            ("kilometre", "kilometres", "kilometer", "kilometers"): ("m", 1000),
            ("metre", "metres", "meter", "meters"): ("m", 1),
            ("centimetre", "centimetres", "centimeter", "centimeters"): ("m", 0.01),
            ("gallon", "gallons"): ("l", 3.785411784),
            ("litre", "litres", "liter", "liters"): ("l", 1),
            ("acre", "acres"): ("m2", 4046.8564224),
            ("hectare", "hectares"): ("m2", 10_000),
        }
    ),
    # Chosen on the dev split of benchmarks/hard_enes.py: language accuracy on all lines
    # 0.9959 -> 0.9978, no name of its dev or test pools (435) read as language; 1.2
    # gives 0.9971, 1.5 0.9965 (docs/langid.md).
    word_lean=1.0,
)

SPANISH = Language(
    "es",
    "Spanish",
    measured="with English: mixed pages, documents (WMT, FLORES), web pages",
    # "son" and "sin" (as in "sin embargo") are left out: English writes them too.
    function_words=_words(
        """
        el la los las del que y en una es por para al lo como más pero sus su le ya fue
        este esta ha han porque muy sobre también hasta hay donde quien desde todo nos
        durante todos les ni contra otros ese eso ante ellos esto antes algunos qué unos
        yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella
        estar estas algunas algo nosotros leer haga clic aquí hora última noticias
        publicado según dijo años año entre tras cuando sido ser están está tiene tienen
        puede presidente gobierno ministro hoy ayer además embargo mientras pues cómo
        dónde cuándo así aunque sólo solo nuevo nueva hacer sea será fueron habían había
        vez veces parte país países mundo ver compartir siguenos síguenos fuente foto
        relacionado relacionados publicidad
        """
    ),
    dates=_words(
        """
        enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre
        noviembre diciembre lunes martes miércoles jueves viernes sábado domingo
        """
    ),
    letters="áéíóúñü",
    question_marks="¡¿",
    domains=("es", "mx", "ar", "co"),
    language_names={
        "en": ("inglés", "ingles"),
        "es": ("español", "espanol", "castellano"),
        "fr": ("francés", "frances"),
        "de": ("alemán", "aleman"),
        "pt": ("portugués", "portugues"),
    },
    decimal_marks=",",
    # A point, or the space that the RAE recommends (and SI style writes): 4 700 000.
    group_marks=". \u00a0\u202f",
    # Long scale: a billón is 10^12, and 10^9 is "mil millones" or a millardo.
    scale_words={
        "mil": 1e3,
        "millón": 1e6,
        "millon": 1e6,
        "millones": 1e6,
        "mil millones": 1e9,
        "millardo": 1e9,
        "millardos": 1e9,
        "billón": 1e12,
        "billon": 1e12,
        "billones": 1e12,
    },
    one_words=("un", "una", "uno"),
    unit_words=_units(
        {
            ("libra", "libras"): ("kg", 0.45359237),
            ("onza", "onzas"): ("kg", 0.028349523125),
            ("kilogramo", "kilogramos", "kilo", "kilos"): ("kg", 1),
            ("gramo", "gramos"): ("kg", 0.001),
            ("milla", "millas"): ("m", 1609.344),
            ("pie", "pies"): ("m", 0.3048),
            ("pulgada", "pulgadas"): ("m", 0.0254),
            ("yarda", "yardas"): ("m", 0.9144),
            ("kilómetro", "kilómetros", "kilometro", "kilometros"): ("m", 1000),
            ("metro", "metros"): ("m", 1),
            ("centímetro", "centímetros", "centimetro", "centimetros"): ("m", 0.01),
            ("galón", "galones", "galon"): ("l", 3.785411784),
            ("litro", "litros"): ("l", 1),
            ("acre", "acres"): ("m2", 4046.8564224),
            ("hectárea", "hectáreas", "hectarea", "hectareas"): ("m2", 10_000),
        }
    ),
)

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        ENGLISH,
        SPANISH,
        Language("de", "German", measured="with French: Text+Berg; with English: FLORES documents"),
        Language("fr", "French", measured="with German: Text+Berg; with English: FLORES documents"),
        Language("pt", "Portuguese", measured="with English: FLORES documents"),
        Language("zh", "Chinese", spaced=False, measured="with English: FLORES documents"),
        Language("ja", "Japanese", spaced=False),
    )
}

#: Spelling cues per pair, keyed by the pair's two codes. The English/Spanish weights
#: are log-odds chosen on the mixed-page benchmarks (docs/langid.md).
CONTRASTS: dict[frozenset[str], Contrast] = {
    frozenset(c.langs): c
    for c in (
        Contrast(
            ("en", "es"),
            shared=_words("a no he me son sin con real has era tan"),
            cues=(
                Cue("es", 4.0, "line", ("¿", "¡")),
                Cue("es", 2.5, "each", ("ñ",)),
                Cue("es", 1.2, "word", ("á", "é", "í", "ó", "ú")),
                Cue("es", 1.0, "ending", ("ción", "ciones", "mente", "idad", "dades")),
                Cue(
                    "en", 1.0, "ending", ("tion", "tions", "ing", "ly", "ness", "ship", "'s", "’s")
                ),
                Cue(
                    "en", 1.0, "ending", ("ed", "ies", "ize", "ized", "ful", "less"), longer_than=3
                ),
                Cue("en", 0.6, "word", ("w", "th", "sh")),
            ),
        ),
    )
}


def language(code: str) -> Language:
    """The entry for ``code``; a generic one (spaced, nothing measured) for any other."""
    found = LANGUAGES.get(code.lower())
    return found if found is not None else Language(code.lower(), code)


def contrast(first: str, second: str) -> Contrast | None:
    """What tells ``first`` from ``second`` apart: the pair's :data:`CONTRASTS` entry; a
    contrast of function words alone when both languages list function words; else None
    (no cue evidence for the pair)."""
    a, b = first.lower(), second.lower()
    if a == b:
        return None
    found = CONTRASTS.get(frozenset((a, b)))
    if found is not None:
        return found
    if language(a).function_words and language(b).function_words:
        return Contrast((a, b))
    return None
