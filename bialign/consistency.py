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
  años 80"). A date or a time must match part for part, in either language's way of
  writing it: leading zeros aside ("05/02/2026" = "5/2/2026", "07:19" = "7:19"), day and
  month in either order ("3/14/2026" = "14/3/2026"), and a time with a colon, a point or
  neither ("12:00" = "12.00" = "1200"), and on either clock ("10:30 PM" = "22.30"). A
  quantity with a unit of measure is also read in
  its metric unit, so a conversion ("187 pounds" / "84,82 kg", "70 °F" / "21 °C") matches
  within 3% or within half the last written digit of a whole number ("3 feet" / "1 m").

Language names, number marks and scale words are the fields of the entries in
:mod:`bialign.languages` (every entry's, whatever the pair).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .languages import LANGUAGES

# Everything language-specific comes from the entries of bialign.languages, all of them:
# a page in one pair quotes the numbers and language names of others too.
_ENTRIES = tuple(LANGUAGES.values())


def _chars(chars: Iterable[str]) -> str:
    """A character class of ``chars``, or a pattern that matches nothing."""
    found = "".join(sorted(set(chars)))
    return f"[{re.escape(found)}]" if found else "(?!)"


def _phrases(words: Iterable[str]) -> str:
    """An alternation of ``words``, longest first, any whitespace inside a phrase; or a
    pattern that matches nothing."""
    found = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in found) or "(?!)"


#: Names of languages, in every language with an entry: word -> the code it names.
_LANG_NAMES = {
    word: code for lang in _ENTRIES for code, words in lang.language_names.items() for word in words
}
_WORD = re.compile(r"[^\W\d_]+")

#: Decimal marks; marks between groups of three digits ("1,000", "1.000"); and the spaces
#: that group digits, only before exactly three digits: 4 700 000 is one number, "en
#: 2010 12 personas" two.
_DECIMAL_MARKS = sorted({c for lang in _ENTRIES for c in lang.decimal_marks})
_GROUP_MARKS = {c for lang in _ENTRIES for c in lang.group_marks if not c.isspace()}
_GROUP_SPACES = {c for lang in _ENTRIES for c in lang.group_marks if c.isspace()}
_MARKS = re.compile(_chars(_GROUP_MARKS | set(_DECIMAL_MARKS)))
_SPACES = re.compile(_chars(_GROUP_SPACES))
_NUMBER = re.compile(
    rf"\d+(?:{_chars(_GROUP_MARKS | set(_DECIMAL_MARKS) | set(':/'))}\d+"
    rf"|{_SPACES.pattern}\d{{3}}(?!\d))*"
)
_GROUPED = re.compile(rf"\d{{1,3}}(?:{_MARKS.pattern}\d{{3}})*|\d+")
_SEPARATORS = re.compile(_chars(_GROUP_MARKS | set(_DECIMAL_MARKS) | set(":/") | _GROUP_SPACES))

#: Scale words and their values; a word that two languages read differently has both.
_SCALES: dict[str, set[float]] = {}
for _lang in _ENTRIES:
    for _word, _value in _lang.scale_words.items():
        _SCALES.setdefault(_word, set()).add(_value)
#: Words for "one" before a scale word ("a million", "un millón").
_ONE = {w for lang in _ENTRIES for w in lang.one_words}
_QUANTITY = re.compile(
    rf"(?P<num>\d+(?:{_chars(_GROUP_MARKS)}\d{{3}}|{_SPACES.pattern}\d{{3}}(?!\d))*"
    rf"(?:{_chars(_DECIMAL_MARKS)}\d+)?"
    rf"|\b(?:{_phrases(_ONE)})\b)"
    rf"(?P<decade>(?:{_phrases(s for lang in _ENTRIES for s in lang.decade_suffixes)})\b)?"
    rf"(?:(?:\s+|-)?(?P<scale>(?:{_phrases(w for w in _SCALES if ' ' in w)}|[^\W\d_]+)))?",
    re.I,
)
_DATE = re.compile(r"(?<!\d)\d+(?:[:/]\d+)+")

#: Units of measure: the words of every entry, and symbols, the same in any language:
#: word -> (metric unit, how many of that one of it is).
_UNITS: dict[str, tuple[str, float]] = {
    "kg": ("kg", 1.0), "g": ("kg", 0.001), "lb": ("kg", 0.45359237),
    "lbs": ("kg", 0.45359237), "oz": ("kg", 0.028349523125), "km": ("m", 1000.0),
    "m": ("m", 1.0), "cm": ("m", 0.01), "mm": ("m", 0.001), "mi": ("m", 1609.344),
    "ft": ("m", 0.3048), "l": ("l", 1.0), "ha": ("m2", 10_000.0), "km/h": ("km/h", 1.0),
    "kmh": ("km/h", 1.0), "mph": ("km/h", 1.609344),
}  # fmt: skip
for _lang in _ENTRIES:
    _UNITS.update(_lang.unit_words)

