"""English/Spanish document pairs with m-n gold, generated from WMT news.

    python benchmarks/docs_enes.py [--data ../shared/data] [--year newstest2011] [--seed 7]
    python benchmarks/docs_enes.py --year newstest2010 --seed 99   # the dev split

Every document of the chosen year keeps its order. Within a paragraph, consecutive
segments are merged on one side at realistic rates (about 10% of positions 2-1 or 1-2,
1.5% 3-1 or 1-3, 1% 2-2, the 2-2 made by re-splitting two Spanish sentences at another
word boundary); about 3% of segments are deleted on one side; about 3% boilerplate or
foreign lines are inserted (captions, bylines, "Leer más", a line from another
document). The metric is Text+Berg's (bialign.evaluate): strict and lax bead
precision, recall and F1, pooled over documents, precision over every predicted bead
(1-0 and 0-1 included), recall over the beads with both sides. Peers: Vecalign's DP
(sentalign) and Gale-Church, with the same embeddings (Vecalign also embeds its
overlaps). Embedding and alignment are timed apart.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CachedEncoder, Timer, bead_table, error_table, parser, write_results  # noqa: E402
from peers import run_peers  # noqa: E402
from sgm import load_docs  # noqa: E402

import bialign  # noqa: E402

BOILER_EN = ["Read more", "Share on Facebook", "Photo: Reuters", "By John Smith, Madrid",
             "Advertisement", "Related stories"]  # fmt: skip
BOILER_ES = ["Leer más", "Compartir en Facebook", "Foto: EFE", "Por María López, Madrid",
             "Publicidad", "Noticias relacionadas"]  # fmt: skip

Bead = tuple[tuple[int, ...], tuple[int, ...]]


def build(doc, rng: random.Random, foreign_en: list[str], foreign_es: list[str]):
    """(english segments, spanish segments, gold beads) for one document."""
    src: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []

    def add(en: list[str], es: list[str]) -> None:
        s = tuple(range(len(src), len(src) + len(en)))
        t = tuple(range(len(tgt), len(tgt) + len(es)))
        src.extend(en)
        tgt.extend(es)
        gold.append((s, t))

    def merge(run: list[tuple[str, str]]) -> None:
        """The run's sentences joined into one segment on one side, chosen at random."""
        if rng.random() < 0.5:
            add([" ".join(e for e, _ in run)], [s for _, s in run])
        else:
            add([e for e, _ in run], [" ".join(s for _, s in run)])

    for para in doc:
        k = 0
        while k < len(para):
            r = rng.random()
            left = len(para) - k
            if r < 0.03:  # inserted line on one side
                if rng.random() < 0.5:
                    add([rng.choice(BOILER_EN + [rng.choice(foreign_en)])], [])
                else:
                    add([], [rng.choice(BOILER_ES + [rng.choice(foreign_es)])])
                continue
            en, es = para[k]
            if r < 0.06:  # deleted on one side
                if rng.random() < 0.5:
                    add([en], [])
                else:
                    add([], [es])
                k += 1
            elif r < 0.16 and left >= 2:  # 2-1 or 1-2
                merge(para[k : k + 2])
                k += 2
            elif r < 0.175 and left >= 3:  # 3-1 or 1-3
                merge(para[k : k + 3])
                k += 3
            elif r < 0.185 and left >= 2:  # 2-2: the Spanish split at another word
                pair = para[k : k + 2]
                words = " ".join(s for _, s in pair).split()
                first = len(pair[0][1].split())
                cut = max(1, min(len(words) - 1, first + rng.choice([-3, -2, 2, 3])))
                add([e for e, _ in pair], [" ".join(words[:cut]), " ".join(words[cut:])])
                k += 2
            else:
                add([en], [es])
                k += 1
    return src, tgt, gold


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--year", default="newstest2011")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--no-peers", action="store_true")
    args = p.parse_args()
    rng = random.Random(args.seed)
    other = "newstest2009" if args.year != "newstest2009" else "newstest2008"
    pool = [pair for d in load_docs(args.data, other) for para in d for pair in para]
    foreign_en = [e for e, _ in pool]
    foreign_es = [s for _, s in pool]
    cases = [build(doc, rng, foreign_en, foreign_es) for doc in load_docs(args.data, args.year)]
    gold = [g for _, _, g in cases]
    enc = CachedEncoder()
    for src, tgt, _ in cases:
        enc.encode(src + tgt)
    embed_s = enc.timer.seconds
    aligner = bialign.Aligner(model=enc, progress=False)
    with Timer() as t:
        pred = []
        for src, tgt, _ in cases:
            corpus = aligner.align_documents(src, tgt)
            pred.append([(b.src, b.tgt) for b in corpus.beads])
    runs = {"bialign": (pred, t.seconds)}
    if not args.no_peers:
        runs |= run_peers([(src, tgt) for src, tgt, _ in cases], enc)
    overlap_s = enc.timer.seconds - embed_s
    table, numbers = bead_table(gold, runs)
    errors, error_numbers = error_table(gold, runs)
    kinds: dict[str, int] = {}
    for g in gold:
        for s, t_ in g:
            key = f"{len(s)}-{len(t_)}"
            kinds[key] = kinds.get(key, 0) + 1
    notes = (
        f"{len(cases)} documents of WMT {args.year}, seed {args.seed}: "
        f"{sum(len(c[0]) for c in cases)} English / {sum(len(c[1]) for c in cases)} Spanish "
        f"segments; gold beads {dict(sorted(kinds.items(), key=lambda x: -x[1]))}. "
        f"Embedding every segment once took {embed_s:.1f} s (default encoder); bialign's "
        "'align s' includes its language identification and the joined texts that "
        "bialign.attach embeds. Vecalign's time includes embedding "
        f"its overlaps; Bertalign's score reuses them ({overlap_s:.1f} s in all); bialign "
        "embeds no runs of sentences, only those joined texts. Bertalign's score: "
        "benchmarks/bertalign_dp.py, a reimplementation from its paper on the same encoder, "
        "searched on the full grid.\n\nWrong beads by kind (see the Text+Berg section):\n\n"
        + errors
    )
    print(table)
    print(notes)
    if not args.no_write:
        name = "docs_enes" if args.year == "newstest2011" else f"docs_enes_{args.year}"
        write_results(
            name,
            f"English/Spanish documents with m-n beads ({args.year})",
            numbers
            | {
                "embed_seconds": round(embed_s, 3),
                "overlap_embed_seconds": round(overlap_s, 3),
                "errors": error_numbers,
            },
            table,
            notes,
        )


if __name__ == "__main__":
    main()
