"""Readers by kind of input: HTML pages, wrapped plain text, one segment per line."""

from __future__ import annotations

import textwrap
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bialign
from bialign.readers import detect_format, is_hard_wrapped, read_html, read_text
from bialign.segment import read_document

EN = [
    "The regional government approved on Tuesday a plan to rebuild the old harbour, "
    "which was damaged by the storms of last winter and has been closed since March.",
    "Fishermen said the work should start before the summer, when the boats return.",
]
ES = [
    "El gobierno regional aprobó el martes un plan para reconstruir el viejo puerto, "
    "dañado por los temporales del invierno pasado y cerrado desde marzo.",
    "Los pescadores dijeron que las obras deberían empezar antes del verano, cuando "
    "vuelven los barcos.",
]

FURNITURE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour plan | The Daily Planet</title>
<style>p {{ color: red }}</style><script>var x = "<p>Share on Facebook</p>";</script></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/es">Leer en español</a></li>
</ul></nav></header>
<div class="cookie-banner"><a href="/cookies">We use cookies</a></div>
{body}
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Compartir en Twitter</a></div>
<p class="read-more"><a href="/more">Read more: the port in numbers</a></p>
<aside><h3>Most read</h3><p>A story from another page about something else.</p></aside>
<footer><p>© 2026 The Daily Planet. All rights reserved.</p></footer>
<!-- a comment with <p>hidden text</p> -->
</body></html>
"""


def _p(text: str, lang: str = "") -> str:
    attr = f' lang="{lang}"' if lang else ""
    wrapped = textwrap.fill(text, width=60).replace("\n", "\n      ")
    return f"  <p{attr}>\n      {wrapped}\n  </p>"


def _texts(doc: object, **kw: object) -> list[str]:
    return [s.text for s in read_document(doc, **kw)]


# -- HTML layouts ------------------------------------------------------------------------


def test_interleaved_page_gives_whole_paragraphs_and_no_furniture() -> None:
    body = "\n".join(_p(e) + "\n" + _p(s, "es") for e, s in zip(EN, ES, strict=True))
    page = FURNITURE.format(body=f"<main><article>\n{body}\n</article></main>")
    assert _texts(page) == [EN[0], ES[0], EN[1], ES[1]]
    segs = read_document(page)
    assert [s.lang_hint for s in segs] == ["", "es", "", "es"]


def test_keep_furniture_keeps_everything_visible_but_never_scripts_or_comments() -> None:
    body = _p(EN[0]) + _p(ES[0], "es")
    texts = _texts(FURNITURE.format(body=body), keep_furniture=True)
    assert texts[0] == "Harbour plan | The Daily Planet"
    assert {"Home", "Leer en español", "Share on Facebook Compartir en Twitter"} <= set(texts)
    assert EN[0] in texts and ES[0] in texts
    joined = " ".join(texts)
    assert "var x" not in joined and "hidden text" not in joined and "color: red" not in joined


def test_table_cells_are_units() -> None:
    rows = "".join(
        f"<tr>\n<td>\n  {textwrap.fill(e, 50)}\n</td><td>{textwrap.fill(s, 50)}</td></tr>"
        for e, s in zip(EN, ES, strict=True)
    )
    page = FURNITURE.format(body=f"<article><table>{rows}</table></article>")
    assert _texts(page) == [EN[0], ES[0], EN[1], ES[1]]


def test_sequential_page_with_translated_headings() -> None:
    body = (
        "<article><h1>Harbour to be rebuilt</h1>" + "".join(_p(e) for e in EN)
        + '<div lang="es"><h1>El puerto será reconstruido</h1>'
        + "".join(_p(s) for s in ES) + "</div></article>"
    )  # fmt: skip
    texts = _texts(FURNITURE.format(body=body))
    assert texts == ["Harbour to be rebuilt", *EN, "El puerto será reconstruido", *ES]
    assert [s.lang_hint for s in read_document(FURNITURE.format(body=body))][-3:] == ["es"] * 3


def test_br_breaks_lines_but_rejoins_a_sentence_broken_in_the_middle() -> None:
    page = (
        "<p>Posted on 05/02/2026<br>Publicado el 05/02/2026</p>"
        "<p>one sentence that<br>goes on here.</p>"
    )
    assert [u.text for u in read_html(page, keep_furniture=True)] == [
        "Posted on 05/02/2026",
        "Publicado el 05/02/2026",
        "one sentence that goes on here.",
    ]


def test_entities_whitespace_and_pre() -> None:
    page = (
        "<div>Prices&nbsp;rose 3&#8201;% &amp;   wages\n\t fell &lt;a&gt;</div>"
        "<pre>First line\n  Second line</pre>"
    )
    assert _texts(page, keep_furniture=True) == [
        "Prices rose 3 % & wages fell <a>",  # no-break and thin spaces: spaces in a segment
        "First line",
        "Second line",
    ]


def test_broken_html_keeps_its_text() -> None:
    page = (
        "<html><body><div><p>Unclosed paragraph with <b>bold and <i>italic"
        "<p>If a < b and c >d the loop stops.<p>Stray </span> end tag & a lone ampersand"
        "<li>item outside a list</div></body>"
    )
    assert _texts(page, keep_furniture=True) == [
        "Unclosed paragraph with bold and italic",
        "If a < b and c >d the loop stops.",
        "Stray end tag & a lone ampersand",
        "item outside a list",
    ]


def test_deeply_nested_page_does_not_overflow_the_stack() -> None:
    page = "<div>" * 5_000 + "Deep text." + "</div>" * 5_000
    assert _texts(page, input_format="html", keep_furniture=True) == ["Deep text."]


def test_a_page_of_furniture_only_is_a_clear_error() -> None:
    page = FURNITURE.format(body="")
    with pytest.raises(bialign.EmptyDocumentError, match="page furniture"):
        read_document(page)
    with pytest.raises(bialign.EmptyDocumentError, match="keep_furniture=True"):
        bialign.align(page)


def test_ten_megabyte_page_is_read_in_seconds(tmp_path: Path) -> None:
    pair = _p(EN[0]) + "\n" + _p(ES[0], "es") + "\n"
    path = tmp_path / "big.html"
    path.write_text(
        "<!DOCTYPE html><html><body><article>" + pair * (10_000_000 // len(pair))
        + "</article></body></html>", encoding="utf-8",
    )  # fmt: skip
    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        segs = read_document(path)
    assert time.perf_counter() - t < 60
    assert len(segs) > 20_000 and segs[0].text == EN[0] and segs[1].text == ES[0]
    assert any("main-content extractor" in str(w.message) for w in caught)


@pytest.mark.parametrize(
    "meta",
    ['<meta charset="iso-8859-1">', '<meta http-equiv="Content-Type" content="text/html; '
     'charset=windows-1252">', "<meta charset=latin1>"],
)  # fmt: skip
def test_page_in_the_encoding_its_meta_declares(tmp_path: Path, meta: str) -> None:
    page = f"<html><head>{meta}</head><body><p>El ministro habló del café “hoy”.</p></body></html>"
    path = tmp_path / "latin.html"
    path.write_bytes(page.encode("cp1252"))
    assert _texts(path, keep_furniture=True) == ["El ministro habló del café “hoy”."]


def test_undecodable_page_names_the_declared_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(b'<meta charset="utf-8"><p>caf\xe9</p>')
    with pytest.raises(bialign.InputError, match="not valid UTF-8: byte 0xe9"):
        read_document(path)
    path.write_bytes(b'<meta charset="no-such-codec"><p>x</p>')
    with pytest.raises(bialign.InputError, match="unknown encoding 'no-such-codec'"):
        read_document(path)


# -- choosing a reader -------------------------------------------------------------------


def test_format_is_detected_from_extension_then_content(tmp_path: Path) -> None:
    assert detect_format("<p>x</p>") == "html"
    assert detect_format("<!DOCTYPE html><title>x</title>") == "html"
    assert detect_format("If a<b and c>d then the loop stops.") == "text"
    assert detect_format("<p>x</p>", tmp_path / "notes.txt") == "text"
    assert detect_format("plain", tmp_path / "page.htm") == "html"


def test_plain_text_never_loses_characters_to_markup(tmp_path: Path) -> None:
    line = "If a<b and c>d then the loop stops."
    path = tmp_path / "loop.txt"
    path.write_text(f"{line}\nSi a<b y c>d, el bucle se detiene.\n", encoding="utf-8")
    assert _texts(path) == [line, "Si a<b y c>d, el bucle se detiene."]
    # Even a .txt that quotes HTML stays as written.
    path.write_text("Write <p>text</p> &amp; close it.\n", encoding="utf-8")
    assert _texts(path) == ["Write <p>text</p> &amp; close it."]


def test_input_format_overrides_detection() -> None:
    html = "<p>one &amp; two</p>\n<p>three</p>"
    assert _texts(html, input_format="lines") == ["<p>one &amp; two</p>", "<p>three</p>"]
    assert _texts(html, input_format="html", keep_furniture=True) == ["one & two", "three"]
    with pytest.raises(bialign.InputError, match="input_format must be one of"):
        read_document("x", input_format="pdf")
    with pytest.raises(ValueError, match="input_format"):
        bialign.Aligner(input_format="pdf")


# -- plain text ---------------------------------------------------------------------------


def _wrapped(width: int) -> str:
    paras = ["Posted on 05/02/2026 at 19:14", "Publicado el 05/02/2026 a las 19:14"]
    paras += [p for pair in zip(EN, ES, strict=True) for p in pair]
    head = "\n".join(paras[:2])
    return head + "\n\n" + "\n\n".join(textwrap.fill(p, width) for p in paras[2:]) + "\n"


@pytest.mark.parametrize("width", [60, 72, 80])
def test_hard_wrapped_text_is_rejoined_into_paragraphs(width: int) -> None:
    text = _wrapped(width)
    assert is_hard_wrapped(text.splitlines())
    assert _texts(text) == [
        "Posted on 05/02/2026 at 19:14", "Publicado el 05/02/2026 a las 19:14",
        EN[0], ES[0], EN[1], ES[1],
    ]  # fmt: skip


def test_wrapped_paragraphs_without_blank_lines_end_where_the_next_word_would_fit() -> None:
    text = "\n".join(textwrap.fill(p, 72) for p in (EN[0], ES[0], EN[1], ES[1]))
    assert [u.text for u in read_text(text)] == [EN[0], ES[0], EN[1], ES[1]]


def test_one_segment_per_line_stays_one_per_line(data_dir: Path) -> None:
    example = data_dir / "examples" / "bilingual_news_post.txt"
    lines = [x.strip() for x in example.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert not is_hard_wrapped(lines)
    assert _texts(example) == lines
    subtitles = "I told him that\nhe should leave.\nHe never did\nand we waited.\n"
    assert _texts(subtitles) == ["I told him that", "he should leave.", "He never did",
                                 "and we waited."]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab <>&;.\n\n"), max_size=300))
def test_text_reader_keeps_every_character(text: str) -> None:
    units = read_text(text)
    assert "".join("".join(u.text for u in units).split()) == "".join(text.split())


# -- end to end ---------------------------------------------------------------------------


def test_page_aligns_paragraphs_and_pairs_no_furniture(tmp_path: Path) -> None:
    body = "\n".join(_p(e) + "\n" + _p(s, "es") for e, s in zip(EN, ES, strict=True))
    path = tmp_path / "page.html"
    path.write_text(FURNITURE.format(body=f"<article>{body}</article>"), encoding="utf-8")
    corpus = bialign.align(path)
    assert [(p.src_text, p.tgt_text) for p in corpus.pairs] == list(zip(EN, ES, strict=True))
    sentences = bialign.align(path, split="sentences")
    assert {(p.src_text, p.tgt_text) for p in sentences.pairs} >= {(EN[1], ES[1])}


def test_one_huge_line_suggests_sentence_splitting() -> None:
    en = "The committee approved the budget after a long debate on Tuesday. " * 150
    es = "El comité aprobó el presupuesto tras un largo debate el martes. " * 150
    with pytest.raises(bialign.LanguageError, match=r'split="sentences" \(--split sentences'):
        bialign.align(en + es)
    with pytest.raises(bialign.LanguageError, match=r"segments per language: \{'en': 3"):
        bialign.align("One line in English.\nAnother line here.\nAnd a third one.")
    corpus = bialign.align([en, es])
    assert any('split="sentences"' in w for w in corpus.warnings)


def test_sentence_granularity_pairs_sentences_inside_paragraph_pairs() -> None:
    en = [
        "The regional government approved a plan to rebuild the old harbour. "
        "It was damaged by the storms of last winter.",
        "Fishermen said the work should start before the summer.",
    ]
    es = [
        "El gobierno regional aprobó un plan para reconstruir el viejo puerto. "
        "Fue dañado por los temporales del invierno pasado.",
        "Los pescadores dijeron que las obras deberían empezar antes del verano.",
    ]
    page = (
        "<article>"
        + "".join(f"<p>{e}</p><p>{s}</p>" for e, s in zip(en, es, strict=True))
        + "</article>"
    )
    corpus = bialign.align(page, granularity="sentence")
    assert [(p.src_text, p.tgt_text, p.paragraph) for p in corpus.pairs] == [
        ("The regional government approved a plan to rebuild the old harbour.",
         "El gobierno regional aprobó un plan para reconstruir el viejo puerto.", 0),
        ("It was damaged by the storms of last winter.",
         "Fue dañado por los temporales del invierno pasado.", 0),
        (en[1], es[1], 1),
    ]  # fmt: skip
    assert [(b.src_text, b.tgt_text) for b in corpus.paragraph_beads] == list(
        zip(en, es, strict=True)
    )
    # Indices point at the sentence-level segments; the records name the paragraph.
    for p in corpus.pairs:
        assert " ".join(corpus.segments[i].text for i in p.src) == p.src_text
        assert " ".join(corpus.segments[j].text for j in p.tgt) == p.tgt_text
    assert corpus.to_records()[1]["paragraph"] == 0
    assert corpus.src_embeddings is not None and len(corpus.src_stream) == 3
    # A pair's sentences carry its confidence, so every threshold treats them alike.
    para = corpus.paragraph_beads
    assert [p.confidence for p in corpus.pairs] == [
        para[0].confidence,
        para[0].confidence,
        para[1].confidence,
    ]
    assert all(p.confidence is not None for p in corpus.pairs)
    with pytest.raises(ValueError, match="granularity"):
        bialign.Aligner(granularity="word")


def test_sentence_granularity_keeps_a_pair_whole_when_its_sentences_do_not_align() -> None:
    en = ["The minister resigned on Monday. Nobody expected it. Markets fell."]
    es = ["El ministro dimitió el lunes, algo que nadie esperaba y que hundió los mercados."]
    corpus = bialign.align_documents(en, es, granularity="sentence")
    assert [(p.src_text, p.tgt_text, p.paragraph) for p in corpus.pairs] == [(en[0], es[0], 0)]


def test_lang_attribute_decides_only_where_the_detector_is_unsure() -> None:
    from bialign.langid import LangLabel
    from bialign.pipeline import _with_hint

    langs = ("en", "es")
    assert _with_hint(LangLabel("en", 0.6), "es", langs) == LangLabel("es", 0.6)
    assert _with_hint(LangLabel("en", 0.99), "es", langs).lang == "en"  # sure: kept
    assert _with_hint(LangLabel("und", 1.0), "es", langs).lang == "und"  # never a language
    assert _with_hint(LangLabel("en", 0.6), "fr", langs).lang == "en"  # not one of ours
    assert _with_hint(LangLabel("en", 0.6), "", langs).lang == "en"


def test_a_glossary_table_of_short_cells_is_main_content() -> None:
    """trafilatura keeps the table but writes each row as "| cell | cell |": its cells
    count as lines of their own, so short cells are kept, and the page's navigation and
    footer are still left out."""
    rows = [("Opening hours", "Horario de apertura"), ("Check-in time", "Hora de entrada"),
            ("Breakfast", "Desayuno"), ("Swimming pool", "Piscina"), ("Parking", "Aparcamiento"),
            ("Room service", "Servicio de habitaciones"), ("Front desk", "Recepción")]  # fmt: skip
    page = (
        "<html><body><nav><a href='/'>Home</a> <a href='/es'>Español</a></nav><main>"
        "<h1>Hotel glossary</h1><table>"
        + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
        + "</table></main><footer>Copyright 2026 Hotel Sol</footer></body></html>"
    )
    corpus = bialign.align(page)
    assert [(p.src_text, p.tgt_text) for p in corpus.pairs] == rows
    texts = [s.text for s in corpus.segments]
    assert "Home" not in texts and not any("Copyright" in t for t in texts)
