"""Cheap checks that veto a pair whose two sides contradict each other.

Sentence encoders are blind to some differences that matter for a parallel corpus:
"Read in English" and "Leer en español" embed as translations, and so do two datelines
with different dates. Inside a mixed document, where boilerplate of this kind abounds,
bialign leaves such a pair unaligned when:

- both sides name languages, and none of them the same ("English" vs "español"; but
  "French texts into English" and "al inglés" share English);
- both sides hold numbers, and no quantity of one side can be read as a quantity of the
  other. Each number is read in both notations ("14,000" = "14.000", "3.5" = "3,5",
  "4 700 000" = "4,700,000"), with its scale word ("15 billion" = "15.000 millones",
  "1 million" = "un millón") and, for a decade, with its short form ("the 1980s" = "los
  años 80"). A date or a time ("05/02/2026", "19:14") must match digit for digit.
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

#: Scale words of both languages. "billion" is 10^9 (short scale); Spanish "billón" is
#: 10^12 and "mil millones" 10^9.
_SCALES = {
    "thousand": 1e3, "mil": 1e3,
    "million": 1e6, "millions": 1e6, "millón": 1e6, "millon": 1e6, "millones": 1e6,
    "billion": 1e9, "billions": 1e9, "millardo": 1e9, "millardos": 1e9,
    "trillion": 1e12, "billón": 1e12, "billon": 1e12, "billones": 1e12,
}  # fmt: skip
_QUANTITY = re.compile(
    r"(?P<num>\d+(?:[.,]\d{3}|[ \u00a0\u202f]\d{3}(?!\d))*(?:[.,]\d+)?"
    r"|\b(?:un|una|uno|one|a)\b)"
    r"(?P<decade>s\b|'s\b)?"
    r"(?:\s+(?P<scale>(?:mil\s+millones|[^\W\d_]+)))?",
    re.I,
)
_DATE = re.compile(r"\d+(?:[:/]\d+)+")
_ONE = {"un", "una", "uno", "one", "a"}


def language_names(text: str) -> set[str]:
    return {_LANG_NAMES[w] for w in _WORD.findall(text.lower()) if w in _LANG_NAMES}


def numbers(text: str) -> set[str]:
    """The digit strings of a text, separators ignored ("1,000" and "1 000" -> "1000")."""
    return {re.sub(r"[.,:/ \u00a0\u202f]", "", n).lstrip("0") or "0" for n in _NUMBER.findall(text)}


def _readings(num: str) -> set[float]:
    """The values a written number can have in English or Spanish notation."""
    out = set()
    num = re.sub(r"[ \u00a0\u202f]", "", num)  # 4 700 000: spaces group thousands
    digits = re.sub(r"[.,]", "", num)
    out.add(float(digits))  # every separator a thousands separator (or none at all)
    for dec in ".,":
        head, sep, tail = num.rpartition(dec)
        if sep and tail.isdigit():
            whole = re.sub(r"[.,]", "", head)
            if whole.isdigit():
                out.add(float(f"{whole}.{tail}"))  # the last separator a decimal point
    return out


def quantities(text: str) -> set[object]:
    """Every reading of every number of a text: floats (with scale words applied, and
    decades also as their last two digits) and the digit strings of dates and times."""
    out: set[object] = set()
    for d in _DATE.findall(text):
        out.add(re.sub(r"\D", "", d))
    rest = _DATE.sub(" ", text)
    for m in _QUANTITY.finditer(rest):
        num, scale_word = m.group("num"), (m.group("scale") or "").lower()
        scale = _SCALES.get(re.sub(r"\s+", " ", scale_word).replace("mil millones", "millardo"))
        if num.lower() in _ONE:
            if scale:
                out.add(scale)
            continue
        values = _readings(num)
        if m.group("decade"):
            values |= {v % 100 for v in values if v >= 100 and v % 10 == 0}
        out |= values
        if scale:
            out |= {v * scale for v in values}
    return out


def contradicts(src: str, tgt: str) -> bool:
    """True when the two texts cannot be translations of each other."""
    a, b = language_names(src), language_names(tgt)
    if a and b and not a & b:
        return True
    x, y = quantities(src), quantities(tgt)
    return bool(x and y and not x & y)
