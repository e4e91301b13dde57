"""Readers by kind of input: HTML pages, plain text, and text with one segment per line.

Each reader turns a document into :class:`Unit` s, the pieces of text the aligner pairs:
a block of an HTML page, a paragraph of plain text, or a line. Which reader runs is
decided from the content and the file's extension (:func:`detect_format`) unless the
caller names one (``input_format="html" | "text" | "lines"``). See docs/input.md.
"""

from __future__ import annotations

import codecs
import re
import statistics
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import BialignWarning, EmptyDocumentError, InputError

#: Pages longer than this (characters of HTML) skip the main-content extractor, whose
#: time grows faster than the page (1 MB: about 1 s; 10 MB: over 2 minutes); the
#: structural furniture rules still apply.
EXTRACTOR_MAX_CHARS = 2_000_000


@dataclass(frozen=True)
class Unit:
    """A piece of the document to align, as read.

    ``line`` is the 1-based line of the source where the unit starts (for HTML, the
    block's position among the page's blocks, 1-based). ``lang`` is the language the
    markup declares for it (an HTML ``lang`` attribute on the block or an element
    around it, the page's ``<html lang>`` excluded); empty when none is declared.
    """

    text: str
    line: int
    lang: str = ""


# -- choosing a reader ------------------------------------------------------------------

_HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"}
_TEXT_EXTENSIONS = {".txt", ".text", ".md", ".rst"}
# Signs that a text is an HTML document or fragment: a doctype or an <html>/<head>/<body>
# start, or the closing tag of a common element. "a<b and c>d" has none of them.
_HTML_SIGNS = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<br\s*/?>|"
    r"</(?:p|div|span|a|b|i|em|strong|li|ul|ol|td|th|tr|table|h[1-6]|section|article|"
    r"header|footer|nav|title|main|blockquote|figure|figcaption)\s*>",
    re.I,
)


def detect_format(text: str, path: Path | None = None) -> str:
    """``"html"`` for a page or fragment, else ``"text"`` (which itself tells wrapped
    paragraphs from one segment per line). A known file extension decides first."""
    if path is not None:
        suffix = path.suffix.lower()
        if suffix in _HTML_EXTENSIONS:
            return "html"
        if suffix in _TEXT_EXTENSIONS:
            return "text"
    return "html" if _HTML_SIGNS.search(text[:100_000]) else "text"


def decode_file(data: bytes, path: Path, html: bool) -> str:
    """Decode a file: a BOM first, then for HTML the ``<meta charset>`` the page declares,
    else UTF-8. Undecodable bytes are an error naming the offset, never replaced."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if data.startswith(bom):
            return _decode(data[len(bom) :], codec, path)
    codec = "utf-8"
    if html:
        declared = declared_charset(data)
        if declared is not None:
            codec = declared
    return _decode(data, codec, path)


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in its first ``<meta>`` tags (``charset=`` or
    ``http-equiv="Content-Type"``), as a Python codec name; None when it declares none.

    The head is parsed as Latin-1 (every byte is a character) by the HTML parser, as a
    browser's prescan reads the first bytes before it knows the encoding.
    """
    from selectolax.lexbor import LexborHTMLParser

    head = data[:4096].decode("latin-1")
    if "<meta" not in head.lower():
        return None
    tree = LexborHTMLParser(head)
    for meta in tree.css("meta"):
        attrs = {k.lower(): (v or "") for k, v in meta.attributes.items()}
        name = attrs.get("charset", "")
        if not name and attrs.get("http-equiv", "").lower() == "content-type":
            content = attrs.get("content", "")
            _, _, name = content.lower().partition("charset=")
        name = name.strip().strip("'\"; ").lower()
        if not name:
            continue
        # As browsers do (WHATWG Encoding): Latin-1 and ASCII labels mean windows-1252,
        # and a page that reached us as bytes cannot be UTF-16 by its own declaration.
        if name in {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "us-ascii", "ascii"}:
            return "cp1252"
        if name.startswith("utf-16"):
            return "utf-8"
        try:
            return codecs.lookup(name).name
        except LookupError:
            raise InputError(f"the page declares an unknown encoding {name!r} in <meta>") from None
    return None


