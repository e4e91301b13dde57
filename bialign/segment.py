"""Turning what the user passes (text, a list of segments, a file) into clean segments.

Inputs are checked here, once, so that later stages can trust them: wrong types,
undecodable bytes and empty documents are reported with the position that is at fault.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BinaryFileError, EmptyDocumentError, InputError, LimitExceededError
from .options import INPUT_FORMATS
from .readers import decode_file, detect_format, read_html, read_lines, read_text

#: Longest segment text passed to the encoder and the language detector (characters).
#: Longer segments are kept whole in the corpus; only their analysed prefix is cut,
#: and the corpus reports it in ``warnings``.
MAX_SEGMENT_CHARS = 5_000
#: Most segments one document may hold. Larger inputs are almost always a wrongly split
#: file; align them in parts with ``align_many``.
MAX_SEGMENTS = 1_000_000

# Control characters except tab/newline, zero-width characters and the BOM. They carry no
# text, confuse detectors, and some cannot be written to XML 1.0 (TMX).
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u2060\ufeff\ufffe\uffff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")


@dataclass(frozen=True)
class RawSegment:
    """One segment as read: its position in the document and its cleaned text."""

    index: int
    text: str
    line: int  # 1-based line number for text input; 1-based item number for lists
    #: The language the markup declares for it (HTML ``lang``), "" when none.
    lang_hint: str = ""


@dataclass(frozen=True)
class ReadDocument:
    """A document already read: its segments as the reader made them. Pass it wherever a
    document goes (``align``, ``align_documents``, ``match_documents``) to skip reading
    it again; :meth:`bialign.Aligner.read` makes one. It also keeps the language counts
    of its sample once an aligner has taken them, so a crawl's page is sampled once."""

    name: str
    segments: tuple[RawSegment, ...]
    #: Given as a list of segments (kept exactly as given: never split into sentences).
    segmented: bool = False
    #: Language counts of the sample, per (langs, detector) that took them.
    sampled: dict[tuple[object, ...], dict[str, int]] = field(
        default_factory=dict, compare=False, repr=False
    )


def clean_text(text: str) -> str:
    """NFC-normalise, drop invisible and control characters, collapse runs of spaces."""
    if text.isprintable():
        # No control, zero-width or non-ASCII space character (str.isprintable is False
        # for all of them): the common case skips both patterns.
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        return (_SPACES.sub(" ", text) if "  " in text else text).strip()
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


#: A one-line document that is surely a mistyped file name: no spaces, and the extension
#: of a file bialign reads.
_LOOKS_LIKE_FILE = re.compile(r"[^\s]+\.(?:txt|text|html?|xhtml|md|jsonl?|tsv|csv|xml)", re.I)


def refuse_file_name(doc: object, name: str) -> None:
    """Raise InputError when ``doc`` is a one-line string that names an existing file: a
    likely slip for pathlib.Path, which would otherwise be aligned as a one-segment
    document. Only the one-line entry points (bialign.align, bialign.align_documents)
    ask: text read from a crawl or a JSONL file may be anything."""
    if not isinstance(doc, str):
        return
    candidate = doc.strip()
    if not candidate or "\n" in candidate or len(candidate) > 4096:
        return
    try:
        found = os.path.isfile(os.path.expanduser(candidate))
    except (OSError, ValueError):  # a NUL byte, a name too long for the system
        return
    if not found and _LOOKS_LIKE_FILE.fullmatch(candidate):
        raise InputError(
            f"{name} looks like the name of a file, {candidate!r}, but there is no such "
            f"file (from {os.getcwd()}); pass pathlib.Path(...) to an existing file, or "
            f"[{candidate!r}] to align the text itself as one segment"
        )
    if found:
        raise InputError(
            f"{name} is the name of a file, {candidate!r}, not a document's text: pass "
            f"pathlib.Path({candidate!r}) to read the file (a str is taken as the text; "
            f"[{candidate!r}] aligns it as one segment)"
        )


