"""Read the WMT newstest SGML files into documents of paragraphs of (en, es) segments."""

from __future__ import annotations

import html
import re
from pathlib import Path

_DOC = re.compile(r"<doc[^>]*docid=\"([^\"]+)\"[^>]*>(.*?)</doc>", re.S)
_BLOCK = re.compile(r"<(p|hl|h1)>(.*?)</\1>", re.S)
_SEG = re.compile(r"<seg id=\"?(\d+)\"?>(.*?)</seg>", re.S)


def _parse(path: Path) -> dict[str, list[list[tuple[str, str]]]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    docs = {}
    for docid, body in _DOC.findall(text):
        paras = []
        for _, block in _BLOCK.findall(body):
            segs = [(sid, html.unescape(s).strip()) for sid, s in _SEG.findall(block)]
            if segs:
                paras.append(segs)
        docs[docid] = paras
    return docs


def load_docs(data: Path, year: str = "newstest2011") -> list[list[list[tuple[str, str]]]]:
    """Documents as lists of paragraphs, each a list of (english, spanish) segments."""
    d = data / "wmt_newstest_sgm"
    en = _parse(d / f"{year}-src.en.sgm")
    es = _parse(d / f"{year}-src.es.sgm")
    out = []
    for docid, en_paras in en.items():
        es_paras = es.get(docid)
        if not es_paras or [len(p) for p in en_paras] != [len(p) for p in es_paras]:
            continue
        out.append(
            [
                [(a[1], b[1]) for a, b in zip(pe, ps, strict=True) if a[1] and b[1]]
                for pe, ps in zip(en_paras, es_paras, strict=True)
            ]
        )
    return [[p for p in doc if p] for doc in out if doc]