def _decode(data: bytes, codec: str, path: Path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        what = "valid UTF-8" if codec == "utf-8" else f"valid {codec} (as its <meta> declares)"
        raise InputError(
            f"{path} is not {what}: byte 0x{data[exc.start]:02x} at offset {exc.start} "
            f"(line {line}); convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None


# -- plain text -------------------------------------------------------------------------

#: Characters that end a sentence, possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_CONTINUES = re.compile(r"^[\"'“‘«(¿¡]*[a-zà-öø-ÿ0-9]")
#: A document is hard-wrapped when at least this share of its line breaks inside a
#: paragraph fall mid-sentence (see :func:`is_hard_wrapped`).
WRAPPED_SHARE = 0.3
#: ... and its lines are filled to a width of at least this many characters.
MIN_WRAP_WIDTH = 40


def read_lines(text: str) -> list[Unit]:
    """Each non-empty line is a unit (the line-per-segment reader)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return [Unit(line, k) for k, line in enumerate(text.splitlines(), start=1) if line.strip()]


def read_text(text: str) -> list[Unit]:
    """Plain text: hard-wrapped paragraphs joined back into one unit each, or, when the
    text is not hard-wrapped, one unit per line (see :func:`is_hard_wrapped`)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    if not is_hard_wrapped(lines):
        return read_lines(text)
    width = _wrap_width(lines)
    out: list[Unit] = []
    current: list[str] = []
    start = 0
    for k, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            if current:
                out.append(Unit(" ".join(current), start))
                current = []
            continue
        if current and _ends_paragraph(current[-1], width, stripped):
            out.append(Unit(" ".join(current), start))
            current = []
        if not current:
            start = k
        current.append(stripped)
    if current:
        out.append(Unit(" ".join(current), start))
    return out


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when the text reads as paragraphs wrapped at a fixed width.

    Looks at each break between two non-blank lines: it falls mid-sentence when the
    line does not end with sentence punctuation and the next one starts in lower case
    (or with a digit). The text is hard-wrapped when at least ``WRAPPED_SHARE`` of those
    breaks fall mid-sentence and the lines broken mid-sentence are filled close to one
    width (their median length at least 75% of the longest lines, which are at least
    ``MIN_WRAP_WIDTH`` long). One-segment-per-line text (headings, lists, a line per
    sentence or paragraph) breaks almost only at sentence ends; subtitles break
    mid-sentence but their lines are short.
    """
    breaks = 0
    mid: list[int] = []
    for a, b in zip(lines, lines[1:], strict=False):
        a, b = a.strip(), b.strip()
        if not a or not b:
            continue
        breaks += 1
        if not _SENTENCE_END.search(a) and _CONTINUES.match(b):
            mid.append(len(a))
    if breaks == 0 or len(mid) < WRAPPED_SHARE * breaks:
        return False
    width = _wrap_width(lines)
    return width >= MIN_WRAP_WIDTH and statistics.median(mid) >= 0.75 * width


def _wrap_width(lines: list[str]) -> int:
    lengths = sorted(len(x.strip()) for x in lines if x.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _ends_paragraph(line: str, width: int, following: str) -> bool:
    """In wrapped text, a break where the next line's first word would have fitted on
    this line is a break the writer made (a paragraph, heading or dateline ends there):
    a wrapper fills each line as far as the width allows."""
    first_word = following.split(maxsplit=1)[0] if following.split() else ""
    return len(line) + 1 + len(first_word) <= width


# -- HTML -------------------------------------------------------------------------------

# Elements a browser renders as blocks (the HTML Standard's rendering section): each
# starts and ends a unit.
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "listing",
        "main",
        "menu",
        "nav",
        "ol",
        "optgroup",
        "option",
        "p",
        "pre",
        "search",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "xmp",
        "title",
    ]
)
# Never rendered as text.
_DROPPED = frozenset(
    [
        "script",
        "style",
        "template",
        "noscript",
        "head",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "canvas",
        "video",
        "audio",
        "select",
        "textarea",
        "input",
    ]
)
# Page furniture by element or ARIA role: left out unless keep_furniture.
_FURNITURE_TAGS = frozenset(["nav", "aside", "form", "button", "menu", "dialog"])
_FURNITURE_ROLES = frozenset(
    [
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "dialog",
        "alertdialog",
        "menu",
        "menubar",
        "search",
    ]
)
_PRE = frozenset({"pre", "listing", "xmp", "textarea", "plaintext"})
# ASCII whitespace as the HTML Standard defines it (a no-break space is not one).
_HTML_SPACE = re.compile(r"[ \t\n\f\r]+")


@dataclass
class _Block:
    text: str
    order: int
    lang: str
    furniture: bool


def read_html(text: str, *, keep_furniture: bool = False) -> list[Unit]:
    """The text blocks of an HTML page, in document order, as a browser renders them.

    Parsed with lexbor (selectolax), an HTML5 parser, so broken markup is repaired as
    browsers repair it. Block elements are units; table cells are units; whitespace
    collapses; ``<br>`` breaks the unit into lines (kept apart unless a line ends
    mid-sentence, see :func:`_br_lines`); entities are decoded; scripts, styles,
    templates, comments and the doctype are dropped. Unless ``keep_furniture``, page
    furniture is left out: ``<title>``, ``<nav>``, ``<aside>``, forms and menus, and the
    blocks the main-content extractor (:mod:`bialign.boilerplate`) does not keep.
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    units = [
        (Unit(line, b.order, b.lang), b.furniture)
        for b in _blocks(tree, keep_title=keep_furniture)
        for line in _br_lines(b.text)
    ]
    if keep_furniture:
        return [u for u, _ in units]
    from .boilerplate import main_content

    candidates = [u for u, furniture in units if not furniture]
    if len(text) > EXTRACTOR_MAX_CHARS:
        warnings.warn(
            f"the page has {len(text):,} characters, over {EXTRACTOR_MAX_CHARS:,}: only its "
            "navigation, asides, forms and link-only blocks were left out as furniture "
            "(the main-content extractor takes minutes on a page this large)",
            BialignWarning,
            stacklevel=3,
        )
        return candidates
    keep = main_content(text, [u.text for u in candidates])
    out = [u for u, kept in zip(candidates, keep, strict=True) if kept]
    if not out:
        raise EmptyDocumentError(
            "the page has no main text: everything on it reads as page furniture "
            "(title, navigation, menus, banners, share links, footer)",
            hint="pass keep_furniture=True to align all of its text",
            cli_hint="pass --keep-furniture to align all of its text",
        )
    return out


_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "title"])


