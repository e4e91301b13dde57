"""From pairs to a dataset: each filter, deduplication, leak-free splits, the card, the
document matcher and `bialign build-dataset` on the repository's examples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bialign import cli
from bialign.dataset import CleanConfig, PairRecord, clean, deduplicate, split
from bialign.docmatch import match_documents

ROOT = Path(__file__).resolve().parents[1]
GOOD = PairRecord("The library opens at nine.", "La biblioteca abre a las nueve.", 0.4, "d1")


@pytest.mark.parametrize(
    ("pair", "reason"),
    [
        (PairRecord("Hello", "", 0.4), "too_short"),
        (PairRecord("word " * 300, "palabra " * 300, 0.4), "too_long"),
        (PairRecord("12:30 - 14:45 | 3/4", "12:30 - 14:45 | 3/4 ok", 0.4), "mostly_non_letters"),
        (
            PairRecord("Python 3.12 release notes", "Python 3.12 Release Notes!", 0.4),
            "identical_sides",
        ),  # fmt: skip
        (
            PairRecord("Yes.", "Sí, y además el ayuntamiento aprobó ayer un presupuesto.", 0.4),
            "length_ratio",
        ),  # fmt: skip
        (PairRecord("It costs 15 euros today.", "Cuesta 40 euros hoy.", 0.4), "numbers_disagree"),
        (PairRecord("The cat sleeps.", "El gato duerme.", 0.05), "low_score"),
    ],
)
def test_each_filter_removes_its_case_and_counts_it(pair: PairRecord, reason: str) -> None:
    kept, report = clean([GOOD, pair], CleanConfig(min_score=0.1))
    assert kept == [GOOD]
    assert dict(report.removed) == {reason: 1} and report.total == 2 and report.kept == 1


def test_the_language_filter_drops_a_side_in_the_wrong_language() -> None:
    swapped = PairRecord("La casa es muy grande y bonita.", "The house is very big.", 0.4)
    kept, report = clean([GOOD, swapped], CleanConfig(langs=("en", "es")))
    assert kept == [GOOD] and report.removed["wrong_language"] == 1


def test_deduplicate_keeps_the_best_copy_of_exact_and_near_duplicates() -> None:
    a = PairRecord("The museum opens on Monday.", "El museo abre el lunes.", 0.3, "d1")
    a_better = PairRecord("the museum opens on monday", "El museo abre el lunes", 0.5, "d2")
    near = PairRecord(
        "The new museum opens on Monday morning at ten o'clock in the old town.",
        "El nuevo museo abre el lunes por la mañana a las diez en el casco antiguo.",
        0.4,
        "d3",
    )
    near2 = PairRecord(
        "The new museum opens on Monday mornings at ten o'clock in the old town.",
        "El nuevo museo abre el lunes por la mañana a las diez en el casco antiguo.",
        0.2,
        "d4",
    )
    kept, counts, groups = deduplicate([a, a_better, near, near2, GOOD])
    assert a_better in kept and a not in kept and near in kept and near2 not in kept
    assert counts == {"exact": 1, "near": 1}
    assert {"d1", "d2"} in groups and {"d3", "d4"} in groups


@settings(max_examples=30, deadline=None)
@given(
    docs=st.lists(st.integers(0, 30), min_size=1, max_size=80),
    links=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=10),
)
def test_split_never_puts_a_document_or_its_duplicates_in_two_splits(
    docs: list[int], links: list[tuple[int, int]]
) -> None:
    pairs = [PairRecord(f"s{k}", f"t{k}", 0.5, f"doc{d}") for k, d in enumerate(docs)]
    groups = [{f"doc{a}", f"doc{b}"} for a, b in links]
    out = split(pairs, {"train": 0.6, "dev": 0.2, "test": 0.2}, groups)
    where: dict[str, set[str]] = {}
    for p in out:
        where.setdefault(p.doc, set()).add(p.split)
    assert all(len(s) == 1 for s in where.values())
    for a, b in links:
        if f"doc{a}" in where and f"doc{b}" in where:
            assert where[f"doc{a}"] == where[f"doc{b}"]


class TopicEncoder:
    """Each text's vector is its 'topic' (the first word after a marker) plus noise, so
    that translations share a direction across languages."""

    def encode(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            topic = t.split("#")[1].split()[0] if "#" in t else t
            seed = sum(map(ord, topic)) * 7919
            base = np.random.default_rng(seed).standard_normal(32)
            noise = np.random.default_rng(sum(map(ord, t))).standard_normal(32) * 0.2
            out.append(base + noise)
        return np.array(out, dtype=np.float32)


def test_match_documents_pairs_translations_and_leaves_the_rest() -> None:
    def doc(name: str, lang: str, n: int = 6) -> str:
        return "\n".join(f"{lang} sentence #{name}{k} about it" for k in range(n))

    en = [doc("a", "en"), doc("b", "en"), doc("c", "en"), doc("lonely", "en")]
    es = [doc("c", "es"), doc("a", "es"), doc("b", "es"), doc("other", "es")]
    matches = match_documents(en, es, model=TopicEncoder())
    assert [(m.src, m.tgt) for m in matches] == [(0, 1), (1, 2), (2, 0)]
    assert all(0.6 <= m.confidence <= 1.0 for m in matches)


def test_a_near_duplicate_does_not_steal_the_translation() -> None:
    lines = [f"en sentence #story{k} here" for k in range(8)]
    updated = lines[:5] + [f"en sentence #new{k} here" for k in range(3)]
    es = ["\n".join(f"es frase #story{k} aquí" for k in range(8))]
    for order in ([lines, updated], [updated, lines]):
        matches = match_documents(["\n".join(x) for x in order], es, model=TopicEncoder())
        (m,) = matches
        assert order[m.src] is lines


def test_build_dataset_on_the_examples_writes_every_format_and_the_card(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    (crawl / "en").mkdir(parents=True)
    (crawl / "es").mkdir()
    (crawl / "news_post.txt").write_bytes((ROOT / "examples" / "news_post.txt").read_bytes())
    (crawl / "en" / "library.txt").write_bytes((ROOT / "examples" / "article.en.txt").read_bytes())
    (crawl / "es" / "b.txt").write_bytes((ROOT / "examples" / "article.es.txt").read_bytes())
    out = tmp_path / "ds"
    code = cli.main(["build-dataset", str(crawl), "-o", str(out), "--no-progress",
                     "--splits", "train=1.0"])  # fmt: skip
    assert code == 0
    info = json.loads((out / "build.json").read_text())
    assert info["documents"] == 3 and info["splits"]["train"] >= 8
    en = (out / "moses" / "train.en").read_text(encoding="utf-8").splitlines()
    # The post's only pair, its dateline, is more digits than letters: the letter-share
    # filter drops it, and the card counts it.
    assert "Posted on 14/03/2026 at 09:30" not in en
    assert info["removed"] == {"mostly_non_letters": 1}
    assert "Children under twelve can borrow up to five books at once." in en
    import datasets
    import pyarrow.parquet as pq

    hf = datasets.load_from_disk(str(out / "hf"))
    assert (
        hf["train"].num_rows == len(en) == pq.read_table(out / "parquet" / "train.parquet").num_rows
    )
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "| matched document pairs | 1 |" in card and "license:" in card
    assert (out / "score_histogram.png").stat().st_size > 1000


def test_the_warc_reader_yields_html_responses(tmp_path: Path) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from bialign.build import read_inputs

    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, ctype, body in [
            ("https://example.org/en/a", "text/html; charset=utf-8", "<p>Hello</p>"),
            ("https://example.org/logo.png", "image/png", "\x89PNG"),
            ("https://example.org/es/a", "text/html; charset=iso-8859-1", "<p>Adiós</p>"),
        ]:
            data = body.encode("latin-1" if "8859" in ctype else "utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.0")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=BytesIO(data), http_headers=headers
                )  # fmt: skip
            )
    docs = list(read_inputs(path))
    assert [(d.id, d.content) for d in docs] == [
        ("https://example.org/en/a", "<p>Hello</p>"),
        ("https://example.org/es/a", "<p>Adiós</p>"),
    ]


def test_publishing_again_leaves_no_split_of_the_earlier_run(tmp_path: Path) -> None:
    from bialign.publish import BuildSummary, publish

    summary = BuildSummary(langs=("en", "es"), sources=["test"])
    pairs = [PairRecord(f"Sentence {k} here.", f"Frase {k} aquí.", 0.5, f"d{k}") for k in range(6)]
    publish(split(pairs, {"train": 0.5, "test": 0.5}), tmp_path, summary)
    assert (tmp_path / "moses" / "test.en").exists()
    publish(split(pairs, {"train": 1.0}), tmp_path, summary)
    assert sorted(p.name for p in (tmp_path / "moses").iterdir()) == ["train.en", "train.es"]
    assert sorted(p.name for p in (tmp_path / "parquet").iterdir()) == ["train.parquet"]
