"""Mixed pages with another article's paragraphs interleaved: do they stay out of pairs?

    python benchmarks/foreign_lines.py --split dev    # for any decision
    python benchmarks/foreign_lines.py --split test   # looked at once

A page of one source document (benchmarks/hard_data.py: WMT newstest, python_docs_es,
FLORES articles; split by source document) in paragraphs (sentences, for a document of
fewer than MIN_PARAGRAPHS: a FLORES article is one paragraph): every other English unit
is followed by its Spanish translation, the others by a Spanish paragraph of the next
document of the same source (an untranslated paragraph next to a sidebar of another
article, as a new user's trial pages had them). Gold: the translated paragraph pairs.
bialign with its defaults, and with the release of absorbed lines turned off
(``MIXED.absorbed_gain`` = inf, bialign.absorbed), on the same pages; pair precision and
recall, and pages that lost a true pair.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hard_data  # noqa: E402
from common import Timer, fmt_table, parser, write_results  # noqa: E402

import bialign  # noqa: E402
from bialign.search import MIXED  # noqa: E402

MIN_PARAGRAPHS = 6
PAGES_PER_SOURCE = 40

Gold = set[tuple[tuple[int, ...], tuple[int, ...]]]


def _paragraphs(doc: hard_data.SourceDoc) -> list[list[tuple[str, str]]]:
    """The document's paragraphs; its sentences, for a document of few paragraphs (a
    FLORES article is one)."""
    if len(doc.paras) >= MIN_PARAGRAPHS:
        return doc.paras
    return [[unit] for para in doc.paras for unit in para]


def pages(
    data: Path, split: str, keep: Callable[[str], bool] = lambda key: True
) -> list[tuple[str, list[str], Gold]]:
    """The pages of a split; ``keep`` chooses source documents by key (and the documents
    whose paragraphs are interleaved come from those too)."""
    docs = [d for d in hard_data.all_docs(data) if hard_data.split_of(d.key) == split]
    docs = [d for d in docs if keep(d.key)]
    out = []
    for source in ("wmt", "pydocs", "flores"):
        mine = [_paragraphs(d) for d in docs if d.source == source]
        mine = [d for d in mine if len(d) >= MIN_PARAGRAPHS]
        for doc, other in list(zip(mine, mine[1:], strict=False))[:PAGES_PER_SOURCE]:
            foreign = [" ".join(es for _, es in p) for p in other]
            lines: list[str] = []
            gold: Gold = set()
            for i, para in enumerate(doc):
                en, es = " ".join(u[0] for u in para), " ".join(u[1] for u in para)
                if i % 2:
                    lines += [en, foreign[i % len(foreign)]]
                else:
                    gold.add(((len(lines),), (len(lines) + 1,)))
                    lines += [en, es]
            out.append((source, lines, gold))
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--split", choices=("dev", "test"), default="dev")
    args = p.parse_args()
    built = pages(args.data, args.split)
    systems = {
        "bialign (default)": bialign.Aligner(progress=False),
        "without releasing absorbed lines": bialign.Aligner(
            progress=False, mixed_config=replace(MIXED, absorbed_gain=math.inf)
        ),
    }
    rows, numbers = [], {}
    with Timer() as t:
        for name, aligner in systems.items():
            for source in ("all", "wmt", "pydocs", "flores"):
                mine = [x for x in built if source in ("all", x[0])]
                tp = n_pred = n_gold = lost = 0
                for _, lines, gold in mine:
                    pred = {(b.src, b.tgt) for b in aligner.align(lines).pairs}
                    tp += len(pred & gold)
                    n_pred += len(pred)
                    n_gold += len(gold)
                    lost += bool(gold - pred)
                prec, rec = tp / max(1, n_pred), tp / max(1, n_gold)
                rows.append([name, source, len(mine), n_gold, prec, rec, lost])
                numbers[f"{name}/{source}"] = {"pages": len(mine), "gold": n_gold,
                                               "precision": prec, "recall": rec,
                                               "pages_losing_a_pair": lost}  # fmt: skip
    table = fmt_table(
        ["system", "source", "pages", "gold pairs", "P", "R", "pages that lost a pair"], rows
    )
    notes = (
        f"Split {args.split}: pages of {MIN_PARAGRAPHS}+ paragraphs from "
        f"benchmarks/hard_data.py's documents, every other English paragraph followed by "
        f"another document's Spanish paragraph; default encoder; {t.seconds:.0f} s in all."
    )
    print(table + "\n\n" + notes)
    if not args.no_write:
        write_results(
            f"foreign_lines_{args.split}",
            f"Mixed pages with another article's paragraphs interleaved ({args.split})",
            numbers,
            table,
            notes,
        )


if __name__ == "__main__":
    main()
