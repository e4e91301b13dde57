"""Mixed pages and document pairs with the error classes found on unseen data (issue 15).

Three sources, each a list of documents of paragraphs of (english, spanish) units:
WMT newstest 2008-2011 (news), python_docs_es (tutorial, howto, FAQ paragraphs, many
short headings) and FLORES-200 devtest (Wikinews/Wikivoyage/Wikibooks articles of 3-5
sentences, three articles per page). Every document goes to ``dev`` or ``test`` by a
hash of its source document, so no document is in both splits.

Each class is made by a rule over the real text, never from a list of examples:

- ``merge``: two consecutive sentences of a paragraph joined into one line on one side
  (a translator's split or merge: a 1-2 or 2-1 unit);
- ``short``: real one- and two-word headings and replies of the data (units whose English
  has at most two words), put at the head of a paragraph;
- ``number``: a number that both sides share is rewritten in each language's notation,
  by the kind its context allows: thousands ("14,235" / "14.235"), decimals and
  percentages ("3.5%" / "3,5%"), scale words ("15 billion" / "15.000 millones",
  "1 million" / "un millón") and decades ("in the 1980s" / "en los años 80");
- ``name``: a real name of the data (a run of two or three capitalised words that
  appears verbatim on both sides, or a python_docs_es line left untranslated) on a
  line of its own, gold ``und``;
- ``furniture`` (two documents): a page furniture line put right next to a merged unit.
"""

from __future__ import annotations

import glob
import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sgm import load_docs

Unit = tuple[str, str]
Bead = tuple[tuple[int, ...], tuple[int, ...]]
YEARS = ("news-test2008", "newstest2009", "newstest2010", "newstest2011")


@dataclass
class SourceDoc:
    source: str  # "wmt", "pydocs", "flores"
    key: str  # the source document, which decides the split
    paras: list[list[Unit]]


def split_of(key: str) -> str:
    """ "dev" or "test", fixed by the source document's key."""
    return "dev" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "test"


# ---------------------------------------------------------------------------------------
# Sources.


def wmt_docs(data: Path) -> list[SourceDoc]:
    out = []
    for year in YEARS:
        for k, doc in enumerate(load_docs(data, year)):
            out.append(SourceDoc("wmt", f"wmt/{year}/{k}", doc))
    return out


_SENT = re.compile(r"(?<=[.!?])\s+(?=[¿¡\"«(]?[A-ZÁÉÍÓÚÑ])")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text.strip()) if s]


def _code_like(text: str) -> bool:
    return "::" in text or ">>>" in text or "`" in text or "\n" in text or len(text) > 700


def pydocs_docs(data: Path, chunk: int = 14) -> list[SourceDoc]:
    """Each .po file's paragraphs, sentence by sentence where both sides have the same
    number of sentences; cut into pages of about ``chunk`` units (a file's pages share
    its split)."""
    rows: dict[str, list[dict]] = {}
    for f in sorted(glob.glob(str(data / "python_docs_es" / "*.jsonl"))):
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.setdefault(r["doc"], []).append(r)
    out = []
    for doc, rs in rows.items():
        paras: list[list[Unit]] = []
        for r in sorted(rs, key=lambda r: r["idx"]):
            en, es = r["en"].strip(), r["es"].strip()
            if not en or not es or en == es or _code_like(en) or _code_like(es):
                continue
            a, b = _sentences(en), _sentences(es)
            paras.append(list(zip(a, b, strict=True)) if len(a) == len(b) else [(en, es)])
        page: list[list[Unit]] = []
        for p in paras:
            page.append(p)
            if sum(len(x) for x in page) >= chunk:
                out.append(SourceDoc("pydocs", f"pydocs/{doc}", page))
                page = []
        if sum(len(x) for x in page) >= 4:
            out.append(SourceDoc("pydocs", f"pydocs/{doc}", page))
    return out


