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
- what has been measured for it (:attr:`Language.measured`; docs/languages.md has the
  numbers).

Every code that is not listed gets the generic entry from :func:`language` (spaces
between sentences, syntok and sentencex's rules for that code, nothing measured): any
language lingua knows runs. English/Spanish cue words for language identification still
live in :mod:`bialign.langid`.

The aligner's length model compares lengths in one unit for every language,
:func:`text_length`: a Han character (Chinese, and the kanji of Japanese) counts as
HAN_LETTERS Latin letters, every other character as one. It is a property of characters,
not of a language, because Chinese text holds Latin names and numbers; what remains of a
pair's length ratio is fitted per document (:func:`bialign.search._length_ratio`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Language:
    """The settings of one language (ISO 639-1 code)."""

    code: str
    name: str
    #: Words and sentences are separated by spaces. False for Chinese and Japanese: their
    #: segments are joined with nothing in between, and their sentences are found by
    #: sentencex's rules for the language after a full-width stop (。！？).
    spaced: bool = True
    #: What is measured for the language paired with English (or another measured
    #: language); "" when nothing is.
    measured: str = ""

    @property
    def joiner(self) -> str:
        """What goes between two segments joined into one text."""
        return " " if self.spaced else ""


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language(
            "en",
            "English",
            measured="with Spanish: mixed pages, documents, web pages; with Chinese, French, "
            "German, Portuguese: FLORES documents",
        ),
        Language(
            "es",
            "Spanish",
            measured="with English: mixed pages, documents (WMT, FLORES), web pages",
        ),
        Language("de", "German", measured="with French: Text+Berg; with English: FLORES documents"),
        Language("fr", "French", measured="with German: Text+Berg; with English: FLORES documents"),
        Language("pt", "Portuguese", measured="with English: FLORES documents"),
        Language("zh", "Chinese", spaced=False, measured="with English: FLORES documents"),
        Language("ja", "Japanese", spaced=False),
    )
}


def language(code: str) -> Language:
    """The entry for ``code``; a generic one (spaced, nothing measured) for any other."""
    found = LANGUAGES.get(code.lower())
    return found if found is not None else Language(code.lower(), code)
