"""The HTML report and the similarity plot; the report is also checked in headless Chromium.

The browser tests need Debian's ``chromium`` and ``chromium-driver`` (installed by
``tests/install_browser.sh``, the first step of the README's test command). Where they are
missing the tests are skipped with that reason. Screenshots are kept in ``test-artifacts/``
(or ``$BIALIGN_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bialign
from bialign.cli import main
from bialign.corpus import ParallelCorpus
from bialign.report import render_report

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("BIALIGN_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

HOSTILE = [
    "The minister spoke at the summit on Tuesday about the budget.",
    "El ministro habló en la cumbre el martes sobre el presupuesto.",
    '<script>window.pwned = 1;</script><img src="x" onerror="window.pwned = 2">',
    "Read more: <b>bold</b> & \"quotes\" 'here'",
    'Leer más: <b>negrita</b> & "comillas"',
]


@pytest.fixture(scope="module")
def example_corpus(data_dir: Path) -> ParallelCorpus:
    return bialign.align(data_dir / "examples" / "bilingual_news_post.txt")


@pytest.fixture(scope="module")
def long_corpus(flores: tuple[list[str], list[str]]) -> ParallelCorpus:
    """A 600-line mixed document: blocks of five English lines, then their Spanish."""
    en, es = flores
    lines: list[str] = []
    for k in range(0, 300, 5):
        lines += en[k : k + 5] + es[k : k + 5]
    return bialign.align(lines)


def _bead_rows(page: str) -> list[str]:
    return re.findall(r'<tr class="bead[^"]*"', page)


def test_report_has_one_row_per_bead_and_und_lines_in_place(
    example_corpus: ParallelCorpus,
) -> None:
    page = render_report(example_corpus)
    assert len(_bead_rows(page)) == len(example_corpus.beads) == 31
    und = [s for s in example_corpus.segments if s.lang == "und"]
    assert page.count('<tr class="und"') == len(und) == 1
    # Rows follow the document: SOURCE: EFE (line 33) comes after the last line before it.
    assert page.index("SOURCE: EFE") > page.index("Publicado el 05/02/2026")
    assert 'id="sum-pairs">1<' in page
    assert "1-0: 29" in page and "1-1: 1" in page and "0-1: 1" in page


def test_report_escapes_text_and_needs_no_network() -> None:
    corpus = bialign.align(HOSTILE, markup=False)  # keep the markup: it must stay inert
    page = render_report(corpus, title="<i>t</i>")
    assert "<script>window.pwned" not in page
    assert "&lt;script&gt;window.pwned" in page
    assert 'onerror="window' not in page
    assert "<i>t</i>" not in page
    # Self-contained: nothing is loaded from anywhere, and the policy forbids it.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "default-src 'none'" in page


def test_report_for_two_documents_and_cli(tmp_path: Path) -> None:
    src = ["The minister spoke on Tuesday.", "2024", "Prices rose by 3 percent."]
    tgt = ["El ministro habló el martes.", "Los precios subieron un 3 por ciento."]
    corpus = bialign.align_documents(src, tgt)
    page = render_report(corpus)
    assert len(_bead_rows(page)) == len(corpus.beads)
    assert "Prices rose by 3 percent." in page and "Los precios subieron" in page
    (tmp_path / "a.txt").write_text("\n".join(src), encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(tgt), encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(out)]) == 0
    assert len(_bead_rows(out.read_text(encoding="utf-8"))) == len(corpus.beads)


def test_multi_segment_beads_are_grouped() -> None:
    corpus = bialign.align_documents(
        [
            "The weather was cold in Madrid this week.",
            "The committee met on Monday. It approved the new budget for schools.",
            "The mayor thanked the teachers for their work.",
        ],
        [
            "Hizo frío en Madrid esta semana.",
            "El comité se reunió el lunes.",
            "Aprobó el nuevo presupuesto para las escuelas.",
            "El alcalde agradeció a los profesores su trabajo.",
        ],
    )
    assert [b.kind for b in corpus.beads] == ["1-1", "1-2", "1-1"]
    page = render_report(corpus)
    assert len(re.findall(r'<tr class="bead pair multi" data-kind="1-2"', page)) == 1
    assert len(re.findall(r'<tr class="bead pair" data-kind="1-1"', page)) == 2
    assert page.count('<div class="seg"') == 7


def test_plot_writes_png_and_downsamples(
    tmp_path: Path, example_corpus: ParallelCorpus, long_corpus: ParallelCorpus
) -> None:
    pytest.importorskip("matplotlib")
    from bialign.plot import pooled_similarity

    for name, corpus, cells in (("ex", example_corpus, 600), ("long", long_corpus, 100)):
        path = tmp_path / f"{name}.png"
        corpus.plot(path, max_cells=cells)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    src, tgt = long_corpus.src_embeddings, long_corpus.tgt_embeddings
    assert src is not None and tgt is not None
    pooled = pooled_similarity(src, tgt, 100)
    assert len(src) == len(tgt) == 300
    assert pooled.shape == (100, 100)
    full = src @ tgt.T
    assert pooled[0, 0] == pytest.approx(full[:3, :3].max(), abs=1e-5)
    assert pooled.max() == pytest.approx(full.max(), abs=1e-5)
    long_corpus.filter(0.3).plot(tmp_path / "filtered.png")  # keeps the streams
    by_hand = ParallelCorpus(long_corpus.beads, long_corpus.segments, long_corpus.segments)
    with pytest.raises(bialign.BialignError, match="no embeddings"):
        by_hand.plot(tmp_path / "x.png")


# -- in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium or ChromeDriver not installed; run tests/install_browser.sh")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bialign-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=1200,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver: Any, corpus: ParallelCorpus, path: Path) -> None:
    corpus.to_html(path)
    driver.get(path.resolve().as_uri())


def _visible_pairs(driver: Any) -> int:
    return int(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#beads tr.pair'))"
            ".filter(r => r.offsetParent !== null).length"
        )
    )


def _set_filter(driver: Any, value: str) -> None:
    box = driver.find_element("id", "min-score")
    box.clear()
    box.send_keys(value)


def test_browser_example_post(browser: Any, tmp_path: Path, example_corpus: ParallelCorpus) -> None:
    _open(browser, example_corpus, tmp_path / "example.html")
    rows = browser.find_elements("css selector", "#beads tr.bead")
    assert len(rows) == len(example_corpus.beads)
    pairs = browser.find_elements("css selector", "#beads tr.pair")
    assert len(pairs) == 1
    assert "Posted on 05/02/2026 at 19:14" in pairs[0].text
    assert "Publicado el 05/02/2026 a las 19:14" in pairs[0].text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report_example.png"))
    # The dateline pair scores 0.518: a filter at 0.6 hides it, at 0.5 shows it again.
    _set_filter(browser, "0.6")
    assert not pairs[0].is_displayed()
    assert browser.find_element("id", "shown").text == "0 of 1 pairs shown"
    _set_filter(browser, "0.5")
    assert pairs[0].is_displayed()


def test_browser_long_document_filter(
    browser: Any, tmp_path: Path, long_corpus: ParallelCorpus
) -> None:
    _open(browser, long_corpus, tmp_path / "long.html")
    rows = browser.find_elements("css selector", "#beads tr.bead")
    assert len(rows) == len(long_corpus.beads)
    scores = [p.score for p in long_corpus.pairs]
    assert len(scores) > 250
    assert _visible_pairs(browser) == len(scores)
    cut = sorted(scores)[len(scores) // 2]
    _set_filter(browser, f"{cut:.4f}")
    expected = sum(round(s, 4) >= round(cut, 4) for s in scores)
    assert _visible_pairs(browser) == expected < len(scores)
    browser.find_element("id", "show-unaligned").click()
    hidden = browser.execute_script(
        "return document.querySelectorAll('#beads tr.unaligned.hidden').length"
    )
    assert hidden == len(long_corpus.beads) - len(scores)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report_long.png"))


def test_browser_hostile_text_stays_inert(browser: Any, tmp_path: Path) -> None:
    _open(browser, bialign.align(HOSTILE, markup=False), tmp_path / "hostile.html")
    assert browser.execute_script("return window.pwned === undefined")
    assert "<script>window.pwned = 1;</script>" in browser.find_element("id", "beads").text
