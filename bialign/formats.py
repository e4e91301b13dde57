"""Writers and readers for the corpus formats people load: TSV, JSONL, Moses, TMX.

Texts from bialign never hold tabs or newlines (segmentation turns them into spaces),
but a corpus may be built by hand, so the line-based formats escape them: in TSV and
Moses files a backslash, tab, newline and carriage return are written as ``\\\\``,
``\\t``, ``\\n`` and ``\\r``. Characters that XML 1.0 forbids (most C0 controls, lone
surrogates, U+FFFE/U+FFFF) cannot appear in TMX; they are replaced by U+FFFD there.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Bead, ParallelCorpus, Segment

#: Formats of one corpus (``moses`` writes two files, so it needs a path prefix).
FORMATS = ("tsv", "jsonl", "json", "tmx", "moses")
#: Formats ``align-many`` can append to document by document (one file).
BATCH_FORMATS = ("jsonl", "json", "tsv", "tmx")

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"  # written as xml:lang
_ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESC = {v: k for k, v in _ESC.items()}
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_line(text: str) -> str:
    return "".join(_ESC.get(ch, ch) for ch in text)


def unescape_line(text: str) -> str:
    return re.sub(r"\\[\\tnr]", lambda m: _UNESC[m.group(0)], text)


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot hold with U+FFFD."""
    return _XML_FORBIDDEN.sub("\ufffd", text)


def pair_record(bead: Bead, langs: Sequence[str], doc: str | None = None) -> dict[str, Any]:
    """One pair as a JSON-ready dict; ``doc`` (the source document's id) comes first."""
    head = {} if doc is None else {"doc": doc}
    return (
        head
        | {
            langs[0]: bead.src_text,
            langs[1]: bead.tgt_text,
            "score": round(bead.score, 6),
            "confidence": bead.confidence,
            "src": list(bead.src),
            "tgt": list(bead.tgt),
        }
        | ({"paragraph": bead.paragraph} if bead.paragraph >= 0 else {})
    )


def _open(path: str | Path) -> TextIO:
    return open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115


def write_tsv(pairs: Iterable[Bead], langs: Sequence[str], path: str | Path) -> None:
    """Header ``<src lang>\\t<tgt lang>\\tscore``, then one pair per line."""
    with _open(path) as f:
        write_tsv_rows(f, pairs, langs, header=True)


def write_tsv_rows(f: TextIO, pairs: Iterable[Bead], langs: Sequence[str], header: bool) -> None:
    if header:
        f.write(f"{langs[0]}\t{langs[1]}\tscore\n")
    for b in pairs:
        f.write(tsv_row(b))


def tsv_row(bead: Bead, doc: str | None = None) -> str:
    """One escaped TSV line: source, target, score; with ``doc``, the id comes first."""
    cells = [bead.src_text, bead.tgt_text] if doc is None else [doc, bead.src_text, bead.tgt_text]
    return "\t".join(escape_line(c) for c in cells) + f"\t{bead.score:.6f}\n"


def read_tsv(path: str | Path) -> list[tuple[str, str, float]]:
    rows = []
    with open(path, encoding="utf-8", newline="\n") as f:
        next(f, None)
        for line in f:
            src, tgt, score = line.rstrip("\n").split("\t")
            rows.append((unescape_line(src), unescape_line(tgt), float(score)))
    return rows


def write_jsonl(pairs: Iterable[Bead], langs: Sequence[str], path: str | Path) -> None:
    """One JSON object per pair: ``{"en": .., "es": .., "score": .., "src": [..], "tgt": [..]}``."""
    with _open(path) as f:
        write_jsonl_rows(f, pairs, langs)


def write_jsonl_rows(f: TextIO, pairs: Iterable[Bead], langs: Sequence[str]) -> None:
    for b in pairs:
        f.write(json.dumps(pair_record(b, langs), ensure_ascii=False) + "\n")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_moses(
    pairs: Iterable[Bead], langs: Sequence[str], prefix: str | Path
) -> tuple[Path, Path]:
    """Two line-aligned plain-text files, ``PREFIX.<lang>``, as Moses and OPUS use."""
    src_path = Path(f"{prefix}.{langs[0]}")
    tgt_path = Path(f"{prefix}.{langs[1]}")
    with _open(src_path) as fs, _open(tgt_path) as ft:
        for b in pairs:
            fs.write(escape_line(b.src_text) + "\n")
            ft.write(escape_line(b.tgt_text) + "\n")
    return src_path, tgt_path


def read_moses(src_path: str | Path, tgt_path: str | Path) -> list[tuple[str, str]]:
    with open(src_path, encoding="utf-8", newline="\n") as fs:
        src = [unescape_line(line.rstrip("\n")) for line in fs]
    with open(tgt_path, encoding="utf-8", newline="\n") as ft:
        tgt = [unescape_line(line.rstrip("\n")) for line in ft]
    return list(zip(src, tgt, strict=True))