#: A time of the 12-hour clock ("10:30 PM", "4.30pm", "7 p.m."), also read on the
#: 24-hour clock ("22.30", "16.30 horas", "las 19").
_CLOCK = re.compile(r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s?(?P<half>[ap])\.?\s?m\b\.?", re.I)
#: Temperatures in degrees Celsius or Fahrenheit, read in Celsius.
_TEMPERATURE = re.compile(r"(?<![\d.,])(?P<num>-?\d+(?:[.,]\d+)?)\s*[°º]\s*(?P<scale>[CF])\b")
#: How far a quantity converted to another unit may be from the one written: this share
#: of it, or half the written number's last digit ("3 feet" / "1 m", "30 miles" / "48 km";
#: a whole number's trailing zeros count as rounding, "1,300 miles" / "2.000 km").
CONVERSION_SHARE = 0.03


def language_names(text: str) -> set[str]:
    """The codes of the languages a text names, in any language with an entry."""
    return {_LANG_NAMES[w] for w in _WORD.findall(text.lower()) if w in _LANG_NAMES}


def numbers(text: str) -> set[str]:
    """The digit strings of a text, separators ignored ("1,000" and "1 000" -> "1000")."""
    return {_SEPARATORS.sub("", n).lstrip("0") or "0" for n in _NUMBER.findall(text)}


def _places(num: str) -> set[tuple[float, int]]:
    """The readings of a written number, each with its count of decimal places."""
    num = _SPACES.sub("", num)  # 4 700 000: spaces group thousands
    out = set()
    # Every separator a thousands separator (or none at all): groups of three digits.
    if _GROUPED.fullmatch(num):
        out.add((float(_MARKS.sub("", num)), 0))
    for dec in _DECIMAL_MARKS:
        head, sep, tail = num.rpartition(dec)
        if sep and tail.isdigit():
            whole = _MARKS.sub("", head)
            if whole.isdigit():
                out.add((float(f"{whole}.{tail}"), len(tail)))  # the last one a decimal point
    return out


def quantities(text: str) -> set[object]:
    """Every reading of every number of a text: floats (with scale words applied, and
    decades also as their last two digits) and the digit strings of dates and times."""
    out: set[object] = set()
    for m in _CLOCK.finditer(text):
        hours, minutes = int(m.group("h")), int(m.group("m") or 0)
        if hours <= 12 and minutes < 60:
            hours = hours % 12 + (12 if m.group("half").lower() == "p" else 0)
            out |= _date_readings(f"{hours}:{minutes:02d}")
            if not minutes:
                out.add(float(hours))  # "7 p.m." = "las 19"
    for d in _DATE.findall(text):
        out |= _date_readings(d)
    rest = _DATE.sub(" ", text)
    for m in _TEMPERATURE.finditer(rest):
        sign = -1 if m.group("num").startswith("-") else 1
        factor = 5 / 9 if m.group("scale") == "F" else 1.0
        for v, places in _places(m.group("num").lstrip("-")):
            out.add(sign * v)
            celsius = (sign * v - 32) * factor if factor != 1.0 else sign * v
            out.add(_measure("°C", celsius, factor, v, places))
    for m in _QUANTITY.finditer(rest):
        num, scale_word = m.group("num"), (m.group("scale") or "").lower()
        scales = _SCALES.get(re.sub(r"\s+", " ", scale_word), set())
        if num.lower() in _ONE:
            out |= scales
            continue
        placed = _places(num)
        values = {v for v, _ in placed}
        if m.group("decade"):
            values |= {v % 100 for v in values if v >= 100 and v % 10 == 0}
        if rest.startswith("/h", m.end()) and scale_word == "km":
            scale_word = "km/h"
        out |= values  # the bare number too: translators drop and rewrite scale words
        out |= {v * scale for scale in scales for v in values}
        if scale_word in _UNITS:
            unit, factor = _UNITS[scale_word]
            out |= {_measure(unit, v * factor, factor, v, places) for v, places in placed}
    return out


Measure = tuple[str, str, float, float, float]


def _measure(unit: str, value: float, factor: float, written: float, places: int) -> Measure:
    """("measure", metric unit, the quantity in it, how far a conversion of it may be
    off, the written unit's size in the metric one), for a number ``written`` with
    ``places`` decimals."""
    # The written number's last digit, in the metric unit; a whole number's trailing
    # zeros are rounding ("more than 2.000 km" for 1,300 miles).
    digits = f"{written:.0f}" if not places else ""
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    step = factor * 10.0 ** (zeros - places)
    return ("measure", unit, value, max(CONVERSION_SHARE * abs(value), 0.5 * step), factor)


def _date_readings(d: str) -> set[object]:
    """A date's or a time's readings: its parts without leading zeros, as written and
    with day and month swapped; a time (h:mm) also as the numbers 12.00 and 1200 read."""
    pieces = re.split(r"[:/]", d)
    if max(map(len, pieces)) > 9:  # no date (and beyond int()'s digit limit): as written
        return {d}
    parts = [int(p) for p in pieces]
    out: set[object] = {"/".join(map(str, parts))}
    if "/" in d and len(parts) >= 2:
        out.add("/".join(map(str, [parts[1], parts[0], *parts[2:]])))
    if ":" in d and len(parts) == 2 and parts[1] < 60:
        hours, minutes = parts
        out |= {float(f"{hours}.{minutes:02d}"), float(hours * 100 + minutes)}
    return out


def contradicts(src: str, tgt: str) -> bool:
    """True when the two texts cannot be translations of each other."""
    a, b = language_names(src), language_names(tgt)
    if a and b and not a & b:
        return True
    x, y = quantities(src), quantities(tgt)
    return bool(x and y and not x & y and not _converted(x, y))


def _converted(x: set[object], y: set[object]) -> bool:
    """Whether a measure of one side, converted from another unit, is within rounding a
    measure of the other (in the same unit the exact readings must match)."""
    mx = [q for q in x if isinstance(q, tuple) and q[0] == "measure"]
    my = [q for q in y if isinstance(q, tuple) and q[0] == "measure"]
    return any(
        a[1] == b[1] and a[4] != b[4] and abs(a[2] - b[2]) <= max(a[3], b[3])
        for a in mx
        for b in my
    )