def _blocks(tree: object, keep_title: bool) -> Iterator[_Block]:
    """Walk the tree without recursion (broken pages nest thousands deep).

    A block whose text is all link text (a menu item, share buttons, "Read more: ..."),
    headings apart, counts as furniture: link density is the oldest boilerplate cue.
    """
    root = tree.root  # type: ignore[attr-defined]
    if root is None:
        return
    parts: list[str] = []
    link_chars = [0]
    order = 0
    # Each stack entry: (node, entering, lang, furniture, pre, link).
    stack: list[tuple[object, bool, str, bool, bool, bool]] = [
        (root, True, "", False, False, False)
    ]
    block_ctx: list[tuple[str, bool, str]] = [("", False, "")]

    def flush() -> Iterator[_Block]:
        nonlocal order
        raw = "".join(parts)
        parts.clear()
        text = _collapse(raw)
        letters = _visible(text)
        all_links = letters > 0 and link_chars[0] >= letters
        link_chars[0] = 0
        if letters:
            order += 1
            lang, furn, tag = block_ctx[-1]
            yield _Block(text, order, lang, furn or (all_links and tag not in _HEADINGS))

    if keep_title:
        title = tree.css_first("head > title")  # type: ignore[attr-defined]
        if title is not None:
            t = _collapse(title.text(deep=True))
            if t.strip():
                order += 1
                yield _Block(t, order, "", True)
    while stack:
        node, entering, lang, furn, pre, link = stack.pop()
        tag = node.tag  # type: ignore[attr-defined]
        if not entering:
            yield from flush()
            block_ctx.pop()
            continue
        if tag == "-text":
            value = node.text_content or ""  # type: ignore[attr-defined]
            if link:
                link_chars[0] += _visible(value)
            # Inside <pre> every line break counts: mark them as <br>.
            parts.append(value.replace("\r\n", "\n").replace("\n", "\x00") if pre else value)
            continue
        if tag is None or tag.startswith("-") or tag.startswith("!") or tag in _DROPPED:
            continue  # comments, doctype, and elements that render no text
        if tag == "br":
            parts.append("\x00")
            continue
        attrs = node.attributes  # type: ignore[attr-defined]
        if tag != "html" and attrs.get("lang"):
            lang = (attrs.get("lang") or "").split("-")[0].lower()
        role = (attrs.get("role") or "").lower()
        if tag in _FURNITURE_TAGS or role in _FURNITURE_ROLES or attrs.get("hidden") is not None:
            furn = True
        pre = pre or tag in _PRE
        link = link or (tag == "a" and attrs.get("href") is not None)
        children = []
        child = node.child  # type: ignore[attr-defined]
        while child is not None:
            children.append(child)
            child = child.next
        if tag in _BLOCK:
            yield from flush()
            block_ctx.append((lang, furn, tag))
            stack.append((node, False, lang, furn, pre, link))
        for c in reversed(children):
            stack.append((c, True, lang, furn, pre, link))
    yield from flush()


def _collapse(raw: str) -> str:
    """Collapse whitespace as a browser renders it; ``\\x00`` marks a ``<br>``, kept as a
    newline between the lines of the unit."""
    lines = [_HTML_SPACE.sub(" ", part).strip() for part in raw.split("\x00")]
    return "\n".join(line for line in lines if line)


def _br_lines(text: str) -> list[str]:
    """The lines of a block broken by ``<br>``: kept apart (address lines, a verse, an
    English line and its Spanish one) except where a line ends mid-sentence and the
    next one goes on in lower case, which are joined back."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and not _SENTENCE_END.search(out[-1]) and _CONTINUES.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _visible(text: str) -> int:
    """Characters that are not whitespace."""
    return len("".join(text.split()))
