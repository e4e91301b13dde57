"""Turning what the user passes (text, a list of segments, a file) into clean segments.

Inputs are checked here, once, so that later stages can trust them: wrong types,
undecodable bytes and empty documents are reported with the position that is at fault.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BinaryFileError, EmptyDocumentError, InputError, LimitExceededError

#: Longest segment text passed to the encoder and the language detector (characters).
#: Longer segments are kept whole in the corpus; only their analysed prefix is cut,
#: and the corpus reports it in ``warnings``.
MAX_SEGMENT_CHARS = 5_000
#: Most segments one document may hold. Larger inputs are almost always a wrongly split
#: file; align them in parts with ``align_many``.
MAX_SEGMENTS = 1_000_000

Document = str | os.PathLike[str] | Sequence[str]

# Control characters except tab/newline, zero-width characters and the BOM. They carry no
# text, confuse detectors, and some cannot be written to XML 1.0 (TMX).
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u2060\ufeff\ufffe\uffff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")


# Markup from crawled pages. Only known HTML element names count as tags, so that "a < b"
# in plain text survives; script and style elements go with their content; block
# elements end a line.
_ELEMENTS = (
    "a|abbr|article|aside|b|big|blockquote|body|br|caption|cite|code|dd|del|div|dl|dt|em|"
    "figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|iframe|img|ins|label|li|"
    "link|main|mark|meta|nav|ol|p|pre|q|s|section|small|span|strike|strong|sub|sup|table|"
    "tbody|td|tfoot|th|thead|time|title|tr|u|ul"
)
_BLOCKS = (
    "article|aside|blockquote|br|caption|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|"
    "header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|title|tr|ul"
)
_SCRIPT = re.compile(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCKS})\b[^<>]*>", re.I)
_TAG = re.compile(rf"</?(?:{_ELEMENTS}|script|style|noscript)\b[^<>]*>", re.I)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")


def strip_markup(text: str, block: str = "\n") -> str:
    """Remove HTML tags (block elements become ``block``), comments, scripts and styles,
    and decode character entities (``&amp;``, ``&oacute;``, ``&#8217;``)."""
    if "<" in text:
        text = _SCRIPT.sub(block, text)
        text = _COMMENT.sub("", text)
        text = _BLOCK_TAG.sub(block, text)
        text = _TAG.sub("", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    return text


@dataclass(frozen=True)
class RawSegment:
    """One segment as read: its position in the document and its cleaned text."""

    index: int
    text: str
    line: int  # 1-based line number for text input; 1-based item number for lists


def clean_text(text: str) -> str:
    """NFC-normalise, drop invisible and control characters, collapse runs of spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def read_document(doc: object, *, name: str = "doc", markup: bool = True) -> list[RawSegment]:
    """Segments of a document given as text, a path, or a sequence of segment strings.

    Text and files are split into lines; each non-empty line is a segment, and indices
    count only those. A sequence is taken as already segmented: item k is segment k,
    never re-split, and an empty item is kept (it gets language ``und``). With
    ``markup`` (the default) HTML tags are removed and entities decoded first; block
    elements (``<p>``, ``<br>``, ``<li>``, ...) end a line of text.
    """
    if isinstance(doc, os.PathLike):
        path = Path(doc)
        label = str(path) if name == "doc" else f"{name} ({path})"
        return read_document(_read_file(path), name=label, markup=markup)
    if isinstance(doc, str):
        return _split_lines(strip_markup(doc) if markup else doc, name)
    if isinstance(doc, bytes | bytearray | memoryview):
        raise InputError(
            f"{name} is bytes; decode it first (e.g. data.decode('utf-8')) "
            "or pass a pathlib.Path to the file"
        )
    if doc is None:
        raise InputError(f"{name} is None; pass a string, a list of strings or a pathlib.Path")
    if isinstance(doc, Sequence):
        out = []
        for k, item in enumerate(doc):
            if not isinstance(item, str):
                raise InputError(
                    f"{name}[{k}] is {type(item).__name__}, not str: "
                    "a document given as a list must hold one string per segment"
                )
            text = strip_markup(item, " ") if markup else item
            out.append(RawSegment(k, clean_text(text.replace("\n", " ").replace("\r", " ")), k + 1))
        _check_size(out, name)
        if not any(s.text for s in out):
            raise EmptyDocumentError(f"{name} has no text: all {len(out)} segments are empty")
        return out
    raise InputError(
        f"{name} is {type(doc).__name__}; pass a string, a list of strings or a pathlib.Path"
    )


#: Leading bytes of binary formats people pass by mistake (PDF, zip and office files,
#: images, gzip); a NUL byte in the first block also marks a binary file.
_BINARY_MAGIC = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a zip archive (or a .docx/.odt/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip-compressed",
}


def _read_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", path=path) from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a text file", path=path) from None
    kind = next((k for magic, k in _BINARY_MAGIC.items() if data.startswith(magic)), None)
    if kind or b"\x00" in data[:8192]:
        raise BinaryFileError(
            f"{path} is a binary file ({kind or 'it holds NUL bytes'}), not text",
            hint="extract its text first",
            path=path,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path} is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
            f"(line {line}); convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None


def _split_lines(text: str, name: str) -> list[RawSegment]:
    if text.startswith("\ufeff"):
        text = text[1:]
    out: list[RawSegment] = []
    # splitlines() knows \n, \r\n, \r and the Unicode line separators.
    for lineno, line in enumerate(text.splitlines(), start=1):
        cleaned = clean_text(line)
        if cleaned:
            out.append(RawSegment(len(out), cleaned, lineno))
    if not out:
        raise EmptyDocumentError(f"{name} has no text: it is empty or only whitespace")
    _check_size(out, name)
    return out


def _check_size(segments: list[RawSegment], name: str) -> None:
    if len(segments) > MAX_SEGMENTS:
        raise LimitExceededError(
            f"{name} has {len(segments):,} segments, over the limit of {MAX_SEGMENTS:,}; "
            "split it into documents and use bialign.align_many"
        )


def split_sentences(segments: list[RawSegment], lang_of_line: Sequence[str]) -> list[RawSegment]:
    """Split each segment into sentences with sentencex, in the language detected for it.

    sentencex (Wikimedia's segmenter, about 300 languages) knows English and Spanish
    abbreviations ("Mr.", "Sr.", "Dra.", "EE.UU.", "U.S."); we use it rather than a
    regular expression of our own. pysbd was tried first: it splits after Spanish "Sr.".
    """
    from sentencex import segment as sentencex_segment

    out: list[RawSegment] = []
    for seg, lang in zip(segments, lang_of_line, strict=True):
        code = lang if lang != "und" else "en"
        for sent in sentencex_segment(code, seg.text):
            sent = sent.strip()
            if sent:
                out.append(RawSegment(len(out), sent, seg.line))
    return out
