"""Address evidence for document matching: keys, hints, hreflang links, and their use."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_dataset import TopicEncoder

from bialign import match_documents, url_hints
from bialign.build import InputDocument, _links
from bialign.urls import hreflang_links, normalise, url_key


@pytest.mark.parametrize(
    ("en", "es"),
    [
        ("https://www.site.com/en/2011/12345-rates/", "https://site.com/es/2011/12345-rates"),
        ("https://en.site.org/a/b", "https://es.site.org/a/b"),
        ("http://site.com/story.php?id=44&lang=en", "http://site.com/story.php?lang=es&id=44"),
        ("http://site.com/story.en.html", "http://site.com/story.es.html"),
        ("http://site.com/en-us/x", "http://site.com/es-419/x"),
        ("http://site.com/english/x", "http://site.com/español/x"),
        ("en/story-7.html", "es/story-7.html"),  # paths inside a crawl folder
    ],
)
def test_addresses_that_differ_only_in_the_language_marker_share_a_key(en: str, es: str) -> None:
    assert url_key(en, "en") is not None
    assert url_key(en, "en") == url_key(es, "es")


def test_an_address_without_a_marker_has_no_key_and_a_word_is_not_a_marker() -> None:
    assert url_key("http://site.com/x", "en") is None
    assert url_key("http://site.com/entry/esther", "en") is None  # "entry" is no marker
    assert url_key("http://site.com/es/x", "en") is None  # the other language's marker


def test_hints_name_each_kind_and_only_unambiguous_numbers() -> None:
    en = ["https://s.com/en/a-123", "https://s.com/en/b-45678", "https://t.com/p/1",
          "https://u.com/x/999", "https://u.com/y/999"]  # fmt: skip
    es = ["https://s.com/es/a-123", "https://s.com/es/otra-45678", "https://t.com/q/9",
          "https://u.com/z/999"]  # fmt: skip
    links = [{}, {}, {"es": "/q/9"}, {}, {}]  # relative, resolved against the page
    hints = url_hints(en, es, src_links=links)
    # 999 is on two English pages of u.com: no number hint from it.
    assert dict(hints.pairs) == {(0, 0): "url", (1, 1): "number", (2, 2): "hreflang"}
    # s.com pairs its pages by address, so two marked pages that do not correspond conflict.
    assert hints.about(1, 0) == "conflict"
    assert hints.about(2, 0) is None  # different sites say nothing


def test_hreflang_links_are_read_from_the_page_and_resolved(tmp_path: Path) -> None:
    html = (
        '<html><head><link rel="alternate" hreflang="es-ES" href="/es/x.html">'
        '<link rel="alternate" hreflang="x-default" href="/x.html"></head>'
        "<body><p>Hello there, this is the English page.</p></body></html>"
    )
    assert hreflang_links(html, "https://s.com/en/x.html") == {"es": "https://s.com/es/x.html"}
    page = tmp_path / "x.html"
    page.write_text(html, encoding="utf-8")
    assert _links(InputDocument("en/x.html", page)) == {"es": "/es/x.html"}
    assert normalise("/es/x.html") == normalise("es/x.html")
    assert _links(InputDocument("en/x.txt", "Just text, no markup.")) == {}


def _doc(name: str, lang: str, keys: range) -> str:
    return "\n".join(f"{lang} sentence #{name}{k} about it" for k in keys)


def test_a_hinted_pair_needs_a_smaller_share_and_a_conflicting_one_a_larger() -> None:
    # The Spanish page translates half of the English one: share about 0.67 by
    # characters, under a min_share of 0.8 set here to show the hint's effect.
    en = [_doc("a", "en", range(8))]
    es = [_doc("a", "es", range(4))]
    enc = TopicEncoder()
    assert match_documents(en, es, model=enc, min_share=0.8) == []
    hints = url_hints(["https://s.com/en/a"], ["https://s.com/es/a"])
    (m,) = match_documents(en, es, model=enc, min_share=0.8, hints=hints)
    assert (m.src, m.tgt, m.hint) == (0, 0, "url")
    # The same pages at addresses that conflict on a site that pairs by address.
    en2 = [en[0], _doc("b", "en", range(6))]
    es2 = [es[0], _doc("b", "es", range(6))]
    hints = url_hints(["https://s.com/en/z", "https://s.com/en/b"],
                      ["https://s.com/es/a", "https://s.com/es/b"])  # fmt: skip
    assert hints.about(0, 0) == "conflict"
    got = match_documents(en2, es2, model=enc, hints=hints, conflict_share=0.9)
    assert [(x.src, x.tgt, x.hint) for x in got] == [(1, 1, "url")]
    got = match_documents(en2, es2, model=enc)  # without hints both pairs match
    assert [(x.src, x.tgt) for x in got] == [(0, 0), (1, 1)]


@pytest.mark.parametrize(
    ("url", "lang", "key"),
    [
        ("https://s.com/es/que-es", "es", "s.com/que-es"),  # a slug ending in "-es"
        ("https://s.com/en/que-es", "en", "s.com/que-es"),
        ("https://s.com/blog/que-es", "es", None),
        ("https://s.com/noticias/es-oficial-el-acuerdo", "es", None),  # "es-" is a word
        ("https://s.com/zh-Hans/a", "zh", "s.com/a"),
        ("https://s.com/Story.EN.html", "en", "s.com/Story.html"),
        ("https://s.com:443/en/a", "en", "s.com/a"),
    ],
)
def test_only_real_markers_are_taken_out_of_an_address(url: str, lang: str, key: str) -> None:
    assert url_key(url, lang) == key


def test_sites_under_a_country_second_level_are_told_apart() -> None:
    # Two shops under .com.mx share a number but not a site: no hint, no conflict.
    hints = url_hints(["https://a.com.mx/en/p-5555"], ["https://b.com.mx/es/q-5555"])
    assert dict(hints.pairs) == {} and hints.about(0, 0) is None


def test_missing_addresses_and_links_are_allowed_but_not_mismatched_lengths() -> None:
    from bialign.errors import ConfigError

    assert dict(url_hints([None, ""], [None], src_links=[None, {}]).pairs) == {}
    with pytest.raises(ConfigError, match="src_links holds 2 entries for 1"):
        url_hints(["https://s.com/en/a"], ["https://s.com/es/a"], src_links=[{}, {}])


def test_a_link_finds_a_page_known_by_its_path_in_a_crawl_folder() -> None:
    en = ["en/a.html", "mirror/en/c.html"]
    es = ["es/b.html", "mirror/es/d.html"]
    links = [{"es": "https://s.com/es/b.html"}, {"es": "https://s.com/es/d.html"}]
    assert dict(url_hints(en, es, src_links=links).pairs) == {
        (0, 0): "hreflang",
        (1, 1): "hreflang",
    }


def test_a_hinted_partial_translation_is_matched_among_distractors() -> None:
    # The Spanish page translates half the English one, next to pages that each share
    # one of its sentences: unmatched on its text alone, matched with its address.
    enc = TopicEncoder()
    en = [_doc("story", "en", range(6))]
    es = [_doc("story", "es", range(3)) + "\n" + _doc("zz", "es", range(3))]
    es += [_doc("story", "es", range(k, k + 1)) + "\n" + _doc(f"o{k}", "es", range(5))
           for k in range(5)]  # fmt: skip
    got = match_documents(en, es, model=enc, candidates=1)
    assert [(m.src, m.tgt) for m in got] != [(0, 0)]
    hints = url_hints(["https://s.com/en/x"], ["https://s.com/es/x"] + [None] * 5)
    (m,) = match_documents(en, es, model=enc, candidates=1, hints=hints)
    assert (m.src, m.tgt, m.hint) == (0, 0, "url")


def test_numbered_files_of_a_crawl_folder_are_no_evidence() -> None:
    # Files saved in order share numbers by chance; only a real site's ids count.
    assert dict(url_hints(["page00012a.txt"], ["page00012b.txt"]).pairs) == {}
    hinted = url_hints(["https://s.com/en/n-123456"], ["https://s.com/es/m-123456"])
    assert dict(hinted.pairs) == {(0, 0): "number"}


def test_a_jsonl_record_has_an_address_only_when_it_gives_a_url(tmp_path: Path) -> None:
    from bialign.build import read_inputs

    path = tmp_path / "pages.jsonl"
    path.write_text(
        '{"id": "1234", "text": "An English page."}\n'
        '{"id": "a", "url": "https://s.com/en/a", "text": "Another page."}\n'
        '{"url": "https://s.com/es/a", "html": "<p>Una página.</p>"}\n',
        encoding="utf-8",
    )
    got = [(d.id, d.address) for d in read_inputs(path)]
    assert got == [("1234", ""), ("a", "https://s.com/en/a"),
                   ("https://s.com/es/a", "https://s.com/es/a")]  # fmt: skip


def test_build_dataset_matches_a_crawl_folder_by_hreflang_and_counts_it(tmp_path: Path) -> None:
    """A site saved as en/ and es/ folders, the English page declaring its translation:
    the pair is matched, and the card and build.json count the address evidence."""
    import json

    from bialign.build import build_dataset

    en = [
        "The city council approved the new budget on Monday after a long debate.",
        "The plan gives more money to schools and to public transport.",
        "Opposition members said the increase in taxes was too large.",
        "The mayor promised that the new bus lines would open next spring.",
    ]
    es = [
        "El ayuntamiento aprobó el nuevo presupuesto el lunes tras un largo debate.",
        "El plan da más dinero a las escuelas y al transporte público.",
        "Los miembros de la oposición dijeron que la subida de impuestos era excesiva.",
        "El alcalde prometió que las nuevas líneas de autobús abrirían la próxima primavera.",
    ]

    def page(lang: str, lines: list[str], link: str) -> str:
        paras = "".join(f"<p>{x}</p>" for x in lines)
        return (
            f'<html lang="{lang}"><head><title>Budget</title>{link}</head>'
            f"<body><article>{paras}</article></body></html>"
        )

    crawl = tmp_path / "crawl"
    (crawl / "en").mkdir(parents=True)
    (crawl / "es").mkdir()
    link = '<link rel="alternate" hreflang="es" href="https://city.example/es/presupuesto.html">'
    (crawl / "en" / "budget.html").write_text(page("en", en, link), encoding="utf-8")
    (crawl / "es" / "presupuesto.html").write_text(page("es", es, ""), encoding="utf-8")
    out = tmp_path / "dataset"
    summary = build_dataset(crawl, out, sizes={"train": 1.0}, progress=False)
    assert summary.matched_document_pairs == 1 and summary.match_evidence == {"hreflang": 1}
    built = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert built["match_evidence"] == {"hreflang": 1}
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "| matched pairs whose addresses also pair them (hreflang) | 1 |" in card
    # The counts are one table: no blank line before "pairs published" (nothing was
    # removed by a filter or as a duplicate here).
    table = card.split("## How many")[1].split("| pairs published")[0].strip()
    assert "\n\n" not in table
    plain = build_dataset(crawl, tmp_path / "d2", sizes={"train": 1.0}, progress=False,
                          addresses=False)  # fmt: skip
    assert plain.matched_document_pairs == 1 and plain.match_evidence == {}


_ADDRESS = st.lists(
    st.sampled_from(
        list("htps:/[]?&=.%-_#@ enesx0123") + ["http://", "//[", "www.", "/en/", "/es/"]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=300, deadline=None)
@example(["http://[::1/en/a"], ["http://[::1/es/a"], "http://[::1/x")
@given(st.lists(st.one_of(st.none(), _ADDRESS), max_size=4),
       st.lists(st.one_of(st.none(), _ADDRESS), max_size=4), _ADDRESS)  # fmt: skip
def test_no_address_breaks_the_evidence(src: list, tgt: list, href: str) -> None:
    """Crawls hold malformed addresses ("http://[::1"): they give no evidence, never an
    error."""
    links = [{"es": href} for _ in src]
    hints = url_hints(src, tgt, src_links=links)
    for i, j in hints.pairs:
        assert 0 <= i < len(src) and 0 <= j < len(tgt)
    for u in [*src, *tgt]:
        if u is not None:
            url_key(u, "en"), normalise(u)
    assert isinstance(hreflang_links(f'<link hreflang="es" href="{href}">', href), dict)


def test_a_site_that_leaves_one_language_unmarked_still_pairs_by_address() -> None:
    assert dict(url_hints(["https://s.example/story"], ["https://s.example/es/story"]).pairs) == {
        (0, 0): "url"
    }
    assert dict(url_hints(["https://s.example/a/b"], ["https://es.s.example/a/b"]).pairs) == {
        (0, 0): "url"
    }
    assert url_key("https://s.com/espa%C3%B1ol/story", "es") == "s.com/story"


def test_a_link_finds_a_wget_folder_by_its_host_and_only_html_alternates_count() -> None:
    src, tgt = ["a.example/en/x.html"], ["a.example/es/story.html", "b.example/es/story.html"]
    links = [{"es-ES": "https://a.example/es/story.html"}]  # a region, as pages write it
    assert dict(url_hints(src, tgt, src_links=links).pairs) == {(0, 0): "hreflang"}
    html = (
        '<link rel="alternate" type="application/rss+xml" hreflang="es" href="/es/feed/">'
        '<link rel="stylesheet" hreflang="es" href="/es.css">'
        '<link rel="alternate" hreflang="es" href="/es/a">'
    )
    assert hreflang_links(html, "https://s.com/en/a") == {"es": "https://s.com/es/a"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"src_urls": "https://s/en/a", "tgt_urls": ["x"]}, "src_urls must be a list"),
        ({"src_urls": ["a"], "tgt_urls": ["b"], "langs": ("en",)}, "langs must be two"),
        ({"src_urls": [123], "tgt_urls": ["b"]}, "src_urls holds 123"),
        ({"src_urls": ["a"], "tgt_urls": ["b"], "src_links": ["url"]}, "src_links holds 'url'"),
    ],
)
def test_url_hints_names_a_bad_argument(kwargs: dict, message: str) -> None:
    from bialign.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        url_hints(**kwargs)


def test_match_documents_refuses_hints_made_for_other_documents() -> None:
    from bialign import UrlHints
    from bialign.errors import ConfigError

    enc, docs = TopicEncoder(), [_doc("a", "en", range(3))]
    for hints, message in [
        ({(0, 0): "url"}, "must be a bialign.UrlHints"),
        (UrlHints({(5, 9): "url"}), r"pair \(5, 9\) outside 1 x 1"),
        (UrlHints({(0, 0): "bogus"}), "kind 'bogus'"),
        (url_hints(["a", "b"], ["c"]), "made for 2 src documents, not 1"),
    ]:
        with pytest.raises(ConfigError, match=message):
            match_documents(docs, docs, model=enc, hints=hints)  # type: ignore[arg-type]


def test_a_page_saved_twice_under_one_address_keeps_its_hint() -> None:
    # A crawl's revisits (with a fragment, over http) are one page; two different pages
    # with one key are not, and get no hint.
    es = ["https://s.com/es/a", "https://s.com/es/a#top", "http://s.com/es/a"]
    hints = url_hints(["https://s.com/en/a"], es)
    assert dict(hints.pairs) == {(0, 0): "url", (0, 1): "url", (0, 2): "url"}
    two = url_hints(["https://s.com/en/a"], ["https://s.com/es/a", "https://es.s.com/a"])
    assert two.tgt_keys[0] == two.tgt_keys[1] and dict(two.pairs) == {}


def test_addresses_in_arrays_copies_hosts_and_encodings() -> None:
    import numpy as np
    import pandas as pd

    # A numpy array or a pandas Series of addresses; NaN is a missing address.
    hints = url_hints(np.array(["https://s.com/en/a"]), pd.Series(["https://s.com/es/a", None]))
    assert dict(hints.pairs) == {(0, 0): "url"}
    assert dict(url_hints([float("nan")], ["https://s.com/es/a"]).pairs) == {}
    # An unmarked copy of a marked page is not a second translation.
    assert dict(url_hints(["s.com/en/story", "s.com/story"], ["s.com/es/story"]).pairs) == {
        (0, 0): "url"
    }
    # A wget folder named www.site.com; a link to another host finds nothing.
    src, tgt = ["www.site.com/en/x.html"], ["www.site.com/es/y.html", "www.other.com/es/y.html"]
    links = [{"es": "https://site.com/es/y.html"}]
    assert dict(url_hints(src, tgt, src_links=links).pairs) == {(0, 0): "hreflang"}
    other = [{"es": "https://b.example/es/story.html"}]
    assert dict(url_hints(["a.example/en/x.html"], ["a.example/es/story.html"],
                          src_links=other).pairs) == {}  # fmt: skip
    # A regional code in langs, and percent-encoding against the raw character.
    hint = url_hints(["https://s.com/en/a"], ["https://s.com/es/b"], ("en", "es-MX"),
                     src_links=[{"es": "https://s.com/es/b"}])  # fmt: skip
    assert dict(hint.pairs) == {(0, 0): "hreflang"}
    assert dict(url_hints(["https://s.com/en/caf%C3%A9"], ["https://s.com/es/café"]).pairs) == {
        (0, 0): "url"
    }


def test_bad_hints_fail_before_anything_is_embedded() -> None:
    from bialign import UrlHints
    from bialign.errors import ConfigError

    class Refuses:
        def encode(self, texts: list[str]) -> None:
            raise AssertionError("embedded before the hints were checked")

    with pytest.raises(ConfigError, match="outside"):
        match_documents(["a b"], ["c d"], model=Refuses(), hints=UrlHints({(3, 3): "url"}))  # type: ignore[arg-type]
