"""TMX 1.4b: one ``<tu>`` per pair with ``xml:lang`` on each ``<tuv>``.

The score, the confidence and (with many documents) the document's id are ``<prop>``s of
each unit, the corpus signature a ``<prop>`` of the header; TMX 1.4b wants custom prop
types to start with ``x-``. ElementTree does the XML escaping; a CR is written as
``&#13;`` so that it reads back as a CR, not as the newline XML turns a raw one into.
Characters XML 1.0 cannot hold at all (most C0 controls, lone surrogates, U+FFFE, U+FFFF)
are written as U+FFFD, with a :class:`~bialign.BialignWarning` saying how many.
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..about import __version__
from ..errors import BialignWarning
from ._base import Format, Langs, Parts, PathArg

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import Bead, ParallelCorpus

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"  # written as xml:lang
PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot hold with U+FFFD."""
    return _XML_FORBIDDEN.sub("\ufffd", text)


def _serialise(elem: ET.Element, level: int) -> str:
    ET.indent(elem, space="  ", level=level)
    return "  " * level + ET.tostring(elem, encoding="unicode").replace("\r", "&#13;") + "\n"


def _warn_forbidden(texts: Sequence[str]) -> None:
    count = sum(len(_XML_FORBIDDEN.findall(t)) for t in texts)
    if count:
        warnings.warn(
            f"TMX cannot hold {count} character(s) that XML 1.0 forbids (control "
            "characters, lone surrogates, U+FFFE, U+FFFF); written as U+FFFD",
            BialignWarning,
            stacklevel=2,
        )


def segtype(signature: str) -> str:
    """TMX's ``segtype`` for the pairs a signature made: "sentence" when the documents
    were split into sentences, else "block" (a segment is a line or a paragraph, as the
    input has them)."""
    from ..provenance import parse_signature

    fields = parse_signature(signature) if signature else {}
    options = fields.get("options", "")
    split = fields.get("split") == "sentences" or "granularity=sentence" in options
    return "sentence" if split else "block"


def header(langs: Langs, signature: str, many: bool) -> Parts:
    head = ET.Element(
        "header",
        creationtool="bialign",
        creationtoolversion=__version__,
        datatype="plaintext",
        segtype=segtype(signature),
        adminlang="en",
        srclang=langs[0],
    )
    head.set("o-tmf", "bialign")
    if signature:
        _warn_forbidden([signature])
        ET.SubElement(head, "prop", type="x-bialign-signature").text = xml_safe(signature)
    return (PROLOGUE + '<tmx version="1.4">\n' + _serialise(head, 1) + "  <body>\n",)


def unit(bead: Bead, langs: Sequence[str], doc: str | None = None) -> ET.Element:
    """One ``<tu>``: the score (and the source document's id) as props, two ``<tuv>``."""
    tu = ET.Element("tu")
    ET.SubElement(tu, "prop", type="x-score").text = f"{bead.score:.6f}"
    if bead.confidence is not None:
        ET.SubElement(tu, "prop", type="x-confidence").text = f"{bead.confidence:.4f}"
    if doc is not None:
        ET.SubElement(tu, "prop", type="x-doc").text = xml_safe(doc)
    for lang, text in ((langs[0], bead.src_text), (langs[1], bead.tgt_text)):
        tuv = ET.SubElement(tu, "tuv", {XML_LANG: lang})
        ET.SubElement(tuv, "seg").text = xml_safe(text)
    return tu


def rows(corpus: ParallelCorpus, doc: str | None) -> Parts:
    pairs = corpus.pairs
    texts = [t for b in pairs for t in (b.src_text, b.tgt_text)]
    _warn_forbidden(texts + ([doc] if doc and pairs else []))
    return ("".join(_serialise(unit(b, corpus.langs, doc), 2) for b in pairs),)


def footer() -> Parts:
    return ("  </body>\n</tmx>\n",)


def read_units(path: PathArg) -> list[dict[str, str]]:
    """Each translation unit as ``{lang: text}``."""
    return [
        {tuv.get(XML_LANG, ""): tuv.findtext("seg") or "" for tuv in tu.iter("tuv")}
        for tu in ET.parse(path).getroot().iter("tu")
    ]


def read(path: PathArg, langs: Langs) -> list[tuple[str, str]]:
    return [(u.get(langs[0], ""), u.get(langs[1], "")) for u in read_units(path)]


def read_signature(path: PathArg) -> str:
    """The header's ``x-bialign-signature`` prop; empty when there is none."""
    head = ET.parse(path).getroot().find("header")
    prop = head.find("prop[@type='x-bialign-signature']") if head is not None else None
    return (prop.text or "") if prop is not None else ""


FORMAT = Format(
    name="tmx",
    help="TMX 1.4b",
    many_help="with an x-doc prop in each unit",
    header=header,
    rows=rows,
    footer=footer,
    read=read,
    sidecar=False,
)
