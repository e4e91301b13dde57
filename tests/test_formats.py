"""The writer layer (bialign.io): every format round-trips, the registry is the one list
of formats, and the command line and align-many write through it."""

from __future__ import annotations

import ast
import io
import json
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import bialign.io as bio
from bialign import BialignWarning, ConfigError, cli
from bialign.corpus import Bead, ParallelCorpus, Segment
from bialign.io import jsonl, moses, tmx, tsv

NASTY = [
    "tab\there",
    "new\nline",
    "cr\rret",
    "crlf\r\nend",
    "quote \"double\" and 'single'",
    "<&> &amp; ]]>",
    "emoji 👋🏽",
    "rtl \u200fשלום",
    "back\\slash \\t \\\\n",
    "  spaces at both ends  ",
    "",
    "bell\x07ctl",
]
#: Characters XML 1.0 cannot hold: TMX writes U+FFFD for them, and warns.
FORBIDDEN = {"\x07", "\x00", "\x1f", "\ufffe", "\uffff"}


def corpus_of(texts: list[tuple[str, str]], signature: str = "") -> ParallelCorpus:
    beads = [
        Bead((k,), (k,), a, b, 0.5 + k / 100, confidence=0.9 - k / 100)
        for k, (a, b) in enumerate(texts)
    ]
    segs = [Segment(k, a, "en") for k, (a, _) in enumerate(texts)]
    tsegs = [Segment(k, b, "es") for k, (_, b) in enumerate(texts)]
    return ParallelCorpus(beads, segs, tsegs, ("en", "es"), signature=signature)


PAIRS = [(x, y) for x, y in zip(NASTY, reversed(NASTY), strict=True)]
#: The pairs without the bell, which TMX cannot hold.
CLEAN = PAIRS[1:-1]


