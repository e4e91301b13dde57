"""Sentence boundaries in English and Spanish paragraphs: maintained splitters compared.

    python benchmarks/sentences.py [--data ../shared/data] [--split dev|test]

Paragraphs with known boundaries are built by joining sentences back together: the
FLORES-200 devtest sentences of each source article (grouped by URL), and the segments
of each WMT newstest 2008-2011 paragraph. Documents are split into dev and test by a
hash of their id; decisions are made on dev. The score is boundary precision, recall
and F1 per language (a boundary is the offset where a sentence starts, the first one
apart). A second table runs the hand-written hard cases of tests/test_sentences.py
(quotes, abbreviations of both languages, decimals and times, ellipses, ¿ ¡, lines that
mix the two languages). A third table scores the FLORES articles of the same split in
French, Portuguese and German.

A FLORES line or a WMT segment is a translation unit, not always one sentence. Units that
every splitter compared here splits (two sentences, surely) and units that do not end
with sentence punctuation (headlines) are left out, cutting their paragraph there; the
abbreviations, quotes and numbers the splitters disagree on stay in.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from common import Timer, fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

YEARS = ("news-test2008", "newstest2009", "newstest2010", "newstest2011")
Paragraph = tuple[str, list[str]]  # (source, sentences)


def split_of(doc_id: str) -> str:
    return "dev" if hashlib.md5(doc_id.encode()).digest()[0] % 2 == 0 else "test"


_END = tuple(".!?…\"”»'’)")


def clean_runs(lang: str, units: list[str], judges: list[Any]) -> list[list[str]]:
    """Runs of consecutive units that are one sentence each, as far as can be told
    without a splitter's bias: a unit must end with sentence punctuation (headlines do
    not), and is dropped when every judge splitter finds a boundary inside it (FLORES
    lines and WMT segments sometimes hold two sentences). The paragraph is cut there."""
    runs: list[list[str]] = [[]]
    for u in units:
        inside = all(len([x for x in j(lang, u) if x.strip()]) > 1 for j in judges)
        if u.rstrip().endswith(_END) and not inside:
            runs[-1].append(u)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) > 1]


def paragraphs(data: Path, split: str, max_wmt: int) -> dict[str, list[Paragraph]]:
    """Per language, the paragraphs of the split: (source, sentences)."""
    judges = [make() for name, make in SPLITTERS.items() if not name.startswith("bialign")]
    out: dict[str, list[Paragraph]] = {"en": [], "es": []}
    d = data / "flores200_devtest"
    urls = (d / "metadata_devtest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for lang, f in (("en", "eng_Latn.devtest"), ("es", "spa_Latn.devtest")):
        lines = (d / f).read_text(encoding="utf-8").splitlines()
        groups: dict[str, list[str]] = defaultdict(list)
        for url, line in zip(urls, lines, strict=True):
            groups[url.split("\t")[0]].append(line.strip())
        for url, sents in groups.items():
            if split_of(url) == split:
                out[lang] += [("flores", r) for r in clean_runs(lang, sents, judges)]
    wmt: dict[str, list[Paragraph]] = {"en": [], "es": []}
    for year in YEARS:
        for k, doc in enumerate(load_docs(data, year)):
            if split_of(f"{year}/{k}") != split:
                continue
            for para in doc:
                for lang, units in (("en", [e for e, _ in para]), ("es", [s for _, s in para])):
                    if len(wmt[lang]) < max_wmt:
                        wmt[lang] += [("wmt", r) for r in clean_runs(lang, units, judges)]
    for lang in out:
        out[lang] += wmt[lang]
    return out


#: FLORES files of the other languages with sentence rules of their own in bialign's
#: splitter (the guillemet rule of bialign.sentences was found on these).
OTHER_FLORES = {"fr": "fra_Latn.devtest", "pt": "por_Latn.devtest", "de": "deu_Latn.devtest"}
#: Splitters that read every language (pysbd has no Portuguese).
OTHER_SPLITTERS = ("bialign, one-language document (its language's rules)", "sentencex",
                   "syntok", "blingfire")  # fmt: skip


def other_languages(data: Path, split: str) -> dict[str, list[Paragraph]]:
    """The FLORES paragraphs of the split in French, Portuguese and German, built as the
    English and Spanish ones are (the judges: the splitters that read those languages)."""
    judges = [SPLITTERS[name]() for name in OTHER_SPLITTERS[1:]]
    d = data / "flores200_devtest"
    urls = (d / "metadata_devtest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out: dict[str, list[Paragraph]] = {}
    for lang, f in OTHER_FLORES.items():
        lines = (d / f).read_text(encoding="utf-8").splitlines()
        groups: dict[str, list[str]] = defaultdict(list)
        for url, line in zip(urls, lines, strict=True):
            groups[url.split("\t")[0]].append(line.strip())
        out[lang] = [("flores", r) for url, sents in groups.items() if split_of(url) == split
                     for r in clean_runs(lang, sents, judges)]  # fmt: skip
    return out


def boundaries(text: str, pieces: list[str]) -> set[int]:
    """Offsets in ``text`` where the pieces after the first start."""
    out, pos = set(), 0
    for k, piece in enumerate(pieces):
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, pos)
        if at < 0:  # a splitter that altered the text: align on its first word
            at = text.find(piece.split()[0], pos)
        if at < 0:
            continue
        if k and at > 0:
            out.add(at)
        pos = at + len(piece)
    return out


# -- the splitters ----------------------------------------------------------------------


def _sentencex() -> Callable[[str, str], list[str]]:
    from sentencex import segment

    return lambda lang, text: list(segment(lang, text))


def _pysbd() -> Callable[[str, str], list[str]]:
    import pysbd

    seg = {lang: pysbd.Segmenter(language=lang, clean=False) for lang in ("en", "es")}
    return lambda lang, text: seg[lang].segment(text)


def _syntok() -> Callable[[str, str], list[str]]:
    import syntok.segmenter as sy

    def split(lang: str, text: str) -> list[str]:
        return [
            "".join(t.spacing + t.value for t in sent) for para in sy.analyze(text) for sent in para
        ]

    return split


def _blingfire() -> Callable[[str, str], list[str]]:
    import blingfire

    return lambda lang, text: blingfire.text_to_sentences(text).split("\n")


def _sentencex_own() -> Callable[[str, str], list[str]]:
    from sentencex import segment

    return lambda lang, text: list(segment(lang, text))


def _bialign() -> Callable[[str, str], list[str]]:
    """As in a mixed page: a boundary must hold under both languages' rules."""
    from bialign.sentences import split_text

    return lambda lang, text: split_text(text, lang)