def tmx_tree(
    pairs: Iterable[Bead],
    langs: Sequence[str],
    signature: str = "",
    docs: Iterable[str] | None = None,
) -> ET.ElementTree:
    """A TMX 1.4b document; ElementTree does the XML escaping. The corpus signature is a
    header ``<prop type="x-bialign-signature">`` (TMX 1.4b custom props take ``x-``
    types); ``docs``, one per pair, adds each pair's source document as a property."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        creationtool="bialign",
        creationtoolversion=_version(),
        datatype="plaintext",
        segtype="sentence",
        adminlang="en",
        srclang=langs[0],
    )
    root[0].set("o-tmf", "bialign")
    if signature:
        ET.SubElement(root[0], "prop", type="x-bialign-signature").text = xml_safe(signature)
    body = ET.SubElement(root, "body")
    doc_ids = iter(docs) if docs is not None else None
    for b in pairs:
        body.append(tmx_unit(b, langs, None if doc_ids is None else next(doc_ids)))
    ET.indent(root)
    return ET.ElementTree(root)


def tmx_unit(bead: Bead, langs: Sequence[str], doc: str | None = None) -> ET.Element:
    """One ``<tu>``: the score (and the source document's id) as props, two ``<tuv>``."""
    tu = ET.Element("tu")
    prop = ET.SubElement(tu, "prop", type="x-score")
    prop.text = f"{bead.score:.6f}"
    if bead.confidence is not None:
        ET.SubElement(tu, "prop", type="x-confidence").text = f"{bead.confidence:.4f}"
    if doc is not None:
        ET.SubElement(tu, "prop", type="x-doc").text = xml_safe(doc)
    for lang, text in ((langs[0], bead.src_text), (langs[1], bead.tgt_text)):
        tuv = ET.SubElement(tu, "tuv", {_XML_LANG: lang})
        seg = ET.SubElement(tuv, "seg")
        seg.text = xml_safe(text)
    return tu


_TMX_PROLOGUE = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'


def write_tmx(
    pairs: Iterable[Bead],
    langs: Sequence[str],
    path: str | Path,
    signature: str = "",
    docs: Iterable[str] | None = None,
) -> None:
    tree = tmx_tree(pairs, langs, signature, docs)
    with _open(path) as f:
        f.write(_TMX_PROLOGUE)
        tree.write(f, encoding="unicode")
        f.write("\n")


def meta_path(path: str | Path) -> Path:
    """The metadata sidecar of a TSV, JSONL or Moses output: ``PATH.meta.json`` (for Moses,
    ``PREFIX.meta.json``). A sidecar, not a first line, so every line of the data file
    stays one pair for the tools that read it (pandas, ``datasets``, Moses)."""
    return Path(f"{path}.meta.json")


def write_meta(path: str | Path, signature: str, langs: Sequence[str], pairs: int) -> Path:
    """Write the sidecar: the corpus signature, the languages and the number of pairs."""
    out = meta_path(path)
    meta = {"signature": signature, "langs": list(langs), "pairs": pairs}
    out.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def read_signature(path: str | Path) -> str:
    """The signature of an output written by bialign: from a TMX header, else from the
    ``.meta.json`` sidecar; empty when there is none."""
    p = Path(path)
    if p.suffix == ".tmx" and p.exists():
        header = ET.parse(p).getroot().find("header")
        prop = header.find("prop[@type='x-bialign-signature']") if header is not None else None
        return (prop.text or "") if prop is not None else ""
    meta = meta_path(p)
    if meta.exists():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("signature", ""))
    return ""


def read_tmx(path: str | Path) -> list[dict[str, str]]:
    """Each translation unit as ``{lang: text}``."""
    units = []
    for tu in ET.parse(path).getroot().iter("tu"):
        units.append({tuv.get(_XML_LANG, ""): tuv.findtext("seg") or "" for tuv in tu.iter("tuv")})
    return units


def _version() -> str:
    from . import __version__

    return __version__


def document_record(corpus: ParallelCorpus, doc: str | None = None) -> dict[str, Any]:
    """The whole alignment as a JSON-ready dict: every segment with its language and every
    bead, unaligned ones included, so that nothing the Python API returns is lost."""
    head = {} if doc is None else {"doc": doc}

    def segments(segs: list[Segment]) -> list[dict[str, Any]]:
        return [
            {
                "index": s.index,
                "text": s.text,
                "lang": s.lang,
                "lang_confidence": round(s.lang_confidence, 6),
                "line": s.line,
            }
            for s in segs
        ]

    body: dict[str, Any] = {"langs": list(corpus.langs), "mixed": corpus.mixed}
    if corpus.mixed:
        body["segments"] = segments(corpus.src_segments)
    else:
        body["src_segments"] = segments(corpus.src_segments)
        body["tgt_segments"] = segments(corpus.tgt_segments)
    body["beads"] = [
        {
            "src": list(b.src),
            "tgt": list(b.tgt),
            "kind": b.kind,
            "src_text": b.src_text,
            "tgt_text": b.tgt_text,
            "score": round(b.score, 6),
            "confidence": b.confidence,
            **({"paragraph": b.paragraph} if b.paragraph >= 0 else {}),
        }
        for b in corpus.beads
    ]
    body["signature"] = corpus.signature
    body["warnings"] = list(corpus.warnings)
    return head | body


def write_stream(corpus: ParallelCorpus, fmt: str, f: TextIO) -> None:
    """Write ``corpus`` to an open text stream in one of the single-file formats; the same
    bytes as the file writers (standard output gets the TMX DOCTYPE too)."""
    if fmt == "tsv":
        write_tsv_rows(f, corpus.pairs, corpus.langs, header=True)
    elif fmt == "jsonl":
        write_jsonl_rows(f, corpus.pairs, corpus.langs)
    elif fmt == "json":
        json.dump(document_record(corpus), f, ensure_ascii=False, indent=1)
        f.write("\n")
    elif fmt == "tmx":
        f.write(_TMX_PROLOGUE)
        tmx_tree(corpus.pairs, corpus.langs, corpus.signature).write(f, encoding="unicode")
        f.write("\n")
    else:
        raise ValueError(f"{fmt!r} is not a single-stream format")


def write_json(corpus: ParallelCorpus, path: str | Path) -> None:
    with _open(path) as f:
        write_stream(corpus, "json", f)
