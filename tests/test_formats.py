from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bialign import formats
from bialign.corpus import Bead, ParallelCorpus, Segment

NASTY = [
    "tab\there",
    "new\nline",
    "cr\rret",
    "quote \"double\" and 'single'",
    "<&> &amp;",
    "emoji 👋🏽",
    "rtl \u200fשלום",
    "back\\slash \\t",
    "bell\x07ctl",
]


def corpus_of(texts: list[tuple[str, str]]) -> ParallelCorpus:
    beads = [Bead((k,), (k,), a, b, 0.5 + k / 100) for k, (a, b) in enumerate(texts)]
    segs = [Segment(k, a, "en") for k, (a, _) in enumerate(texts)]
    tsegs = [Segment(k, b, "es") for k, (_, b) in enumerate(texts)]
    return ParallelCorpus(beads, segs, tsegs, ("en", "es"))


PAIRS = [(x, y) for x, y in zip(NASTY, reversed(NASTY), strict=True)]


def test_tsv_round_trip(tmp_path: Path) -> None:
    c = corpus_of(PAIRS)
    c.to_tsv(tmp_path / "c.tsv")
    rows = formats.read_tsv(tmp_path / "c.tsv")
    assert [(a, b) for a, b, _ in rows] == PAIRS
    assert (tmp_path / "c.tsv").read_text().splitlines()[0] == "en\tes\tscore"


def test_jsonl_round_trip(tmp_path: Path) -> None:
    c = corpus_of(PAIRS)
    c.to_jsonl(tmp_path / "c.jsonl")
    rows = formats.read_jsonl(tmp_path / "c.jsonl")
    assert [(r["en"], r["es"]) for r in rows] == PAIRS
    assert rows[1]["src"] == [1] and rows[1]["score"] == pytest.approx(0.51)


def test_moses_round_trip(tmp_path: Path) -> None:
    src, tgt = corpus_of(PAIRS).to_moses(tmp_path / "train")
    assert src.name == "train.en" and tgt.name == "train.es"
    assert len(src.read_text(encoding="utf-8").split("\n")) == len(PAIRS) + 1
    assert formats.read_moses(src, tgt) == PAIRS


def test_tmx_is_valid_xml_with_languages(tmp_path: Path) -> None:
    c = corpus_of(PAIRS)
    c.to_tmx(tmp_path / "c.tmx")
    root = etree.parse(str(tmp_path / "c.tmx")).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    tuvs = root.findall(".//tuv")
    assert {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tuvs} == {"en", "es"}
    units = formats.read_tmx(tmp_path / "c.tmx")
    # XML turns a carriage return into a newline: bialign's own texts never hold either.
    expected = [
        (formats.xml_safe(a).replace("\r", "\n"), formats.xml_safe(b).replace("\r", "\n"))
        for a, b in PAIRS
    ]
    assert [(u["en"], u["es"]) for u in units] == expected
    assert units[-1]["en"] == "bell\ufffdctl"  # XML 1.0 cannot hold U+0007


def test_writers_only_write_pairs(tmp_path: Path) -> None:
    c = corpus_of(PAIRS[:2])
    c.beads.append(Bead((5,), (), "alone", "", 0.0))
    c.to_jsonl(tmp_path / "c.jsonl")
    assert len(formats.read_jsonl(tmp_path / "c.jsonl")) == 2


def test_filter_and_records() -> None:
    c = corpus_of(PAIRS)
    kept = c.filter(min_score=0.55)
    assert [b.score for b in kept] == pytest.approx([0.55, 0.56, 0.57, 0.58])
    assert len(c) == len(PAIRS)
    assert c.to_records()[0]["en"] == PAIRS[0][0]


def test_pandas_and_hf_dataset() -> None:
    c = corpus_of(PAIRS)
    df = c.to_pandas()
    assert list(df.columns) == ["en", "es", "score", "confidence", "src", "tgt"]
    assert df["es"].tolist() == [b for _, b in PAIRS]
    ds = c.to_hf_dataset()
    assert ds[0]["translation"] == {"en": PAIRS[0][0], "es": PAIRS[0][1]}
    assert len(ds) == len(PAIRS)


def test_unknown_format_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        corpus_of(PAIRS).write(tmp_path / "x", "xlsx")


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(text, text), min_size=1, max_size=5))
def test_round_trips_hold_for_any_text(pairs: list[tuple[str, str]], tmp_path_factory) -> None:
    d = tmp_path_factory.mktemp("rt")
    c = corpus_of(pairs)
    c.to_tsv(d / "c.tsv")
    assert [(a, b) for a, b, _ in formats.read_tsv(d / "c.tsv")] == pairs
    c.to_jsonl(d / "c.jsonl")
    assert [(r["en"], r["es"]) for r in formats.read_jsonl(d / "c.jsonl")] == pairs
    c.to_moses(d / "m")
    assert formats.read_moses(d / "m.en", d / "m.es") == pairs
    c.to_tmx(d / "c.tmx")
    got = [(u.get("en", ""), u.get("es", "")) for u in formats.read_tmx(d / "c.tmx")]
    # XML normalises \r\n and lone \r to \n inside text, and forbids some controls.
    want = [
        (
            formats.xml_safe(a).replace("\r\n", "\n").replace("\r", "\n"),
            formats.xml_safe(b).replace("\r\n", "\n").replace("\r", "\n"),
        )
        for a, b in pairs
    ]
    assert got == want
    json.dumps(c.to_records())


def test_tmx_custom_properties_use_the_x_prefix(tmp_path: Path) -> None:
    # TMX 1.4b: a prop type that is not one of the standard ones starts with "x-".
    c = corpus_of([("The cat sleeps.", "El gato duerme.")])
    c.to_tmx(tmp_path / "c.tmx")
    root = etree.parse(str(tmp_path / "c.tmx")).getroot()
    types = {p.get("type") for p in root.iter("prop")}
    assert types and all(t.startswith("x-") for t in types)