def _bialign_own() -> Callable[[str, str], list[str]]:
    """As in a one-language document (split_sentences with the document's language)."""
    from bialign.sentences import split_text

    return lambda lang, text: split_text(text, lang, langs=(lang,))


SPLITTERS: dict[str, Callable[[], Callable[[str, str], list[str]]]] = {
    "bialign, one-language document (its language's rules)": _bialign_own,
    "bialign, mixed page (syntok, confirmed by sentencex under both languages' rules)": (_bialign),
    "sentencex": _sentencex,
    "pysbd": _pysbd,
    "syntok": _syntok,
    "blingfire": _blingfire,
}


def evaluate(split_fn: Callable[[str, str], list[str]], paras: list[Paragraph], lang: str):
    tp = fp = fn = 0
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, sents in paras:
        text = " ".join(sents)
        gold = boundaries(text, sents)
        pred = boundaries(text, split_fn(lang, text))
        t, p, n = len(gold & pred), len(pred - gold), len(gold - pred)
        tp, fp, fn = tp + t, fp + p, fn + n
        for k, v in zip((0, 1, 2), (t, p, n), strict=True):
            by_source[source][k] += v
    return _prf(tp, fp, fn), {s: _prf(*v) for s, v in by_source.items()}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"P": round(p, 4), "R": round(r, 4), "F1": round(2 * p * r / (p + r) if p + r else 0, 4)}


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--split", choices=("dev", "test"), default="dev")
    p.add_argument("--max-wmt", type=int, default=1500, help="WMT paragraphs per language")
    args = p.parse_args()
    from test_sentences import HARD_CASES

    data = paragraphs(args.data, args.split, args.max_wmt)
    results: dict[str, Any] = {}
    rows, hard_rows = [], []
    for name, make in SPLITTERS.items():
        fn = make()
        entry: dict[str, Any] = {}
        with Timer() as t:
            for lang in ("en", "es"):
                total, per_source = evaluate(fn, data[lang], lang)
                entry[lang] = {"all": total, **per_source}
        entry["seconds"] = round(t.seconds, 2)
        ok = [
            [x.strip() for x in fn(lang, text) if x.strip()] == expected
            for lang, text, expected in HARD_CASES
        ]
        entry["hard_cases"] = f"{sum(ok)}/{len(ok)}"
        results[name] = entry
        rows.append([name, entry["en"]["all"]["F1"], entry["en"]["flores"]["F1"],
                     entry["en"]["wmt"]["F1"], entry["es"]["all"]["F1"],
                     entry["es"]["flores"]["F1"], entry["es"]["wmt"]["F1"],
                     entry["hard_cases"], entry["seconds"]])  # fmt: skip
        failed = [text for (_, text, _), good in zip(HARD_CASES, ok, strict=True) if not good]
        hard_rows.append([name, "; ".join(f"`{t[:40]}`" for t in failed[:4]) or "-"])
        print(name, entry, flush=True)
    headers = ["splitter", "en F1", "en FLORES", "en WMT", "es F1", "es FLORES", "es WMT",
               "hard cases", "seconds"]  # fmt: skip
    table = fmt_table(headers, rows)
    n = {lang: sum(len(s) - 1 for _, s in data[lang]) for lang in data}
    notes = (
        f"Boundary F1 on the {args.split} split ({n['en']:,} English and {n['es']:,} Spanish "
        "boundaries). Hard cases each splitter gets wrong (first four):\n\n"
        + fmt_table(["splitter", "failed hard cases"], hard_rows)
    )
    others = other_languages(args.data, args.split)
    other_rows, other_results = [], {}
    for name in OTHER_SPLITTERS:
        fn = SPLITTERS[name]()
        other_results[name] = {lang: evaluate(fn, paras, lang)[0] for lang, paras in others.items()}
        other_rows.append([name, *(other_results[name][lang]["F1"] for lang in others)])
    n_other = {lang: sum(len(s) - 1 for _, s in paras) for lang, paras in others.items()}
    notes += (
        "\n\nFLORES articles of the same split in the other languages with sentence rules "
        "of their own ("
        + ", ".join(f"{n_other[lang]:,} {lang}" for lang in others)
        + " boundaries; bialign's rule for a guillemet after a sentence's end was found on "
        "the French of both splits):\n\n"
        + fmt_table(["splitter", *(f"{lang} F1" for lang in others)], other_rows)
    )
    print(table)
    print(notes)
    if not args.no_write:
        write_results(
            f"sentences_{args.split}",
            f"Sentence boundaries, English and Spanish ({args.split})",
            {
                "split": args.split,
                "boundaries": n,
                "splitters": results,
                "other_languages": {"boundaries": n_other, "splitters": other_results},
            },
            table,
            notes,
        )


if __name__ == "__main__":
    main()
