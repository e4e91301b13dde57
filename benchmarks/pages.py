"""Real pages in, clean pairs out: bilingual HTML pages and wrapped text built from public news.

    python benchmarks/pages.py [--data ../shared/data] [--split dev|test] [--pages 60]

Pages are built from WMT newstest 2008-2011 documents and python_docs_es documents in
five layouts: ``interleaved`` (each English <p> followed by its Spanish one),
``table`` (a two-column EN | ES table), ``sequential`` (the whole article, then its
translation under a translated <h1>), ``partial`` (interleaved, some paragraphs left
untranslated) and ``text72`` (plain text hard-wrapped at 60-80 columns). Text inside
<p> and cells is hard-wrapped and indented as CMS output often is. Every HTML page gets
furniture: doctype, <title>, a nav menu, a cookie banner, share buttons, a "read more"
link, a "most read" aside, a newsletter box, a footer, scripts, styles, comments, a
one-language caption, and one true boilerplate pair (a dateline in both languages).
Source documents are split into dev and test by a hash of their id.

The metric is independent of segmentation: texts are normalised (entities decoded,
whitespace removed, case folded). A predicted pair is correct when each side lies in
the paragraphs of one gold pair, is made of whole gold sentences, and the two sides
cover the same sentence positions (a sentence pair inside a paragraph pair counts).
Precision is over predicted pairs; recall over the characters of gold-paired
paragraphs covered by correct pairs. Pairs that touch furniture and sides whose text is
not in the page are counted. The metric checks itself: the gold pairs score 1.0 and
pairing the k-th wrapped line of each English paragraph with the k-th line of its
Spanish one scores near 0.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import sys
import tempfile
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CachedEncoder, Timer, fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

import bialign  # noqa: E402
from bialign import boilerplate  # noqa: E402

LAYOUTS = ("interleaved", "table", "sequential", "partial", "text72")
YEARS = ("news-test2008", "newstest2009", "newstest2010", "newstest2011")
MAX_PARAS = 8


def norm(text: str) -> str:
    return "".join(html.unescape(text).split()).casefold()


@dataclass
class GoldPair:
    en: list[str]  # sentences
    es: list[str]

    @property
    def en_text(self) -> str:
        return " ".join(self.en)

    @property
    def es_text(self) -> str:
        return " ".join(self.es)


@dataclass
class Page:
    name: str
    source: str
    layout: str
    split: str
    content: str
    suffix: str
    gold: list[GoldPair]
    furniture: list[str]
    texts: list[str] = field(default_factory=list)  # every visible text, in page order


# -- sources ----------------------------------------------------------------------------


def sources(data: Path) -> list[tuple[str, list[GoldPair]]]:
    """(document id, paragraph pairs with their sentences) from WMT and the Python docs."""
    out: list[tuple[str, list[GoldPair]]] = []
    for year in YEARS:
        for k, doc in enumerate(load_docs(data, year)):
            paras = [GoldPair([e for e, _ in p], [s for _, s in p]) for p in doc]
            if len(paras) >= 3:
                out.append((f"{year}/{k}", paras[:MAX_PARAS]))
    by_doc: dict[str, list[GoldPair]] = defaultdict(list)
    for f in sorted((data / "python_docs_es").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            en, es = " ".join(r["en"].split()), " ".join(r["es"].split())
            # Prose paragraphs only (no reST directives or code); sentences unknown, so a
            # paragraph counts as one sentence.
            if len(en) >= 60 and len(es) >= 60 and "::" not in en and ">>>" not in en:
                by_doc[r["doc"]].append(GoldPair([en], [es]))
    for doc, paras in by_doc.items():
        for k in range(0, len(paras) - 2, MAX_PARAS):
            chunk = paras[k : k + MAX_PARAS]
            if len(chunk) >= 3:
                out.append((f"{doc}/{k}", chunk))
    return out


def split_of(doc_id: str) -> str:
    return "dev" if hashlib.md5(doc_id.encode()).digest()[0] % 2 == 0 else "test"


# -- page building ----------------------------------------------------------------------

SITE = "The Daily Planet"
STYLE = "body{font-family:Georgia,serif;max-width:40em} .cookie{position:fixed;bottom:0}"
SCRIPT = (
    "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}"
    " var label = 'Share on Facebook'; if (a < b && c > d) { gtag('js', new Date()); }"
)


def _wrap(text: str, width: int, indent: str) -> str:
    lines = textwrap.wrap(html.escape(text, quote=False), width=width) or [""]
    return ("\n" + indent).join(lines)


def build_page(
    doc_id: str, paras: list[GoldPair], layout: str, rng: random.Random, other: list[str]
) -> Page:
    width = rng.choice((60, 72, 80))
    day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2011"
    hh = f"{rng.randint(7, 22)}:{rng.randint(0, 59):02d}"
    dateline = GoldPair([f"Posted on {day} at {hh}"], [f"Publicado el {day} a las {hh}"])
    caption = rng.choice(other)
    gold = [dateline]
    untranslated: set[int] = set()
    if layout == "partial":
        untranslated = {k for k in range(1, len(paras)) if rng.random() < 0.3}
    gold += [p for k, p in enumerate(paras) if k not in untranslated]
    name = f"{layout}-{hashlib.md5(doc_id.encode()).hexdigest()[:8]}"
    if layout == "text72":
        parts = [dateline.en_text, dateline.es_text, ""]
        texts = [dateline.en_text, dateline.es_text]
        for p in paras:
            for t in (p.en_text, p.es_text):
                parts += [textwrap.fill(t, width=width), ""]
                texts.append(t)
        return Page(name, doc_id, layout, split_of(doc_id), "\n".join(parts), ".txt", gold, [],
                    texts)  # fmt: skip

    headline = paras[0]
    furniture = [
        f"{headline.en_text[:60]} | {SITE}", SITE, "Home", "World", "Business", "Opinion",
        "Leer en español", "We use cookies to improve your experience on our site. By "
        "continuing to browse you accept our cookie policy.", "Accept", "Share on Facebook",
        "Compartir en Twitter", "Share by email", f"Read more: {other[0][:80]}", "Most read",
        other[1][:90], other[2][:90], "Suscríbete a nuestro boletín y recibe las noticias "
        "cada mañana.", f"© 2011 {SITE}. All rights reserved.", "Todos los derechos "
        "reservados.", "Related stories will load here", SCRIPT, STYLE,
    ]  # fmt: skip
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{e(furniture[0])}</title>",
        f"<style>{STYLE}</style>",
        f"<script>{SCRIPT}</script>",
        "</head>",
        "<body>",
        f'<header class="site-header"><div class="logo"><a href="/">{SITE}</a></div>',
        '<nav class="main-menu"><ul>'
        + "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in furniture[2:6])
        + '<li><a href="/es/" hreflang="es">Leer en español</a></li></ul></nav></header>',
        f'<div id="cookie-banner" class="cookie"><p>{furniture[7]}</p>'
        "<button>Accept</button></div>",
        "<main>",
        '<article class="story">',
    ]
    texts: list[str] = []

    def para(tag: str, text: str, lang: str = "", klass: str = "") -> None:
        attrs = (f' lang="{lang}"' if lang and rng.random() < 0.5 else "") + (
            f' class="{klass}"' if klass else ""
        )
        out.append(f"  <{tag}{attrs}>\n    {_wrap(text, width, '    ')}\n  </{tag}>")
        texts.append(text)

    para("p", dateline.en_text, klass="dateline")
    para("p", dateline.es_text, "es", klass="dateline")
    out.append('  <figure><img src="/img/photo.jpg" alt="">')
    out.append(f"  <figcaption>{e(caption)}</figcaption></figure>")
    texts.append(caption)
    body = paras[1:]
    if layout in ("interleaved", "partial"):
        para("h1", headline.en_text)
        para("h2", headline.es_text, "es")
        for k, p in enumerate(body, start=1):
            para("p", p.en_text)
            if k not in untranslated:
                para("p", p.es_text, "es")
    elif layout == "table":
        para("h1", headline.en_text)
        para("h2", headline.es_text, "es")
        out.append('  <table class="bilingual">\n  <tr><th>English</th><th>Español</th></tr>')
        texts += ["English", "Español"]
        for p in body:
            out.append(
                f"  <tr>\n    <td>{_wrap(p.en_text, width, '      ')}</td>\n"
                f"    <td>{_wrap(p.es_text, width, '      ')}</td>\n  </tr>"
            )
            texts += [p.en_text, p.es_text]
        out.append("  </table>")
    else:  # sequential
        para("h1", headline.en_text)
        for p in body:
            para("p", p.en_text)
        out.append('  <div class="translation">')
        para("h1", headline.es_text, "es")
        for p in body:
            para("p", p.es_text, "es")
        out.append("  </div>")
    out += [
        f"  <!-- {furniture[19]}: <p>{e(other[3][:60])}</p> -->",
        '  <div class="share-buttons">'
        + "".join(f'<a href="#" class="share">{w}</a> ' for w in furniture[9:12])
        + "</div>",
        f'  <p class="read-more"><a href="/more">{e(furniture[12])}</a></p>',
        "</article>",
        "</main>",
        f'<aside class="sidebar"><h3>{furniture[13]}</h3><ul><li><a href="/a">'
        f'{e(furniture[14])}</a></li><li><a href="/b">{e(furniture[15])}</a></li></ul></aside>',
        f'<div class="newsletter"><p>{furniture[16]}</p><form><input type="email">'
        "<button>OK</button></form></div>",
        f"<footer><p>{e(furniture[17])}</p><p>{furniture[18]}</p></footer>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return Page(name, doc_id, layout, split_of(doc_id), "\n".join(out) + "\n", ".html", gold,
                furniture, texts + furniture)  # fmt: skip


def build_pages(data: Path, seed: int) -> list[Page]:
    rng = random.Random(seed)
    docs = sources(data)
    rng.shuffle(docs)
    all_es = [p.es_text for _, paras in docs for p in paras if len(p.es_text) < 200]
    pages = []
    for k, (doc_id, paras) in enumerate(docs):
        other = rng.sample(all_es, 4)
        pages.append(build_page(doc_id, paras, LAYOUTS[k % len(LAYOUTS)], rng, other))
    return pages


# -- the metric -------------------------------------------------------------------------


@dataclass
class Score:
    pairs: int = 0
    correct: int = 0
    covered: int = 0
    gold_chars: int = 0
    furniture_pairs: int = 0
    not_in_page: int = 0
    mid_sentence: int = 0  # inside a gold pair's paragraphs but cut mid-sentence
    paragraphs_with_pairs: int = 0
    gold_paragraphs: int = 0
    multi_sentence: int = 0  # gold pairs of more than one sentence on each side
    sentence_paired: int = 0  # ... paired by pairs smaller than the paragraph

    def add(self, other: Score) -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def precision(self) -> float:
        return self.correct / self.pairs if self.pairs else 0.0

    @property
    def recall(self) -> float:
        return self.covered / self.gold_chars if self.gold_chars else 0.0


def _bounds(sents: list[str]) -> list[int]:
    out = [0]
    for s in sents:
        out.append(out[-1] + len(norm(s)))
    return out


def _occurrences(hay: str, needle: str) -> list[int]:
    out, k = [], hay.find(needle)
    while k >= 0 and needle:
        out.append(k)
        k = hay.find(needle, k + 1)
    return out


def score_page(page: Page, pairs: list[tuple[str, str]]) -> Score:
    sc = Score(pairs=len(pairs), gold_paragraphs=len(page.gold))
    gold = [(norm(g.en_text), norm(g.es_text), _bounds(g.en), _bounds(g.es)) for g in page.gold]
    sc.gold_chars = sum(len(e) + len(s) for e, s, _, _ in gold)
    covered = [(set[int](), set[int]()) for _ in gold]
    finer = [False] * len(gold)
    multi = [len(g.en) > 1 and len(g.es) > 1 for g in page.gold]
    sc.multi_sentence = sum(multi)
    page_text = "".join(norm(t) for t in page.texts)
    furn = [norm(f) for f in page.furniture if len(norm(f)) >= 4]
    for a, b in pairs:
        na, nb = norm(a), norm(b)
        if any(side not in page_text for side in (na, nb)):
            sc.not_in_page += 1
        found, inside = False, False
        for gi, (ge, gs, be, bs) in enumerate(gold):
            for i in _occurrences(ge, na):
                for j in _occurrences(gs, nb):
                    inside = True
                    ie, je = i, i + len(na)
                    is_, js = j, j + len(nb)
                    whole = ie in be and je in be and is_ in bs and js in bs
                    if whole and (be.index(ie), be.index(je)) == (bs.index(is_), bs.index(js)):
                        found = True
                        finer[gi] = finer[gi] or (ie, je) != (0, len(ge))
                        covered[gi][0].update(range(ie, je))
                        covered[gi][1].update(range(is_, js))
                        break
                if found:
                    break
            if found:
                break
        sc.correct += found
        touches = any(f in s or (len(s) >= 4 and s in f) for f in furn for s in (na, nb))
        sc.furniture_pairs += touches and not found
        sc.mid_sentence += inside and not found
    sc.covered = sum(len(a) + len(b) for a, b in covered)
    sc.paragraphs_with_pairs = sum(bool(a) and bool(b) for a, b in covered)
    sc.sentence_paired = sum(f and m for f, m in zip(finer, multi, strict=True))
    return sc


def sanity(pages: list[Page]) -> dict[str, dict[str, float]]:
    gold, lines = Score(), Score()
    for p in pages:
        gold.add(score_page(p, [(g.en_text, g.es_text) for g in p.gold]))
        wrapped = []
        for g in p.gold:
            le, ls = textwrap.wrap(g.en_text, 72), textwrap.wrap(g.es_text, 72)
            if len(le) > 1 and len(ls) > 1:
                wrapped += list(zip(le, ls, strict=False))
        lines.add(score_page(p, wrapped))
    return {
        "gold pairs": {"P": gold.precision, "R": gold.recall},
        "k-th wrapped lines": {"P": lines.precision, "R": lines.recall},
    }


# -- the readers alone ------------------------------------------------------------------


def reader_table(pages: list[Page]) -> dict[str, dict[str, float]]:
    """What each main-content extractor keeps of the HTML pages: the share of gold
    paragraph characters kept whole, and how many furniture texts survive."""
    from bialign.segment import read_document

    out: dict[str, dict[str, float]] = {}
    html_pages = [p for p in pages if p.suffix == ".html"]
    for name, opts in (
        ("trafilatura", {}),
        ("justext", {}),
        ("keep_furniture=True", {"keep_furniture": True}),
    ):
        saved = boilerplate.DEFAULT_EXTRACTOR
        if name in boilerplate.EXTRACTORS:
            boilerplate.DEFAULT_EXTRACTOR = name
        kept = total = furniture = empty = 0
        with Timer() as t:
            for p in html_pages:
                try:
                    segs = {norm(s.text) for s in read_document(p.content, **opts)}
                except bialign.EmptyDocumentError:
                    segs = set()
                    empty += 1
                for g in p.gold:
                    for text in (g.en_text, g.es_text):
                        total += len(norm(text))
                        kept += len(norm(text)) * (norm(text) in segs)
                furniture += sum(norm(f) in segs for f in p.furniture)
        boilerplate.DEFAULT_EXTRACTOR = saved
        out[name] = {
            "gold_text_kept": round(kept / total, 4),
            "furniture_texts_kept": furniture,
            "pages_left_empty": empty,
            "seconds": round(t.seconds, 2),
        }
    return out


# -- runs -------------------------------------------------------------------------------


def _source(page: Page) -> str:
    """WMT pages know every sentence boundary; Python-docs pages only paragraphs, so a
    sentence pair inside one of their paragraphs counts as cut mid-sentence there."""
    return "WMT" if page.source.startswith("news") else "Python docs"


def run(pages: list[Page], folder: Path, encoder: Any, **options: Any) -> dict[str, Any]:
    by_layout: dict[str, Score] = defaultdict(Score)
    by_source: dict[str, Score] = defaultdict(Score)
    errors: dict[str, int] = defaultdict(int)
    with Timer() as t:
        for p in pages:
            path = folder / f"{p.name}{p.suffix}"
            try:
                corpus = bialign.align(path, model=encoder, **options)
                pairs = [(b.src_text, b.tgt_text) for b in corpus.pairs]
            except bialign.BialignError as exc:
                errors[type(exc).__name__] += 1
                pairs = []
            score = score_page(p, pairs)
            by_layout[p.layout].add(score)
            by_source[_source(p)].add(score)
    total = Score()
    for s in by_layout.values():
        total.add(s)
    rows = {k: by_layout[k] for k in LAYOUTS if k in by_layout} | {"all": total}
    rows |= {f"all, {k} pages": v for k, v in sorted(by_source.items())}
    return {
        "seconds": round(t.seconds, 2),
        "errors": dict(errors),
        "layouts": {
            k: {
                "P": round(s.precision, 4),
                "R": round(s.recall, 4),
                "pairs": s.pairs,
                "mid_sentence": s.mid_sentence,
                "furniture_pairs": s.furniture_pairs,
                "not_in_page": s.not_in_page,
                "paragraphs_with_pairs": s.paragraphs_with_pairs,
                "gold_paragraphs": s.gold_paragraphs,
                "multi_sentence_paragraphs": s.multi_sentence,
                "paired_by_sentences": s.sentence_paired,
            }
            for k, s in rows.items()
        },
    }


SYSTEMS: dict[str, dict[str, Any]] = {
    "default (trafilatura)": {},
    "justext extractor": {"_extractor": "justext"},
    "keep_furniture=True": {"keep_furniture": True},
    "input_format=lines": {"input_format": "lines"},
    "split=sentences": {"split": "sentences"},
    "granularity=sentence": {"granularity": "sentence"},
}


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--split", choices=("dev", "test"), default="dev")
    p.add_argument("--pages", type=int, default=60, help="pages of the split to run")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--systems", nargs="*", default=list(SYSTEMS))
    args = p.parse_args()
    pages = [pg for pg in build_pages(args.data, args.seed) if pg.split == args.split]
    # Equal numbers of each layout.
    per = max(1, args.pages // len(LAYOUTS))
    chosen: list[Page] = []
    for layout in LAYOUTS:
        chosen += [pg for pg in pages if pg.layout == layout][:per]
    checks = sanity(chosen)
    print("metric sanity:", checks, flush=True)
    readers = reader_table(chosen)
    print("readers:", readers, flush=True)
    encoder = CachedEncoder()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for pg in chosen:
            (folder / f"{pg.name}{pg.suffix}").write_text(pg.content, encoding="utf-8")
        for name in args.systems:
            opts = dict(SYSTEMS[name])
            extractor = opts.pop("_extractor", None)
            saved = boilerplate.DEFAULT_EXTRACTOR
            if extractor:
                boilerplate.DEFAULT_EXTRACTOR = extractor
            try:
                results[name] = run(chosen, folder, encoder, **opts)
            finally:
                boilerplate.DEFAULT_EXTRACTOR = saved
            print(name, json.dumps(results[name]["layouts"]["all"]), flush=True)
    headers = ["system", "layout", "P", "R", "pairs", "cut mid-sentence", "furniture pairs",
               "not in page", "paragraphs paired", "multi-sentence paragraphs paired by "
               "sentences"]  # fmt: skip
    rows = []
    for name, r in results.items():
        for layout, s in r["layouts"].items():
            paired = f"{s['paragraphs_with_pairs']}/{s['gold_paragraphs']}"
            by_sentences = f"{s['paired_by_sentences']}/{s['multi_sentence_paragraphs']}"
            rows.append([name, layout, s["P"], s["R"], s["pairs"], s["mid_sentence"],
                         s["furniture_pairs"], s["not_in_page"], paired, by_sentences])  # fmt: skip
    table = fmt_table(headers, rows)
    print(table)
    sanity_rows = [[k, v["P"], v["R"]] for k, v in checks.items()]
    reader_rows = [[k, v["gold_text_kept"], v["furniture_texts_kept"], v["pages_left_empty"],
                    v["seconds"]] for k, v in readers.items()]  # fmt: skip
    n_furn = sum(len(pg.furniture) for pg in chosen)
    notes = (
        f"{len(chosen)} {args.split} pages ({per} per layout), seed {args.seed}. Metric "
        "sanity on the same pages:\n\n"
        + fmt_table(["pairs", "P", "R"], sanity_rows)
        + f"\n\nThe HTML reader with each main-content extractor ({n_furn} furniture texts "
        "on the HTML pages):\n\n"
        + fmt_table(
            ["reader", "gold text kept", "furniture texts kept", "pages left empty", "seconds"],
            reader_rows,
        )  # fmt: skip
    )
    if not args.no_write:
        write_results(
            f"pages_{args.split}",
            f"Pages: HTML and wrapped text in, pairs out ({args.split})",
            {
                "split": args.split,
                "pages": len(chosen),
                "sanity": checks,
                "readers": readers,
                "systems": results,
            },  # fmt: skip
            table,
            notes,
        )


if __name__ == "__main__":
    main()