def read_document(
    doc: object,
    *,
    name: str = "doc",
    markup: bool = True,
    input_format: str = "auto",
    keep_furniture: bool = False,
) -> list[RawSegment]:
    """Segments of a document given as text, a path, or a sequence of segment strings.

    Text and files go through a reader chosen by ``input_format`` (see
    :mod:`bialign.readers` and docs/input.md): ``"html"`` (blocks of a page, furniture
    left out unless ``keep_furniture``), ``"text"`` (hard-wrapped paragraphs joined,
    otherwise one segment per line) or ``"lines"`` (each non-empty line a segment);
    ``"auto"`` picks html or text from the content and the file extension. With
    ``markup=False`` text is never read as HTML (auto means lines). A sequence is
    taken as already segmented: item k is segment k, never re-split or stripped (an
    empty item is kept and gets language ``und``), unless ``input_format="html"``, which
    reads each item as an HTML fragment.
    """
    if input_format not in INPUT_FORMATS:
        raise InputError(f"input_format must be one of {INPUT_FORMATS}, got {input_format!r}")
    if isinstance(doc, ReadDocument):
        return list(doc.segments)
    if isinstance(doc, os.PathLike):
        path = Path(doc)
        label = str(path) if name == "doc" else f"{name} ({path})"
        data = _read_bytes(path)
        fmt = input_format
        if fmt == "auto":
            sniff = data[:100_000].decode("latin-1")
            fmt = detect_format(sniff, path) if markup else "lines"
        text = decode_file(data, path, html=fmt == "html")
        return _from_text(text, fmt, label, keep_furniture)
    if isinstance(doc, str):
        fmt = input_format
        if fmt == "auto":
            fmt = detect_format(doc) if markup else "lines"
        return _from_text(doc, fmt, name, keep_furniture)
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
            if input_format == "html":
                item = " ".join(u.text for u in read_html(item, keep_furniture=True))
            out.append(RawSegment(k, clean_text(item.replace("\n", " ").replace("\r", " ")), k + 1))
        _check_size(out, name)
        if not any(s.text for s in out):
            raise EmptyDocumentError(f"{name} has no text: all {len(out)} segments are empty")
        return out
    raise InputError(
        f"{name} is {type(doc).__name__}; pass a string, a list of strings or a pathlib.Path"
    )


#: Leading bytes of binary formats people pass by mistake (PDF, zip and office files,
#: images, gzip); a NUL byte in the first block also marks a binary file, unless a
#: UTF-16 byte-order mark says the NULs are text.
_BINARY_MAGIC = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a zip archive (or a .docx/.odt/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip-compressed",
}


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", path=path) from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a text file", path=path) from None
    kind = next((k for magic, k in _BINARY_MAGIC.items() if data.startswith(magic)), None)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if kind or (b"\x00" in data[:8192] and not utf16):
        raise BinaryFileError(
            f"{path} is a binary file ({kind or 'it holds NUL bytes'}), not text",
            hint="extract its text first",
            path=path,
        )
    return data


def _from_text(text: str, fmt: str, name: str, keep_furniture: bool) -> list[RawSegment]:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise EmptyDocumentError(f"{name} has no text: it is empty or only whitespace")
    if fmt == "html":
        units = read_html(text, keep_furniture=keep_furniture)
    elif fmt == "text":
        units = read_text(text)
    else:
        units = read_lines(text)
    out: list[RawSegment] = []
    for u in units:
        cleaned = clean_text(u.text)
        if cleaned:
            out.append(RawSegment(len(out), cleaned, u.line, u.lang))
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


def split_sentences(segments: list[RawSegment], langs: Sequence[str]) -> list[RawSegment]:
    """Split each segment into sentences (:func:`bialign.sentences.split_text`).

    The split does not depend on the language detected for the segment: a boundary is
    kept where the rules of every language in ``langs`` agree, so a line that holds
    both languages splits between them, and neither language's abbreviations end a
    sentence.
    """
    from .sentences import split_text

    out: list[RawSegment] = []
    for seg in segments:
        for sent in split_text(seg.text, langs=langs):
            out.append(RawSegment(len(out), sent, seg.line, seg.lang_hint))
    return out
