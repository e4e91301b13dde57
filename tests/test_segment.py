from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bialign
from bialign.errors import InputError
from bialign.segment import MAX_SEGMENT_CHARS, clean_text, read_document


def test_text_lines_become_segments_and_empty_lines_are_skipped() -> None:
    segs = read_document("one\n\n  two  \r\nthree\rfour")
    assert [s.text for s in segs] == ["one", "two", "three", "four"]
    assert [s.index for s in segs] == [0, 1, 2, 3]
    assert [s.line for s in segs] == [1, 3, 4, 5]


def test_list_items_are_never_resplit() -> None:
    segs = read_document(["First. Second.", "", "Third"])
    assert [s.text for s in segs] == ["First. Second.", "", "Third"]
    assert [s.index for s in segs] == [0, 1, 2]


def test_bom_and_invisible_characters_are_removed(tmp_path: Path) -> None:
    p = tmp_path / "doc.txt"
    p.write_bytes("\ufeffHola\u200b mundo\x07\r\nHello\tworld\r\n".encode())
    assert [s.text for s in read_document(p)] == ["Hola mundo", "Hello world"]


def test_clean_text_keeps_emoji_and_rtl_letters() -> None:
    assert clean_text(" שלום 👋🏽 ") == "שלום 👋🏽"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("", "no text"),
        ("  \n\t\n ", "no text"),
        (None, "None"),
        (b"hello", "bytes"),
        (42, "int"),
        (["ok", ["nested"]], r"doc\[1\] is list"),
        (["ok", 3.5], r"doc\[1\] is float"),
        (["", "  "], "no text"),
    ],
)
def test_bad_documents_raise_clear_errors(doc: object, message: str) -> None:
    with pytest.raises(bialign.InputError, match=message):
        read_document(doc)


def test_invalid_utf8_names_the_byte_and_line(tmp_path: Path) -> None:
    p = tmp_path / "latin1.txt"
    p.write_bytes("first line\nsegunda línea\n".encode("latin-1"))
    with pytest.raises(
        bialign.InputError, match=r"not valid UTF-8: byte 0xed at offset 20 \(line 2\)"
    ):
        read_document(p)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(bialign.InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")


def test_long_segment_is_kept_whole_and_reported() -> None:
    long_en = "The committee approved the budget after a long debate. " * 400
    doc = [long_en, "El comité aprobó el presupuesto tras un largo debate. " * 400]
    corpus = bialign.align(doc)
    assert len(corpus.segments[0].text) > MAX_SEGMENT_CHARS
    assert any("longer than" in w for w in corpus.warnings)
    assert corpus.pairs and corpus.pairs[0].src == (0,)


def test_html_markup_is_removed_and_entities_decoded() -> None:
    from bialign.segment import read_document

    page = (
        "<html><head><title>News</title><script>var s = '<p>x</p>';</script></head>"
        "<body><p>Prices rose by 3% &amp; wages fell.</p><p>Subi&oacute; el pan.<br>"
        "Otra l&iacute;nea</p><!-- hidden --><div>a < b and c > d</div></body></html>"
    )
    # The title is page furniture, left out unless asked for.
    body = ["Prices rose by 3% & wages fell.", "Subió el pan.", "Otra línea", "a < b and c > d"]
    assert [s.text for s in read_document(page)] == body
    assert [s.text for s in read_document(page, keep_furniture=True)] == ["News", *body]
    # A list item is one segment exactly as given, unless the caller says it is HTML;
    # markup=False never reads text as HTML.
    assert [s.text for s in read_document(["<p>Uno</p><p>dos</p>"])] == ["<p>Uno</p><p>dos</p>"]
    assert [s.text for s in read_document(["<p>Uno</p><p>dos</p>"], input_format="html")] == [
        "Uno dos"
    ]
    assert read_document(["<b>x</b> &amp;"], markup=False)[0].text == "<b>x</b> &amp;"
    assert read_document("<p>x &amp; y</p>", markup=False)[0].text == "<p>x &amp; y</p>"


def test_every_line_end_convention_splits_lines() -> None:
    from bialign.segment import read_document

    text = "one\r\ntwo\rthree\nfour\u2028five\u2029six\x85seven"
    assert [s.text for s in read_document(text)] == [
        "one", "two", "three", "four", "five", "six", "seven"
    ]  # fmt: skip


def _clean_text_slow(text: str) -> str:
    """clean_text as specified: NFC, invisible characters out, runs of spaces in one."""
    import unicodedata

    from bialign.segment import _INVISIBLE, _SPACES

    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


_NASTY = "aé e\u0301  \t\u00a0\u2003\u3000\u200b\u2060\ufeff\x00\x07\x7f\x85ñ.¿?\n"


@given(st.text(alphabet=st.sampled_from(_NASTY) | st.characters(), max_size=60))
@settings(max_examples=400, deadline=None)
def test_clean_text_fast_path_matches_the_specification(text: str) -> None:
    assert clean_text(text) == _clean_text_slow(text)


def test_a_string_naming_a_file_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A str is a document's text; the name of an existing file passed as one is a slip for
    pathlib.Path, which would otherwise be aligned as a one-segment document."""
    page = tmp_path / "post.txt"
    page.write_text("Posted on 05/02/2026\nPublicado el 05/02/2026\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"doc is the name of a file.*pass pathlib\.Path\("):
        bialign.align(str(page))
    with pytest.raises(InputError, match=r"tgt is the name of a file"):
        bialign.align_documents(["Posted on 05/02/2026"], str(page))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(InputError, match=r"is the name of a file"):
        bialign.align("~/post.txt")
    assert [s.text for s in read_document(page)] == [
        "Posted on 05/02/2026",
        "Publicado el 05/02/2026",
    ]
    # The reader itself (and Aligner, align_many, build-dataset, which read crawled text)
    # takes any string as text.
    assert [s.text for s in read_document(str(page))] == [str(page)]
    # A one-word document with a file extension is a mistyped file name: said so, with
    # the way to align it as text if that was meant; other text is text.
    with pytest.raises(InputError, match=r"looks like the name of a file.*no such file"):
        bialign.align(str(tmp_path / "missing.txt"))
    with pytest.raises(bialign.LanguageError):
        bialign.align("The report is in missing.txt")