def flores_docs(data: Path, per_page: int = 3) -> list[SourceDoc]:
    """Articles grouped by URL, ``per_page`` consecutive articles to a page."""
    d = data / "flores200_devtest"
    en = (d / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    es = (d / "spa_Latn.devtest").read_text(encoding="utf-8").splitlines()
    urls = [x.split("\t")[0] for x in (d / "metadata_devtest.tsv").read_text().splitlines()[1:]]
    arts: list[tuple[str, list[Unit]]] = []
    for url, a, b in zip(urls, en, es, strict=True):
        if arts and arts[-1][0] == url:
            arts[-1][1].append((a, b))
        else:
            arts.append((url, [(a, b)]))
    out = []
    for k in range(0, len(arts), per_page):
        group = arts[k : k + per_page]
        out.append(SourceDoc("flores", f"flores/{group[0][0]}", [p for _, p in group]))
    return out


def all_docs(data: Path) -> list[SourceDoc]:
    return wmt_docs(data) + pydocs_docs(data) + flores_docs(data)


# ---------------------------------------------------------------------------------------
# Pools drawn from the documents of one split.

_WORDS = re.compile(r"\b[a-záéíóúñü]+\b")
#: Marks a unit that names a language: a tag for the report, not a rewrite.
_LANG_NAME = re.compile(r"\b(English|Spanish|French|German|inglés|español|francés|alemán)\b", re.I)
_CAP = re.compile(r"^[A-ZÁÉÍÓÚÑŁ][a-záéíóúñüçłà-ÿ]+$")


def short_pairs(docs: list[SourceDoc]) -> list[Unit]:
    """Real headings and replies: units whose English has one or two words."""
    seen: dict[Unit, None] = {}
    for d in docs:
        for p in d.paras:
            for en, es in p:
                if len(en.split()) <= 2 and en != es and re.search(r"[^\W\d_]", en):
                    seen[(en, es)] = None
    return list(seen)


def names(docs: list[SourceDoc]) -> list[str]:
    """Runs of two or three capitalised words, not the first of their sentence, found
    verbatim on both sides of a unit, none of whose words the data ever writes in lower
    case ("Political Capital" is out): names, which no one translates."""
    lower = {w for d in docs for p in d.paras for u in p for t in u for w in _WORDS.findall(t)}
    found: dict[str, None] = {}
    for d in docs:
        for p in d.paras:
            for en, es in p:
                words = en.split()
                for n in (3, 2):
                    for k in range(1, len(words) - n + 1):
                        run = [w.strip(",.;:()\"'") for w in words[k : k + n]]
                        if (
                            all(_CAP.match(w) and w.lower() not in lower for w in run)
                            and " ".join(run) in es
                        ):
                            found[" ".join(run)] = None
    return list(found)


# ---------------------------------------------------------------------------------------
# Numbers in each language's notation.

_INT = re.compile(r"(?<![\w.,:/])\d+(?![\d]|[.,:/]\d)")
_SCALE_EN = re.compile(r"(?<![\w.,])\d+(?:\.\d+)? (million|billion)\b")
_SCALE_ES = re.compile(r"(?<![\w.,])(?:\d+(?:,\d+)?|un) (millones|millón|mil millones)\b")
_BEFORE_YEAR_EN = re.compile(r"\b(?:in|since|during|of)\s+$", re.I)
_BEFORE_YEAR_ES = re.compile(r"\b(?:en|desde|durante|de)\s+$", re.I)


def _thousands(v: int, sep: str) -> str:
    return f"{v:,}".replace(",", sep)


def rewrite_numbers(en: str, es: str, rng: random.Random) -> tuple[str, str, str] | None:
    """The unit with one quantity both sides hold rewritten in each side's notation, and
    the kind of rewrite (the rarest kind the unit allows); None when it allows none."""
    a, b = _SCALE_EN.search(en), _SCALE_ES.search(es)
    if a and b:
        if rng.random() < 0.5:
            k = rng.randint(2, 90)
            new_en, new_es = f"{k} billion", f"{_thousands(k * 1000, '.')} millones"
        else:
            new_en, new_es = "1 million", "un millón"
        return _sub(en, a, new_en), _sub(es, b, new_es), "scale"
    es_nums = {m.group(): m for m in _INT.finditer(es)}
    found: dict[str, tuple[str, str]] = {}
    for m in _INT.finditer(en):
        tok = m.group()
        if tok not in es_nums:
            continue
        s = es_nums[tok]
        v = int(tok)
        after_en = en[m.end() :]
        if (
            1950 <= v <= 1999
            and _BEFORE_YEAR_EN.search(en[: m.start()])
            and _BEFORE_YEAR_ES.search(es[: s.start()])
        ):
            dec = v // 10 * 10
            found.setdefault(
                "decade", (_sub(en, m, f"the {dec}s"), _sub(es, s, f"los años {dec % 100}"))
            )
        elif re.match(r"\s*(%|percent|per cent)", after_en):
            x = f"{rng.randint(1, 40)}.{rng.randint(1, 9)}"
            found.setdefault("percent", (_sub(en, m, x), _sub(es, s, x.replace(".", ","))))
        elif v >= 100 and not (1900 <= v <= 2030) and not re.match(r"\s*[:h]", after_en):
            k = v if v >= 1000 else v * 1000 + rng.randint(0, 999)
            found.setdefault(
                "thousands", (_sub(en, m, _thousands(k, ",")), _sub(es, s, _thousands(k, ".")))
            )
    for kind in ("decade", "percent", "thousands"):
        if kind in found:
            return (*found[kind], kind)
    return None


def _sub(text: str, m: re.Match[str], new: str) -> str:
    return text[: m.start()] + new + text[m.end() :]


# ---------------------------------------------------------------------------------------
# Units of a page: the gold, with a class per unit.


@dataclass
class Block:
    en: list[str]
    es: list[str]
    kind: str  # "pair", "merge", "short", "number:<kind>", "name", "furniture", ...
    lang: str = ""  # for a one-sided block: its language ("en", "es", "und")


def units_with_classes(
    doc: SourceDoc,
    rng: random.Random,
    shorts: list[Unit],
    merge_rate: float = 0.12,
    large_rate: float = 0.0,
) -> list[list[Block]]:
    """Paragraphs of blocks: 1-1 pairs, merged units (``merge``: 1-2 and 2-1 at
    ``merge_rate``; ``large``: 1-3, 3-1 and 2-2 at ``large_rate``, the 2-2 made by
    cutting the joined Spanish of two sentences at another word), rewritten numbers,
    headings."""
    out = []
    for para in doc.paras:
        blocks: list[Block] = []
        if shorts and rng.random() < 0.3:
            en, es = rng.choice(shorts)
            blocks.append(Block([en], [es], "short"))
        k = 0
        while k < len(para):
            en, es = para[k]
            if large_rate and k + 1 < len(para) and rng.random() < large_rate:
                if k + 2 < len(para) and rng.random() < 0.5:
                    run = para[k : k + 3]
                    joined = (" ".join(e for e, _ in run), " ".join(x for _, x in run))
                    if rng.random() < 0.5:
                        blocks.append(Block([joined[0]], [x for _, x in run], "large"))
                    else:
                        blocks.append(Block([e for e, _ in run], [joined[1]], "large"))
                    k += 3
                else:
                    words = f"{para[k][1]} {para[k + 1][1]}".split()
                    first = len(para[k][1].split())
                    cut = max(1, min(len(words) - 1, first + rng.choice([-3, -2, 2, 3])))
                    es_cut = [" ".join(words[:cut]), " ".join(words[cut:])]
                    blocks.append(Block([para[k][0], para[k + 1][0]], es_cut, "large"))
                    k += 2
                continue
            if k + 1 < len(para) and rng.random() < merge_rate:
                (e1, s1), (e2, s2) = para[k], para[k + 1]
                if rng.random() < 0.5:
                    blocks.append(Block([f"{e1} {e2}"], [s1, s2], "merge"))
                else:
                    blocks.append(Block([e1, e2], [f"{s1} {s2}"], "merge"))
                k += 2
                continue
            same = en.strip() == es.strip()
            kind = "short" if len(en.split()) <= 2 else "pair"
            if _LANG_NAME.search(en) or _LANG_NAME.search(es):
                kind = "langname"
            if rng.random() < 0.7:
                done = rewrite_numbers(en, es, rng)
                if done:
                    en, es, how = done
                    kind = f"number:{how}"
            if same and kind in ("short", "pair"):
                # A credit or a name the translator copied ("(Source AFP)", "Jiří
                # Krejčí"): no language of its own, and no translation pair on a page.
                # (Decided after the draws above, so every page stays as it was.)
                kind = "identical"
            blocks.append(Block([en], [es], kind))
            k += 1
        out.append(blocks)
    return out


# ---------------------------------------------------------------------------------------
# One mixed page.

LAYOUTS = ("line", "paragraph", "blocks", "partial")


@dataclass
class MixedCase:
    source: str
    layout: str
    texts: list[str]
    langs: list[str]
    line_kind: list[str]
    gold: dict[Bead, str] = field(default_factory=dict)  # pair bead -> class
    key: str = ""  # the source document's (SourceDoc.key)


def mixed_page(
    doc: SourceDoc,
    layout: str,
    rng: random.Random,
    shorts: list[Unit],
    name_pool: list[str],
    foreign: str,
) -> MixedCase:
    paras = units_with_classes(doc, rng, shorts)
    lines: list[tuple[str, str, int, str]] = []  # text, lang, block id, kind
    blocks: list[Block] = []

    def one(text: str, lang: str, kind: str) -> None:
        blocks.append(Block([], [], kind))
        lines.append((text, lang, -1, kind))

    day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2008, 2012)}"
    blocks.append(Block([f"Posted on {day}"], [f"Publicado el {day}"], "dateline"))
    bid = len(blocks) - 1
    lines += [(f"Posted on {day}", "en", bid, "dateline")]
    lines += [(f"Publicado el {day}", "es", bid, "dateline")]
    if name_pool:
        one(rng.choice(name_pool), "und", "name")
    en_block: list[tuple[str, str, int, str]] = []
    es_block: list[tuple[str, str, int, str]] = []
    for para in paras:
        drop = layout == "partial" and rng.random() < 0.3
        en_p, es_p = [], []
        for b in para:
            blocks.append(b)
            bid = len(blocks) - 1 if not drop and b.kind != "identical" else -1
            en_lang, es_lang = ("und", "und") if b.kind == "identical" else ("en", "es")
            en_p.append([(t, en_lang, bid, b.kind) for t in b.en])
            es_p.append([(t, es_lang, bid, b.kind) for t in b.es] if not drop else [])
        if layout == "line":
            for e, s in zip(en_p, es_p, strict=True):
                lines.extend(e + s)
        elif layout == "paragraph":
            lines.extend([x for e in en_p for x in e] + [x for s in es_p for x in s])
        else:
            en_block.extend(x for e in en_p for x in e)
            es_block.extend(x for s in es_p for x in s)
        if name_pool and rng.random() < 0.15:
            item = (rng.choice(name_pool), "und", -1, "name")
            (lines if layout in ("line", "paragraph") else en_block).append(item)
    if layout in ("blocks", "partial"):
        lines.extend(en_block)
        lines.append((foreign, "es", -1, "caption"))
        lines.extend(es_block)
    else:
        lines.insert(len(lines) // 2, (foreign, "es", -1, "caption"))
    case = MixedCase(
        doc.source,
        layout,
        [t for t, _, _, _ in lines],
        [lang for _, lang, _, _ in lines],
        [k for _, _, _, k in lines],
        key=doc.key,
    )
    members: dict[int, tuple[list[int], list[int]]] = {}
    for i, (_, lang, b, _) in enumerate(lines):
        if b >= 0:
            members.setdefault(b, ([], []))[0 if lang == "en" else 1].append(i)
    for b, (e, s) in members.items():
        if e and s:
            case.gold[(tuple(e), tuple(s))] = blocks[b].kind
    return case


def mixed_cases(
    data: Path,
    split: str,
    seed: int,
    per_source: dict[str, int],
    keep: Callable[[str], bool] = lambda key: True,
) -> list[MixedCase]:
    """Mixed pages of a split; ``keep`` chooses the source documents (by key) that the
    pages, and the pools of short lines, names and captions they draw from, come from."""
    rng = random.Random(seed)
    docs = [d for d in all_docs(data) if split_of(d.key) == split and keep(d.key)]
    shorts = short_pairs(docs)
    name_pool = names(docs) + [
        t for d in docs for p in d.paras for t, s in p if t == s and len(t.split()) >= 2
    ]
    foreign = [es for d in docs for p in d.paras for _, es in p if len(es.split()) > 6]
    out = []
    for source, n in per_source.items():
        mine = [d for d in docs if d.source == source and 4 <= sum(map(len, d.paras)) <= 40]
        rng.shuffle(mine)
        for k, doc in enumerate(mine[:n]):
            layout = LAYOUTS[k % len(LAYOUTS)]
            out.append(mixed_page(doc, layout, rng, shorts, name_pool, rng.choice(foreign)))
    return out


# ---------------------------------------------------------------------------------------
# Two documents, with furniture next to merges.

#: Page furniture of news and documentation sites. These lines are not translations of
#: anything on the page, so their text is not drawn from the data.
FURNITURE_EN = ["Most popular", "Subscribe now", "Back to top", "Print this page",
                "Email this article", "Comments (3)", "Sign in", "Next article",
                "Terms of use", "Follow us", "Share this", "Top stories"]  # fmt: skip
FURNITURE_ES = ["Lo más leído", "Suscríbete ahora", "Volver arriba", "Imprimir",
                "Enviar por correo", "Comentarios (3)", "Iniciar sesión",
                "Siguiente artículo", "Aviso legal", "Síguenos", "Compartir en Facebook",
                "Noticias destacadas"]  # fmt: skip


@dataclass
class DocCase:
    source: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]
    kinds: list[str]


