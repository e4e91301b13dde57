"""Sentence retrieval: P@1 in both directions for the encoder bialign uses.

    python benchmarks/retrieval.py [--data ../shared/data] [--model NAME_OR_FOLDER]

For each English sentence, is the nearest Spanish sentence (cosine) its translation, and
the other way round? On Tatoeba spa-eng (1,000 pairs) and FLORES-200 devtest (1,012
pairs). This measures the encoder alone, apart from any alignment algorithm.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import Timer, fmt_table, parser, write_results  # noqa: E402

from bialign.embed import embed_unique, load_embedder  # noqa: E402


def p_at_1(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    sims = a @ b.T
    gold = np.arange(len(a))
    return float((sims.argmax(axis=1) == gold).mean()), float((sims.argmax(axis=0) == gold).mean())


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--model", default=None, help="sentence-transformers model (default: USE)")
    args = p.parse_args()
    sets = {
        "tatoeba_spa_eng": (
            args.data / "tatoeba_spa_eng" / "tatoeba.spa-eng.eng",
            args.data / "tatoeba_spa_eng" / "tatoeba.spa-eng.spa",
        ),
        "flores200_devtest": (
            args.data / "flores200_devtest" / "eng_Latn.devtest",
            args.data / "flores200_devtest" / "spa_Latn.devtest",
        ),
    }
    encoder = load_embedder(args.model)
    name = args.model or "multilingual USE v3 (default)"
    results = {}
    for key, (en_path, es_path) in sets.items():
        en = en_path.read_text(encoding="utf-8").splitlines()
        es = es_path.read_text(encoding="utf-8").splitlines()
        with Timer() as t:
            a = embed_unique(encoder, en)
            b = embed_unique(encoder, es)
        en_es, es_en = p_at_1(a, b)
        results[key] = {"pairs": len(en), "en_to_es": en_es, "es_to_en": es_en,
                        "embed_seconds": t.seconds}  # fmt: skip
        print(key, results[key], flush=True)
    headers = ["data", "pairs", "P@1 en->es", "P@1 es->en", "embed s"]
    rows = [[k, r["pairs"], r["en_to_es"], r["es_to_en"], r["embed_seconds"]]
            for k, r in results.items()]  # fmt: skip
    table = fmt_table(headers, rows)
    notes = f"Encoder: {name}. Nearest neighbour by cosine among all sentences of the set."
    print(table)
    print(notes)
    if not args.no_write:
        write_results("retrieval", "Retrieval P@1 (the encoder alone)",
                      {"encoder": name, "results": results}, table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
