"""The ``PATH.meta.json`` sidecar: the signature of a TSV, JSONL or Moses output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from . import tmx
from ._base import PathArg


def meta_path(path: PathArg) -> Path:
    """The metadata sidecar of a TSV, JSONL or Moses output: ``PATH.meta.json`` (for Moses,
    ``PREFIX.meta.json``). A sidecar, not a first line, so every line of the data file
    stays one pair for the tools that read it (pandas, ``datasets``, Moses)."""
    return Path(f"{path}.meta.json")


def write_meta(path: PathArg, signature: str, langs: Sequence[str], pairs: int) -> Path:
    """Write the sidecar: the corpus signature, the languages and the number of pairs."""
    out = meta_path(path)
    meta = {"signature": signature, "langs": list(langs), "pairs": pairs}
    out.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def read_signature(path: PathArg) -> str:
    """The signature of an output written by bialign: from a TMX header, else from the
    ``.meta.json`` sidecar; empty when there is none."""
    p = Path(path)
    if p.suffix == ".tmx" and p.exists():
        return tmx.read_signature(p)
    meta = meta_path(p)
    if meta.exists():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("signature", ""))
    return ""
