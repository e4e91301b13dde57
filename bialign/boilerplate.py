"""Which blocks of a page are its main content, as a maintained extractor judges them.

The HTML reader (:mod:`bialign.readers`) finds the blocks itself, so that their text is
exactly what a browser shows; the extractor only votes on which of them to keep. Its
output is matched back to the blocks on letters and digits alone, so the extractor's own
whitespace, joins and table rendering do not matter. benchmarks/pages.py compares the
extractors (docs/input.md has the numbers).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Blocks at least this long (letters and digits) are kept when they lie anywhere in the
#: extractor's text; shorter ones must match one of its lines whole, so that "Home" is
#: not kept because the article says "home".
LONG_BLOCK = 30


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def trafilatura_text(html: str) -> list[str]:
    """Main-text lines by trafilatura (tables and their cells kept, comments left out)."""
    import trafilatura

    text = trafilatura.extract(
        html,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        favor_precision=False,
        with_metadata=False,
    )
    lines = text.splitlines() if text else []
    # A table row comes out as "| cell | cell |": its cells are the blocks the reader
    # has, so each cell counts as a line of its own (short cells, as in a glossary, are
    # not kept otherwise).
    cells = [
        cell.strip()
        for line in lines
        if _TABLE_ROW.match(line)
        for cell in line.strip().strip("|").split(" | ")
    ]
    return lines + [c for c in cells if c]


#: A line of trafilatura's text that renders a table row.
_TABLE_ROW = re.compile(r"^\|.*\|\s*$")


def justext_text(html: str) -> list[str]:
    """Main-text paragraphs by jusText, with the English and Spanish stop lists joined."""
    import justext

    stop = justext.get_stoplist("English") | justext.get_stoplist("Spanish")
    return [p.text for p in justext.justext(html, stop) if not p.is_boilerplate]


EXTRACTORS: dict[str, Callable[[str], list[str]]] = {
    "trafilatura": trafilatura_text,
    "justext": justext_text,
}
DEFAULT_EXTRACTOR = "trafilatura"


def main_content(html: str, blocks: list[str], extractor: str | None = None) -> list[bool]:
    """For each block's text, whether the extractor keeps it as main content."""
    lines = EXTRACTORS[extractor or DEFAULT_EXTRACTOR](html)
    line_keys = {_key(x) for x in lines}
    line_keys.discard("")
    joined = "".join(_key(x) for x in lines)
    out = []
    for b in blocks:
        k = _key(b)
        if not k:
            # No letters or digits ("—", "* * *"): keep only what sits among kept text.
            out.append(False)
        elif k in line_keys:
            out.append(True)
        else:
            out.append(len(k) >= LONG_BLOCK and k in joined)
    return out