def expected(fmt: str, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What a format reads back: the texts themselves, but in TMX U+FFFD for what XML
    cannot hold."""
    if fmt != "tmx":
        return pairs
    return [(tmx.xml_safe(a), tmx.xml_safe(b)) for a, b in pairs]


def holds_forbidden(pairs: list[tuple[str, str]]) -> bool:
    return any(tmx.xml_safe(t) != t for pair in pairs for t in pair)


# --- the registry ------------------------------------------------------------------------


def test_the_registry_lists_each_format_once_one_module_each() -> None:
    modules = sorted(
        p.stem for p in Path(bio.__file__).parent.glob("*.py") if not p.stem.startswith("_")
    )
    assert sorted(bio.names()) == sorted(set(bio.names())) == modules
    assert {"tsv", "jsonl", "json", "tmx", "moses"} <= set(bio.names())
    for name, form in bio.REGISTRY.items():
        assert form.name == name and form.help
        assert not form.many or form.many_help
    assert set(bio.names(many=True)) <= set(bio.names())


def test_cli_format_choices_come_from_the_registry() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[attr-defined]

    def choices(command: str) -> tuple[str, ...]:
        action = next(a for a in sub[command]._actions if a.dest == "format")
        assert all(f"{name}:" in action.help for name in action.choices)
        return tuple(action.choices)

    assert choices("align") == choices("align-docs") == bio.names()
    assert choices("align-many") == bio.names(many=True)
    assert "moses" in bio.names(many=True)


def test_writers_never_import_the_corpus_at_run_time() -> None:
    """corpus.py imports bialign.io: a writer that imported corpus back would be a cycle."""
    for path in Path(bio.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
            for node in ast.walk(block)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("corpus"):
                assert id(node) in guarded, f"{path.name} imports {node.module} at run time"


def test_unknown_format_and_a_stream_for_two_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xlsx'; choose one of json, jsonl"):
        corpus_of(PAIRS).write(tmp_path / "x", "xlsx")
    with pytest.raises(ConfigError, match=r"'moses' writes 2 files \(PREFIX.en, PREFIX.es\)"):
        corpus_of(PAIRS).write(io.StringIO(), "moses")


def test_the_old_module_still_answers() -> None:
    """docs/confidence.md once named bialign.formats.read_signature: it still works."""
    from bialign import formats

    assert formats.read_signature is bio.read_signature
    assert bio.names() == formats.FORMATS


# --- every format round-trips --------------------------------------------------------------


@pytest.mark.parametrize("fmt", bio.names())
def test_every_format_reads_back_what_it_wrote(tmp_path: Path, fmt: str) -> None:
    if bio.get_format(fmt).read is None:
        pytest.skip(f"{fmt} has no reader")
    c = corpus_of(PAIRS, signature="enc:x|langs:en-es")
    c.beads.append(Bead((len(PAIRS),), (), "alone", "", 0.0))  # unaligned: not a pair
    target = tmp_path / f"c.{fmt}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c.write(target, fmt)
    got = bio.read_pairs(fmt, target)
    assert got == expected(fmt, PAIRS)
    assert len(got) == len(c.pairs)
    # Nothing is changed without a word: TMX says when it had to replace characters.
    warned = [w for w in caught if issubclass(w.category, BialignWarning)]
    assert bool(warned) == (fmt == "tmx" and holds_forbidden(PAIRS))
    if fmt == "tmx":
        count = sum(ch in FORBIDDEN for pair in PAIRS for t in pair for ch in t)
        assert f"cannot hold {count} character(s)" in str(warned[0].message)  # 2 bells
        assert got[-1][0] == "bell\ufffdctl"


@pytest.mark.filterwarnings("ignore::bialign.BialignWarning")
@pytest.mark.parametrize("fmt", bio.names(many=True))
def test_every_format_streams_many_documents(tmp_path: Path, fmt: str) -> None:
    if bio.get_format(fmt).read is None:
        pytest.skip(f"{fmt} has no reader")
    docs = [
        ("d<1>", corpus_of(PAIRS[:3])),
        ("d&2", corpus_of([])),
        ("d\t3", corpus_of(PAIRS[3:])),
    ]
    target = tmp_path / f"many.{fmt}"
    bio.write_documents(docs, fmt, target, ("en", "es"))
    assert bio.read_pairs(fmt, target) == expected(fmt, PAIRS)


def test_tmx_keeps_carriage_returns(tmp_path: Path) -> None:
    # XML reads a raw CR as LF: TMX writes it as &#13; so that it comes back a CR.
    pairs = [("a\rb", "c\r\nd"), ("\r", "e\n\r")]
    corpus_of(pairs).to_tmx(tmp_path / "c.tmx")
    assert bio.read_pairs("tmx", tmp_path / "c.tmx") == pairs
    assert b"\r" not in (tmp_path / "c.tmx").read_bytes()


def test_tsv_file_and_sidecar(tmp_path: Path) -> None:
    c = corpus_of(PAIRS, signature="sig")
    c.to_tsv(tmp_path / "c.tsv")
    lines = (tmp_path / "c.tsv").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "en\tes\tscore\tconfidence" and len(lines) == len(PAIRS) + 2
    assert lines[-1] == ""
    assert all(line.count("\t") == 3 for line in lines[1:-1])
    confidences = [line.split("\t")[3] for line in lines[1:-1]]
    assert confidences == ["" if b.confidence is None else f"{b.confidence:.4f}" for b in c.pairs]
    scores = [r[2] for r in tsv.read_rows(tmp_path / "c.tsv")]
    assert scores == pytest.approx([b.score for b in c.pairs], abs=1e-6)
    assert bio.read_signature(tmp_path / "c.tsv") == "sig"


def test_jsonl_records(tmp_path: Path) -> None:
    c = corpus_of(PAIRS)
    c.to_jsonl(tmp_path / "c.jsonl")
    rows = jsonl.read_records(tmp_path / "c.jsonl")
    assert rows[1]["src"] == [1] and rows[1]["score"] == pytest.approx(0.51)
    assert rows == c.to_records()


def test_moses_files(tmp_path: Path) -> None:
    src, tgt = corpus_of(PAIRS).to_moses(tmp_path / "train")
    assert src.name == "train.en" and tgt.name == "train.es"
    assert len(src.read_text(encoding="utf-8").split("\n")) == len(PAIRS) + 1
    assert moses.read_files(src, tgt) == PAIRS


def test_json_is_the_whole_alignment(tmp_path: Path) -> None:
    c = corpus_of(PAIRS[:2], signature="sig")
    c.beads.append(Bead((2,), (), "alone", "", 0.0))
    c.to_json(tmp_path / "c.json")
    record = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert [b["kind"] for b in record["beads"]] == ["1-1", "1-1", "1-0"]
    assert record["signature"] == "sig" and len(record["src_segments"]) == 2


def test_tmx_is_valid_xml_with_languages(tmp_path: Path) -> None:
    c = corpus_of(CLEAN)
    c.to_tmx(tmp_path / "c.tmx")
    text = (tmp_path / "c.tmx").read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM')
    root = etree.parse(str(tmp_path / "c.tmx")).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    tuvs = root.findall(".//tuv")
    assert {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tuvs} == {"en", "es"}


def test_tmx_custom_properties_use_the_x_prefix(tmp_path: Path) -> None:
    # TMX 1.4b: a prop type that is not one of the standard ones starts with "x-".
    c = corpus_of([("The cat sleeps.", "El gato duerme.")], signature="enc:x")
    c.to_tmx(tmp_path / "c.tmx")
    bio.write_documents([("d1", c)], "tmx", tmp_path / "many.tmx", c.langs)
    for name in ("c.tmx", "many.tmx"):
        root = etree.parse(str(tmp_path / name)).getroot()
        types = {p.get("type") for p in root.iter("prop")}
        assert types and all(t.startswith("x-") for t in types)
    assert bio.read_signature(tmp_path / "c.tmx") == "enc:x"


def test_filter_and_records() -> None:
    c = corpus_of(PAIRS)
    kept = c.filter(min_score=0.55)
    assert [b.score for b in kept] == pytest.approx([0.55, 0.56, 0.57, 0.58, 0.59, 0.6, 0.61])
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


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(text, text), min_size=1, max_size=5))
def test_round_trips_hold_for_any_text(pairs: list[tuple[str, str]], tmp_path_factory) -> None:
    d = tmp_path_factory.mktemp("rt")
    c = corpus_of(pairs)
    for fmt in bio.names():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BialignWarning)
            c.write(d / f"c.{fmt}", fmt)
        if bio.get_format(fmt).read is not None:
            assert bio.read_pairs(fmt, d / f"c.{fmt}") == expected(fmt, pairs), fmt
    json.dumps(c.to_records())


# --- one writer for files, standard output and align-many ----------------------------------


class FakeAligner:
    """Stands in for the Aligner in the command line: returns a corpus made beforehand."""

    def __init__(self, corpus: ParallelCorpus) -> None:
        self.corpus = corpus

    def align(self, doc: object) -> ParallelCorpus:
        return self.corpus


@pytest.mark.parametrize("fmt", [n for n in bio.names() if bio.get_format(n).one_stream])
def test_standard_output_equals_the_file(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = corpus_of(CLEAN, signature="enc:x|a<&>b")
    monkeypatch.setattr(cli, "_aligner", lambda args: FakeAligner(corpus))
    assert cli.main(["align", "doc.txt", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert cli.main(["align", "doc.txt", "--format", fmt, "-o", str(tmp_path / "c")]) == 0
    assert out.encode() == (tmp_path / "c").read_bytes() != b""
    if fmt == "tmx":
        assert '<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in out and 'type="x-bialign-signature"' in out


def test_cli_refuses_moses_on_standard_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_aligner", lambda args: pytest.fail("aligned before the check"))
    assert cli.main(["align", "doc.txt", "--format", "moses"]) == 2
    err = capsys.readouterr().err
    assert "writes 2 files (PREFIX.en, PREFIX.es)" in err and "give -o PREFIX" in err


@pytest.mark.parametrize("fmt", bio.names(many=True))
def test_align_many_writes_what_write_documents_writes(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bialign import batch

    corpora = {"a": corpus_of(CLEAN[:4]), "b": corpus_of(CLEAN[4:])}

    def fake_align_many(docs, options=None, /, **kw):  # type: ignore[no-untyped-def]
        for k, doc in enumerate(docs):
            yield batch.Result(k, corpora[doc])

    monkeypatch.setattr(batch, "align_many", fake_align_many)
    source = io.StringIO('{"id": "x<1>", "text": "a"}\n{"id": "y", "text": "b"}\n')
    batch.align_jsonl(source, tmp_path / "run", fmt=fmt, progress=False)
    bio.write_documents(
        [("x<1>", corpora["a"]), ("y", corpora["b"])], fmt, tmp_path / "direct", ("en", "es")
    )
    form = bio.get_format(fmt)
    for run, direct in zip(
        form.files(tmp_path / "run", ("en", "es")),
        form.files(tmp_path / "direct", ("en", "es")),
        strict=True,
    ):
        assert run.read_bytes() == direct.read_bytes() != b""


def test_tmx_says_sentence_only_for_sentence_pairs() -> None:
    """TMX's segtype: "sentence" where bialign split the documents into sentences, else
    "block" (a line or a paragraph, as the input has them)."""
    base = "enc:e|profile:p|langs:en-es|mode:docs|split:lines|options:|version:1"
    assert tmx.segtype(base) == "block" and tmx.segtype("") == "block"
    assert tmx.segtype(base.replace("split:lines", "split:sentences")) == "sentence"
    assert tmx.segtype(base.replace("options:", "options:granularity=sentence")) == "sentence"
    assert 'segtype="block"' in "".join(tmx.header(("en", "es"), base, False))
