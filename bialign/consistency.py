"""Cheap checks that veto a pair whose two sides contradict each other.

Sentence encoders are blind to some differences that matter for a parallel corpus:
"Read in English" and "Leer en español" embed as translations, and so do two datelines
with different dates. Inside a mixed document, where boilerplate of this kind abounds,
bialign leaves such a pair unaligned when:

- both sides name a language, and none in common ("English" vs "español"; a paragraph
  that names French and Spanish against one that names French is fine);
- both sides hold numbers, and they share none (separators ignored: "1,5" = "1.5",
  "4 700 000" = "4,700,000").
"""

from __future__ import annotations

import re

_LANG_NAMES = {
    "english": "en", "inglés": "en", "ingles": "en",
    "spanish": "es", "español": "es", "espanol": "es", "castellano": "es",
    "french": "fr", "francés": "fr", "frances": "fr",
    "german": "de", "alemán": "de", "aleman": "de",
    "portuguese": "pt", "portugués": "pt", "portugues": "pt",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
# Groups of three digits after a space are one number: Spanish (and SI) style writes
# 4 700 000 where English writes 4,700,000.
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+|[ \u00a0\u202f]\d{3}(?!\d))*")


def language_names(text: str) -> set[str]:
    return {_LANG_NAMES[w] for w in _WORD.findall(text.lower()) if w in _LANG_NAMES}


def numbers(text: str) -> set[str]:
    return {re.sub(r"[.,:/ \u00a0\u202f]", "", n).lstrip("0") or "0" for n in _NUMBER.findall(text)}


def contradicts(src: str, tgt: str) -> bool:
    """True when the two texts cannot be translations of each other."""
    a, b = language_names(src), language_names(tgt)
    if a and b and not a & b:
        return True
    x, y = numbers(src), numbers(tgt)
    return bool(x and y and not x & y)
