"""English against Spanish, French, German, Portuguese and Chinese: documents with m-n gold
built from FLORES-200 devtest, bialign against its peers on the same embeddings.

    python benchmarks/flores_pairs.py --split dev    # for any decision
    python benchmarks/flores_pairs.py --split test   # looked at once
    python benchmarks/flores_pairs.py --reverse --pairs es,zh   # X first: langs=(X, "en")

The 1,012 FLORES devtest sentences come from 281 articles (``metadata_devtest.tsv``
groups them by URL). The articles sorted by URL are split in halves as in
benchmarks/docmatch.py: the first half is dev, the second test. Within a split, every
DOC_ARTICLES consecutive articles make one document, each article a paragraph. The
documents are altered as benchmarks/docs_enes.py alters WMT documents, under two
generator settings (SETTINGS): "news" with docs_enes's rates (about 10% of positions
merged 2-1 or 1-2, 1.5% 3-1 or 1-3, 1% 2-2, 3% deleted on one side, 3% inserted lines)
and "heavy" with twice those rates and another seed. A merge joins the sentences of one
side into one segment (with a space, or with nothing for Chinese, which writes no spaces
between sentences); a 2-2 re-splits the two non-English sentences elsewhere (two or three
words away; four or six characters in Chinese); an inserted line is page furniture of
that language ("Read more", "阅读更多", a byline) or a sentence of another document of
the same split. The random draws do not depend on the language, so every pair gets the
same bead structure and the pairs differ only in their language.

Aligners, each on the same embeddings (one cache): bialign as a user runs it
(``bialign.Aligner(langs=("en", X), model=encoder).align_documents``: language check,
search and attach), and the peers of benchmarks/peers.py (Vecalign's DP, Bertalign's
score reimplemented in benchmarks/bertalign_dp.py, Gale-Church). The metric is
bialign.evaluate's (Text+Berg's strict and lax bead F1, pooled over documents); a second
table gives, per bead kind, the share of gold beads found exactly (recall) and the share
of predicted beads of that kind that are right (precision). Embeddings are kept on disk
in benchmarks/.cache/flores-pairs-<encoder>.npz (gitignored), so a rerun embeds nothing.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import HERE, CachedEncoder, Timer, fmt_table, parser, write_results  # noqa: E402
from peers import run_peers  # noqa: E402

import bialign  # noqa: E402
from bialign.evaluate import score_alignments  # noqa: E402

Bead = tuple[tuple[int, ...], tuple[int, ...]]
Doc = list[list[int]]  # paragraphs (articles) of FLORES line numbers

#: Articles per document.
DOC_ARTICLES = 6


@dataclass(frozen=True)
class Lang:
    """What the generator needs of one language: its FLORES file, how two sentences are
    joined into one segment, and page furniture written in it."""

    flores: str
    joiner: str
    boiler: tuple[str, ...]
    #: Characters per English word, for a 2-2 re-split where words have no spaces.
    chars_per_step: int = 0


LANGS = {
    "en": Lang("eng_Latn", " ", ("Read more", "Share on Facebook", "Photo: Reuters",
               "By John Smith, Madrid", "Advertisement", "Related stories")),
    "es": Lang("spa_Latn", " ", ("Leer más", "Compartir en Facebook", "Foto: EFE",
               "Por María López, Madrid", "Publicidad", "Noticias relacionadas")),
    "fr": Lang("fra_Latn", " ", ("Lire la suite", "Partager sur Facebook", "Photo : AFP",
               "Par Jean Dupont, Paris", "Publicité", "Articles liés")),
    "de": Lang("deu_Latn", " ", ("Weiterlesen", "Auf Facebook teilen", "Foto: dpa",
               "Von Hans Müller, Berlin", "Anzeige", "Verwandte Artikel")),
    "pt": Lang("por_Latn", " ", ("Leia mais", "Compartilhar no Facebook", "Foto: Lusa",
               "Por João Silva, Lisboa", "Publicidade", "Notícias relacionadas")),
    "zh": Lang("zho_Hans", "", ("阅读更多", "分享到微博", "图片来源：新华社", "记者 王明 北京报道",
               "广告", "相关新闻"), chars_per_step=2),
}  # fmt: skip
PAIRS = ("es", "fr", "de", "pt", "zh")


@dataclass(frozen=True)
class Setting:
    """Per-position probabilities of each alteration, and the seed."""

    seed: int
    insert: float
    delete: float
    merge2: float
    merge3: float
    split22: float


SETTINGS = {
    "news": Setting(seed=7, insert=0.03, delete=0.03, merge2=0.10, merge3=0.015, split22=0.01),
    "heavy": Setting(seed=23, insert=0.06, delete=0.06, merge2=0.20, merge3=0.03, split22=0.02),
}


def load(data: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Every language's FLORES lines, and each line's article URL."""
    d = data / "flores200_devtest"
    lines = {
        code: (d / f"{lang.flores}.devtest").read_text(encoding="utf-8").splitlines()
        for code, lang in LANGS.items()
    }
    meta = (d / "metadata_devtest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    urls = [row.split("\t")[0] for row in meta]
    assert all(len(v) == len(urls) for v in lines.values()), "FLORES files differ in length"
    return lines, urls


def documents(urls: list[str], split: str) -> list[Doc]:
    """The split's documents: runs of DOC_ARTICLES articles (sorted by URL), as paragraphs
    of line numbers. dev is the first half of the sorted articles, test the second."""
    articles: dict[str, list[int]] = defaultdict(list)
    for k, url in enumerate(urls):
        articles[url].append(k)
    ordered = sorted(articles)
    half = ordered[: len(ordered) // 2] if split == "dev" else ordered[len(ordered) // 2 :]
    return [
        [articles[u] for u in half[k : k + DOC_ARTICLES]] for k in range(0, len(half), DOC_ARTICLES)
    ]


def build(
    doc: Doc, pool: list[int], lines: dict[str, list[str]], x: str, rng: random.Random, s: Setting
) -> tuple[list[str], list[str], list[Bead]]:
    """(English segments, segments in ``x``, gold beads) for one document. The random draws
    never depend on ``x``, so every language gets the same structure from the same seed."""
    en_lines, x_lines, lx = lines["en"], lines[x], LANGS[x]
    src: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []

    def add(en: list[str], xs: list[str]) -> None:
        gold.append(
            (
                tuple(range(len(src), len(src) + len(en))),
                tuple(range(len(tgt), len(tgt) + len(xs))),
            )
        )
        src.extend(en)
        tgt.extend(xs)

    def merge(run: list[int]) -> None:
        """The run's sentences joined into one segment on one side, chosen at random."""
        if rng.random() < 0.5:
            add([" ".join(en_lines[k] for k in run)], [x_lines[k] for k in run])
        else:
            add([en_lines[k] for k in run], [lx.joiner.join(x_lines[k] for k in run)])

    a_merge2 = s.insert + s.delete + s.merge2
    a_merge3 = a_merge2 + s.merge3
    a_split = a_merge3 + s.split22
    for para in doc:
        k = 0
        while k < len(para):
            r = rng.random()
            left = len(para) - k
            if r < s.insert:  # an inserted line on one side
                if rng.random() < 0.5:
                    pick = rng.randrange(len(LANGS["en"].boiler) + 1)
                    other = rng.choice(pool)
                    add([en_lines[other] if pick == len(LANGS["en"].boiler)
                         else LANGS["en"].boiler[pick]], [])  # fmt: skip
                else:
                    pick = rng.randrange(len(lx.boiler) + 1)
                    other = rng.choice(pool)
                    add([], [x_lines[other] if pick == len(lx.boiler) else lx.boiler[pick]])
                continue
            line = para[k]
            if r < s.insert + s.delete:  # deleted on one side
                if rng.random() < 0.5:
                    add([en_lines[line]], [])
                else:
                    add([], [x_lines[line]])
                k += 1
            elif r < a_merge2 and left >= 2:  # 2-1 or 1-2
                merge(para[k : k + 2])
                k += 2
            elif r < a_merge3 and left >= 3:  # 3-1 or 1-3
                merge(para[k : k + 3])
                k += 3
            elif r < a_split and left >= 2:  # 2-2: the other language split elsewhere
                first, second = x_lines[para[k]], x_lines[para[k + 1]]
                step = rng.choice([-3, -2, 2, 3])
                add([en_lines[para[k]], en_lines[para[k + 1]]], _resplit(first, second, step, lx))
                k += 2
            else:
                add([en_lines[line]], [x_lines[line]])
                k += 1
    return src, tgt, gold


def _resplit(first: str, second: str, step: int, lang: Lang) -> list[str]:
    """Two sentences joined and cut ``step`` words (or characters, times chars_per_step,
    in a language without spaces) away from their boundary."""
    if lang.chars_per_step:
        text = first + lang.joiner + second
        cut = max(1, min(len(text) - 1, len(first) + step * lang.chars_per_step))
        return [text[:cut], text[cut:]]
    words = f"{first} {second}".split()
    cut = max(1, min(len(words) - 1, len(first.split()) + step))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def cases(lines: dict[str, list[str]], urls: list[str], split: str, x: str, setting: str):
    """Every document of the split for the pair en-x under one setting."""
    s = SETTINGS[setting]
    rng = random.Random(s.seed)
    docs = documents(urls, split)
    every = sorted(k for doc in docs for para in doc for k in para)
    out = []
    for doc in docs:
        mine = {k for para in doc for k in para}
        pool = [k for k in every if k not in mine]
        out.append(build(doc, pool, lines, x, rng, s))
    return out


class DiskCachedEncoder(CachedEncoder):
    """The benchmark encoder (one cache for every aligner) whose vectors are also kept on
    disk, so a rerun embeds nothing; named as the inner encoder so its profile applies."""

    def __init__(self) -> None:
        super().__init__()
        self.name = str(getattr(self.inner, "name", "encoder"))
        self.path = HERE / ".cache" / f"flores-pairs-{self.name}.npz"
        if self.path.exists():
            z = np.load(self.path, allow_pickle=False)
            self.cache = dict(zip(json.loads(str(z["keys"])), z["vecs"], strict=True))
        self.known = len(self.cache)

    def save(self) -> None:
        if len(self.cache) == self.known:
            return
        self.path.parent.mkdir(exist_ok=True)
        keys = list(self.cache)
        np.savez(self.path, keys=json.dumps(keys), vecs=np.stack([self.cache[k] for k in keys]))


KINDS = ("1-1", "2-1/1-2", "larger", "1-0/0-1")


def kind(bead: Bead) -> str:
    a, b = len(bead[0]), len(bead[1])
    if not a or not b:
        return "1-0/0-1"
    if a == b == 1:
        return "1-1"
    return "2-1/1-2" if sorted((a, b)) == [1, 2] else "larger"


def by_kind(gold: list[list[Bead]], pred: list[list[Bead]]) -> dict[str, dict[str, float]]:
    """Per bead kind: gold beads, those found exactly, predicted beads, those right."""
    out = {k: {"gold": 0, "found": 0, "predicted": 0, "right": 0} for k in KINDS}
    for g_doc, p_doc in zip(gold, pred, strict=True):
        g = {(tuple(s), tuple(t)) for s, t in g_doc if s or t}
        p = {(tuple(s), tuple(t)) for s, t in p_doc if s or t}
        for b in g:
            out[kind(b)]["gold"] += 1
            out[kind(b)]["found"] += b in p
        for b in p:
            out[kind(b)]["predicted"] += 1
            out[kind(b)]["right"] += b in g
    for v in out.values():
        v["recall"] = round(v["found"] / v["gold"], 4) if v["gold"] else 0.0
        v["precision"] = round(v["right"] / v["predicted"], 4) if v["predicted"] else 0.0
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--split", choices=("dev", "test"), default="dev")
    p.add_argument(
        "--pairs", default=",".join(PAIRS), help="comma-separated, of " + ",".join(PAIRS)
    )
    p.add_argument("--no-peers", action="store_true")
    p.add_argument(
        "--reverse",
        action="store_true",
        help="align X to English (langs=(X, 'en'), the X document first), as a user with "
        "Chinese sources would; scored on the same gold",
    )
    args = p.parse_args()
    pairs = [x for x in args.pairs.split(",") if x]
    lines, urls = load(args.data)
    enc = DiskCachedEncoder()
    results: dict[str, dict] = {}
    for x in pairs:
        langs = (x, "en") if args.reverse else ("en", x)
        aligner = bialign.Aligner(langs=langs, model=enc, progress=False)
        per_setting: dict[str, dict] = {}
        pooled_gold: list[list[Bead]] = []
        pooled_runs: dict[str, tuple[list, float]] = {}
        for setting in SETTINGS:
            docs = cases(lines, urls, args.split, x, setting)
            gold = [g for _, _, g in docs]
            for src, tgt, _ in docs:
                enc.encode(src + tgt)
            with Timer() as t:
                pred = []
                for src, tgt, _ in docs:
                    if args.reverse:
                        corpus = aligner.align_documents(tgt, src)
                        pred.append([(b.tgt, b.src) for b in corpus.beads])
                    else:
                        corpus = aligner.align_documents(src, tgt)
                        pred.append([(b.src, b.tgt) for b in corpus.beads])
            runs = {"bialign": (pred, t.seconds)}
            if not args.no_peers:
                given = [(tgt, src) if args.reverse else (src, tgt) for src, tgt, _ in docs]
                for name, (beads, sec) in run_peers(given, enc).items():
                    if args.reverse:
                        beads = [[(t_, s_) for s_, t_ in doc] for doc in beads]
                    runs[name] = (beads, sec)
            per_setting[setting] = {
                name: score_alignments(gold, pr).as_dict() for name, (pr, _) in runs.items()
            }
            pooled_gold += gold
            for name, (pr, sec) in runs.items():
                prev, psec = pooled_runs.get(name, ([], 0.0))
                pooled_runs[name] = (prev + pr, psec + sec)
        results[x] = {
            "documents": len(pooled_gold),
            "gold": {k: sum(kind(b) == k for g in pooled_gold for b in g) for k in KINDS},
            "score": {
                name: {
                    **score_alignments(pooled_gold, pr).as_dict(),
                    "align_seconds": round(sec, 3),
                }
                for name, (pr, sec) in pooled_runs.items()
            },
            "by_setting": per_setting,
            "by_kind": {name: by_kind(pooled_gold, pr) for name, (pr, _) in pooled_runs.items()},
        }
        name = f"{x}-en" if args.reverse else f"en-{x}"
        print(f"{name}:", {n: s["strict_f1"] for n, s in results[x]["score"].items()}, flush=True)
    enc.save()
    aligners = list(results[pairs[0]]["score"])
    label = {x: f"{x}-en" if args.reverse else f"en-{x}" for x in pairs}
    head = ["aligner", *[label[x] for x in pairs]]
    strict = fmt_table(
        head, [[n, *[results[x]["score"][n]["strict_f1"] for x in pairs]] for n in aligners]
    )
    lax = fmt_table(
        head, [[n, *[results[x]["score"][n]["lax_f1"] for x in pairs]] for n in aligners]
    )
    setting_rows = [
        [n, s, *[results[x]["by_setting"][s][n]["strict_f1"] for x in pairs]]
        for n in aligners
        for s in SETTINGS
    ]
    settings_table = fmt_table(["aligner", "setting", *head[1:]], setting_rows)
    kind_rows = []
    for x in pairs:
        for n in aligners:
            k = results[x]["by_kind"][n]
            kind_rows.append(
                [label[x], n, *[f"{k[c]['recall']:.3f} / {k[c]['precision']:.3f}" for c in KINDS]]
            )
    kinds_table = fmt_table(["pair", "aligner", *[f"{c} R / P" for c in KINDS]], kind_rows)
    first = results[pairs[0]]
    gold_kinds = ", ".join(f"{k} {v}" for k, v in first["gold"].items())
    zh_gap = ""
    if "zh" in results and "es" in results:
        gap = (
            results["zh"]["score"]["bialign"]["strict_f1"]
            - results["es"]["score"]["bialign"]["strict_f1"]
        )
        zh_gap = (
            f" bialign's strict F1, {label['zh']} minus {label['es']}: {gap:+.3f} (target: "
            "within 0.02)."
        )
    notes = (
        f"FLORES-200 devtest, {args.split} split: {first['documents']} documents per pair "
        f"({first['documents'] // len(SETTINGS)} documents of {DOC_ARTICLES} articles, under "
        f"the {len(SETTINGS)} generator settings {', '.join(SETTINGS)}); gold beads per pair "
        f"({gold_kinds}; the same structure for every pair). Strict F1 pooled over both "
        f"settings above; lax F1:\n\n{lax}\n\nStrict F1 per generator setting:\n\n"
        f"{settings_table}\n\nPer bead kind, recall (gold beads of the kind found exactly) / "
        "precision (predicted beads of the kind that are right); 1-0/0-1 beads count in "
        "the metric's precision but not its recall:\n\n"
        f"{kinds_table}\n\nDefault encoder (multilingual USE), one embedding per text shared "
        "by every aligner (kept on disk between runs). bialign is the product "
        + (
            "(`Aligner(langs=(X, 'en'), model=encoder).align_documents(x_doc, en_doc)`, and "
            "every peer given the X document first); "
            if args.reverse
            else "(`Aligner(langs=('en', X), model=encoder).align_documents`); "
        )
        + "Bertalign's score: "
        "benchmarks/bertalign_dp.py, a reimplementation from its paper on the same encoder, "
        "searched on the full grid." + zh_gap
    )
    print(strict)
    print(notes)
    if not args.no_write:
        name = "flores_pairs" + ("_reverse" if args.reverse else "")
        name += "" if args.split == "test" else "_dev"
        write_results(
            name,
            f"Other language pairs: FLORES documents with m-n beads ({args.split}"
            + (", the other language first)" if args.reverse else ")"),
            {
                "split": args.split,
                "reverse": args.reverse,
                "settings": {k: asdict(v) for k, v in SETTINGS.items()},
                "pairs": results,
            },
            strict,
            notes,
        )


if __name__ == "__main__":
    main()