def _furniture(rng: random.Random, side: int) -> str:
    if rng.random() < 0.2:
        d = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2008, 2012)}"
        t = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        return f"Last updated {d} {t}" if side == 0 else f"Última actualización: {d} {t}"
    return rng.choice(FURNITURE_EN if side == 0 else FURNITURE_ES)


def doc_pair(doc: SourceDoc, rng: random.Random, shorts: list[Unit]) -> DocCase:
    case = DocCase(doc.source, [], [], [], [])

    def furniture(side: int) -> None:
        line = [_furniture(rng, side)]
        add(line if side == 0 else [], line if side == 1 else [], "furniture")

    def add(en: list[str], es: list[str], kind: str) -> None:
        s = tuple(range(len(case.src), len(case.src) + len(en)))
        t = tuple(range(len(case.tgt), len(case.tgt) + len(es)))
        case.src.extend(en)
        case.tgt.extend(es)
        case.gold.append((s, t))
        case.kinds.append(kind)

    for para in units_with_classes(doc, rng, shorts, merge_rate=0.15, large_rate=0.03):
        for b in para:
            r = rng.random()
            if r < 0.03:
                side = rng.randrange(2)
                add([b.en[0]] if side == 0 else [], [b.es[0]] if side else [], "deleted")
                continue
            lead = b.kind in ("merge", "large") and rng.random() < 0.35
            where = rng.randrange(2)  # furniture before or after the merged unit
            side = rng.randrange(2)
            if lead and where == 0:
                furniture(side)
            add(b.en, b.es, b.kind)
            if lead and where == 1:
                furniture(side)
            if r > 0.97:
                side = rng.randrange(2)
                furniture(side)
    return case


def doc_cases(data: Path, split: str, seed: int, per_source: dict[str, int]) -> list[DocCase]:
    rng = random.Random(seed)
    docs = [d for d in all_docs(data) if split_of(d.key) == split]
    shorts = short_pairs(docs)
    out = []
    for source, n in per_source.items():
        mine = [d for d in docs if d.source == source and sum(map(len, d.paras)) >= 4]
        rng.shuffle(mine)
        out += [doc_pair(d, rng, shorts) for d in mine[:n]]
    return out
