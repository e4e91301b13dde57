"""From pairs to a dataset: each filter, deduplication, leak-free splits, the card, the
document matcher and `bialign build-dataset` on the repository's examples."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bialign
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
        # The default floor: a pair more likely wrong than right is not published.
        (PairRecord("The cat sleeps.", "El gato duerme.", 0.4, confidence=0.3), "low_confidence"),
    ],
)
def test_each_filter_removes_its_case_and_counts_it(pair: PairRecord, reason: str) -> None:
    kept, report = clean([GOOD, pair], CleanConfig(min_score=0.1))
    assert kept == [GOOD]
    assert dict(report.removed) == {reason: 1} and report.total == 2 and report.kept == 1


def test_the_confidence_floor_keeps_pairs_without_a_confidence_and_can_be_lifted() -> None:
    sure = PairRecord("The cat sleeps.", "El gato duerme.", 0.4, confidence=0.5)
    weak = PairRecord("The dog barks.", "El perro ladra.", 0.4, confidence=0.49)
    assert clean([GOOD, sure, weak])[0] == [GOOD, sure]  # GOOD has no confidence: kept
    assert clean([GOOD, sure, weak], CleanConfig(min_confidence=None))[0] == [GOOD, sure, weak]


_TEXT = st.text(st.sampled_from(list("aAbé ñ1²½_.,-!\tΩμ字\u00a0")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_the_copy_and_letter_filters_decide_as_their_definitions(a: str, b: str) -> None:
    """identical_sides is difflib's ratio over the normalised sides (checked first on a
    bag of characters), mostly_non_letters the share of str.isalpha among non-spaces."""
    from difflib import SequenceMatcher

    from bialign.dataset import _identical, _non_letters, _norm

    c = CleanConfig()
    na, nb = _norm(a), _norm(b)
    ratio = SequenceMatcher(None, na, nb, autojunk=False).ratio()
    assert _identical(PairRecord(a, b, 0.0), c) == (na == nb or ratio > c.max_similarity)

    def share(t: str) -> float:
        chars = [ch for ch in t if not ch.isspace()]
        return sum(ch.isalpha() for ch in chars) / max(1, len(chars))

    expected = min(share(a), share(b)) < c.min_letter_share
    assert _non_letters(PairRecord(a, b, 0.0), c) == expected


def test_the_language_filter_drops_a_side_in_the_wrong_language() -> None:
    swapped = PairRecord("La casa es muy grande y bonita.", "The house is very big.", 0.4)
    kept, report = clean([GOOD, swapped], CleanConfig(langs=("en", "es")))
    assert kept == [GOOD] and report.removed["wrong_language"] == 1


def test_the_language_filter_reads_each_pair_alone() -> None:
    """The pairs come from many documents: one document's words in lower case must not
    decide another's name line (a name read as Spanish would drop its pair)."""
    name = PairRecord("Javier Ortega", "Javier Ortega", 0.9, doc="page1")
    other = PairRecord(
        "Ask ortega or javier, the two servers.", "Pregunta a ortega o a javier.", 0.9, "page2"
    )
    from bialign.dataset import CleanReport, _language_filter

    assert _language_filter([name], ("en", "es"), CleanReport()) == [name]
    assert name in _language_filter([name, other], ("en", "es"), CleanReport())


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


def _counting_verify(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    import bialign.docmatch as docmatch

    real, calls = docmatch._verify, []

    def counting(*a: object, **k: object) -> float:
        calls.append(a[2:4])
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(docmatch, "_verify", counting)
    return calls


def test_second_candidates_are_verified_only_for_documents_not_surely_matched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Round one verifies each document's nearest candidate; later rounds the further
    ones, only for documents left unmatched or matched below SURE_SHARE."""
    import bialign.docmatch as docmatch

    calls = _counting_verify(monkeypatch)

    def doc(lang: str, topics: list[str]) -> str:
        return "\n".join(f"{lang} line #{t} here" for t in topics)

    story, own = [f"story{k}" for k in range(8)], [f"own{k}" for k in range(3)]
    clean_en = [doc("en", [f"{d}{k}" for k in range(6)]) for d in "abc"]
    clean_es = [doc("es", [f"{d}{k}" for k in range(6)]) for d in "cab"]
    matches = match_documents(clean_en, clean_es, model=TopicEncoder())
    assert [(m.src, m.tgt) for m in matches] == [(0, 1), (1, 2), (2, 0)]
    assert sorted(calls) == [(0, 1), (1, 2), (2, 0)]  # all sure: no second round
    calls.clear()
    # The second English page shares five of eight lines with the first; its Spanish
    # page translates one of those and its own three (verified at 0.65 < SURE_SHARE).
    en = [doc("en", story), doc("en", story[:5] + own)]
    es = [doc("es", story), doc("es", story[:1] + own), doc("es", ["other"] * 4)]
    matches = match_documents(en, es, model=TopicEncoder())
    assert [(m.src, m.tgt) for m in matches] == [(0, 0), (1, 1)]
    assert matches[1].share < docmatch.SURE_SHARE <= matches[0].share
    first_round = {(0, 0), (1, 1), (0, 2)}
    assert set(calls[: len(first_round)]) == first_round
    assert len(calls) == len(set(calls)) > len(first_round)  # each pair verified once


class TableEncoder:
    """Vectors looked up by text."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([self.table[t] for t in texts], dtype=np.float32)


def test_two_versions_whose_vectors_cross_still_get_their_own_translations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two versions of a story, one paragraph in eleven apart, each translated; the
    vectors make each version nearest to the other's translation (verified at 0.91), so
    the true pairs (1.0) are found only because 0.91 is not sure."""
    calls = _counting_verify(monkeypatch)
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((64, 64)))[0]
    table: dict[str, np.ndarray] = {}

    def doc(tag: str, lang: str, tilt: np.ndarray, own: np.ndarray) -> str:
        lines = []
        for k in range(10):
            table[f"{lang} {tag} shared line {k}"] = basis[k] + 0.3 * tilt
            lines.append(f"{lang} {tag} shared line {k}")
        table[f"{lang} {tag} own paragraph"] = own
        return "\n".join([*lines, f"{lang} {tag} own paragraph"])

    d, e, a, b = basis[10:14]
    en = [doc("i", "en", d, a), doc("i2", "en", e, b)]
    es = [doc("j0", "es", d, b), doc("j", "es", e, a)]  # en 0 <-> es 1, en 1 <-> es 0
    matches = match_documents(en, es, model=TableEncoder(table))
    assert [(m.src, m.tgt, m.share) for m in matches] == [(0, 1, 1.0), (1, 0, 1.0)]
    assert {(0, 0), (1, 1)} <= set(calls)  # the nearer, crossed pairs came first


def test_a_later_round_that_takes_a_partner_lets_the_loser_try_its_other_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Source 0 is surely matched to target 0 after round one (0.995), then goes to
    target 1 (1.0, found in round two); target 0, sure no more, must then have its own
    further candidates verified in a round of their own, and matches source 1."""
    import bialign.docmatch as docmatch

    fwd = np.array([[0, 1], [2, 3], [1, 2], [3, 2]])
    bwd = np.array([[0, 1], [2, 0], [1, 2], [3, 1]])
    nearest = iter([(fwd, np.zeros(4, dtype=bool)), (bwd, np.zeros(4, dtype=bool))])
    monkeypatch.setattr(docmatch, "_nearest", lambda idx, sim, n: next(nearest))
    share = {(0, 0): 0.995, (0, 1): 1.0, (1, 0): 0.8, (2, 1): 0.3}
    calls: list[tuple[int, int]] = []

    def fake(src: object, tgt: object, i: int, j: int, cosine: float) -> float:
        calls.append((i, j))
        return share.get((i, j), 0.1)

    monkeypatch.setattr(docmatch, "_verify", fake)
    docs = ["\n".join(f"w #t{k}{n} x" for n in range(3)) for k in range(4)]
    matches = match_documents(docs, docs, model=TopicEncoder())
    assert [(m.src, m.tgt) for m in matches] == [(0, 1), (1, 0)]
    assert len(calls) == len(set(calls))


def test_a_near_duplicate_does_not_steal_the_translation() -> None:
    lines = [f"en sentence #story{k} here" for k in range(8)]
    updated = lines[:5] + [f"en sentence #new{k} here" for k in range(3)]
    es = ["\n".join(f"es frase #story{k} aquí" for k in range(8))]
    for order in ([lines, updated], [updated, lines]):
        matches = match_documents(["\n".join(x) for x in order], es, model=TopicEncoder())
        (m,) = matches
        assert order[m.src] is lines


def test_build_dataset_takes_a_profile_and_the_card_says_when_confidences_are_generic(
    tmp_path: Path,
) -> None:
    from bialign.build import build_dataset
    from bialign.embed import load_embedder
    from bialign.profile import constant

    crawl = tmp_path / "crawl"
    (crawl / "en").mkdir(parents=True)
    (crawl / "es").mkdir()
    (crawl / "en" / "a.txt").write_bytes((ROOT / "examples" / "article.en.txt").read_bytes())
    (crawl / "es" / "b.txt").write_bytes((ROOT / "examples" / "article.es.txt").read_bytes())
    prof = constant("flat", value=0.93)
    prof.save(tmp_path / "flat.json")
    out = tmp_path / "ds"
    assert cli.main(["build-dataset", str(crawl), "-o", str(out), "--no-progress", "--splits",
                     "train=1.0", "--profile", str(tmp_path / "flat.json")]) == 0  # fmt: skip
    card = (out / "README.md").read_text(encoding="utf-8")
    n = json.loads((out / "build.json").read_text())["splits"]["train"]
    assert f"| 0.9 | {n} |" in card and "| 0.95 | 0 |" in card and "profile:flat@" in card
    assert "generic profile" not in card

    class Unnamed:  # an encoder of the user's with no profile
        inner = load_embedder(None)

        def encode(self, texts: list[str]) -> np.ndarray:
            return self.inner.encode(texts)

    with pytest.warns(bialign.BialignWarning, match="no profile for encoder 'Unnamed'"):
        build_dataset(crawl, tmp_path / "ds2", model=Unnamed(), sizes={"train": 1.0},
                      progress=False)  # fmt: skip
    card = (tmp_path / "ds2" / "README.md").read_text(encoding="utf-8")
    assert "generic profile" in card and "confidence at least" in card
    assert "enc:Unnamed|" in card  # the user's class, not bialign's cache wrapper


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
    assert (out / "confidence_histogram.png").stat().st_size > 1000
    assert "| confidence at least | pairs |" in card and "![confidence histogram]" in card
    tmx = (out / "tmx" / "train.tmx").read_text(encoding="utf-8")
    assert tmx.count('type="x-confidence"') == tmx.count("<tu>") == len(en)
    # How the pairs were made, in every output that has room for it.
    assert info["signature"].startswith("enc:use-multilingual-v3") and "docs" in info["signature"]
    assert "mixed" in info["mixed_signature"]
    assert info["signature"] in tmx and info["signature"] in hf["train"].info.description
    assert f"`{info['signature']}`" in card
    # A rerun replaces the card it wrote, but never one the publisher edited.
    args = ["build-dataset", str(crawl), "-o", str(out), "--no-progress", "--splits", "train=1.0"]
    assert cli.main(args) == 0
    assert not (out / "README.bialign.md").exists()
    edited = card.replace("license:", "license: cc-by-4.0\n# license:")
    (out / "README.md").write_text(edited, encoding="utf-8")
    with pytest.warns(bialign.BialignWarning, match="was edited"):
        assert cli.main(args) == 0
    assert (out / "README.md").read_text(encoding="utf-8") == edited
    assert "license:" in (out / "README.bialign.md").read_text(encoding="utf-8")


def test_build_dataset_on_an_empty_folder_is_an_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "crawl").mkdir()
    assert cli.main(["build-dataset", str(tmp_path / "crawl"), "-o", str(tmp_path / "ds")]) == 2
    assert "holds no documents" in capsys.readouterr().err


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


def test_the_card_shows_confidence_when_pairs_have_it_and_scores_when_not(
    tmp_path: Path,
) -> None:
    """Pairs made outside the aligner carry no confidence: the card says so and draws the
    scores, instead of a table that reads 'no pair reaches 0.5'.
    A rerun with confidences drops the score picture, but never one an edited card
    (kept, the new one beside it) still shows."""
    from bialign.publish import BuildSummary, publish

    summary = BuildSummary(langs=("en", "es"), sources=["test"])
    raw = [
        PairRecord(f"Sentence {k} here.", f"Frase {k} aquí.", 0.1 * k, f"d{k}") for k in range(6)
    ]
    publish(split(raw, {"train": 1.0}), tmp_path, summary)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "carry no `confidence`" in card and "![score histogram](score_histogram.png)" in card
    assert "confidence at least" not in card
    assert (tmp_path / "score_histogram.png").stat().st_size > 1000
    levels = (0.3, 0.6, 0.85, 0.9, 0.97, 1.0)
    calibrated = [replace(p, confidence=c) for p, c in zip(raw, levels, strict=True)]
    publish(split(calibrated, {"train": 1.0}), tmp_path, summary)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    for line in ("| 0.5 | 5 |", "| 0.8 | 4 |", "| 0.9 | 3 |", "| 0.95 | 2 |"):
        assert line in card
    assert not (tmp_path / "score_histogram.png").exists()
    assert (tmp_path / "confidence_histogram.png").exists()
    # A publisher edits the card: the picture it shows stays.
    (tmp_path / "README.md").write_text(card + "\nEdited.\n", encoding="utf-8")
    with pytest.warns(bialign.BialignWarning, match="was edited"):
        publish(split(raw, {"train": 1.0}), tmp_path, summary)
    assert (tmp_path / "confidence_histogram.png").exists()
    assert "carry no `confidence`" in (tmp_path / "README.bialign.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# build-dataset as a long job: resumable after a kill, --workers, progress, bad input.


def _write_crawl(folder: Path, flores: tuple[list[str], list[str]]) -> None:
    """A small crawl of real FLORES sentences: three mixed pages, four one-language pages
    on each side that translate each other (names that do not give the pairs away), an
    English page without a partner that ends with its first line in Spanish (aligned on
    its own as a last chance), and a page with no language (a failed document)."""
    en, es = flores
    folder.mkdir(parents=True)

    def lines(side: list[str], k: int, n: int = 5) -> list[str]:
        return side[100 + 10 * k : 100 + 10 * k + n]

    for k in range(3):
        (folder / f"mixed{k}.txt").write_text(
            "\n".join(lines(en, k) + lines(es, k)), encoding="utf-8"
        )
    for k in range(3, 7):
        (folder / f"en-{k}.txt").write_text("\n".join(lines(en, k, 6)), encoding="utf-8")
        (folder / f"es-{9 - k}x.txt").write_text("\n".join(lines(es, k, 6)), encoding="utf-8")
    lonely = lines(en, 8, 6) + [es[180]]  # its first line's translation
    (folder / "lonely.txt").write_text("\n".join(lonely), encoding="utf-8")
    (folder / "numbers.txt").write_text("12 34\n56 78\n", encoding="utf-8")


def _published(out: Path) -> list[tuple[object, ...]]:
    """Every published row, in order, with its split and the score rounded (a resumed run
    embeds some texts in other batches than an uninterrupted one: the last bits move)."""
    import pyarrow.parquet as pq

    rows = []
    for path in sorted((out / "parquet").iterdir()):
        for r in pq.read_table(path).to_pylist():
            t = r["translation"]
            rows.append((path.stem, r["doc"], t["en"], t["es"], round(r["score"], 5)))
    return rows


@pytest.fixture(scope="module")
def flores_crawl(
    tmp_path_factory: pytest.TempPathFactory, flores: tuple[list[str], list[str]]
) -> tuple[Path, Path]:
    """The crawl and its dataset from one uninterrupted run (workers=1)."""
    from bialign.build import build_dataset

    base = tmp_path_factory.mktemp("crawl")
    _write_crawl(base / "crawl", flores)
    summary = build_dataset(base / "crawl", base / "whole", progress=False)
    assert summary.documents == 13 and summary.mixed_documents == 3
    assert summary.matched_document_pairs == 4 and summary.failed_documents == 1
    assert summary.unmatched_documents == 1 and summary.published >= 35
    assert not (base / "whole" / ".work").exists()  # removed once published
    return base / "crawl", base / "whole"


def test_a_build_killed_at_every_stage_resumes_to_the_same_dataset(
    tmp_path: Path, flores_crawl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while sorting, while aligning a matched pair (its pairs written but not
    committed) and while publishing, resumed each time: the dataset is the uninterrupted
    run's, no pair lost or repeated, and no finished step is done again."""
    import bialign.docmatch
    from bialign import build
    from bialign.pipeline import Aligner

    crawl, whole = flores_crawl
    out = tmp_path / "ds"
    calls = {"sample": 0, "match": 0, "progress": 0}
    sample, match, write_progress = (
        Aligner.sample_languages, bialign.docmatch.match_documents,
        build._WorkFolder._write_progress,
    )  # fmt: skip

    def counting_sample(self: Aligner, *a: object, **k: object) -> dict[str, int]:
        calls["sample"] += 1
        if calls["sample"] == kill_at.get("sample"):
            raise KeyboardInterrupt
        return sample(self, *a, **k)

    def counting_match(*a: object, **k: object) -> object:
        calls["match"] += 1
        return match(*a, **k)  # type: ignore[arg-type]

    def killing_progress(self: object, *a: object) -> None:
        calls["progress"] += 1
        if calls["progress"] == kill_at.get("progress"):
            raise KeyboardInterrupt  # after the pairs were written and synced
        write_progress(self, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(Aligner, "sample_languages", counting_sample)
    monkeypatch.setattr(bialign.docmatch, "match_documents", counting_match)
    monkeypatch.setattr(build._WorkFolder, "_write_progress", killing_progress)

    def run(resume: bool) -> None:
        calls.update(sample=0, match=0, progress=0)
        build.build_dataset(crawl, out, progress=False, resume=resume)

    # 1. Killed sampling the 12th page (the input order: eight one-language pages,
    # lonely.txt, then the mixed pages, of which two are aligned by then).
    kill_at = {"sample": 12}
    with pytest.raises(KeyboardInterrupt):
        run(resume=False)
    work = out / ".work"
    assert len((work / "sort.jsonl").read_text().splitlines()) == 11
    assert [json.loads(x)["task"] for x in (work / "progress.jsonl").read_text().splitlines()
            ] == ["mixed:9", "mixed:10"]  # fmt: skip
    assert not (work / "matches.json").exists()
    # 2. Resumed: the 11 sorted pages are not sampled again, and the two mixed pages are
    # not aligned again. Killed committing the second matched pair (progress records 1-2
    # rewrite the file, 3 is the last mixed page, 4 the first pair): its pairs are in
    # the spool, not in the progress file.
    kill_at = {"progress": 5}
    with pytest.raises(KeyboardInterrupt):
        run(resume=True)
    assert calls["sample"] == 13 - 11 and calls["match"] == 1
    lines = (work / "progress.jsonl").read_text().splitlines()
    assert [json.loads(x)["task"] for x in lines][:3] == ["mixed:9", "mixed:10", "mixed:11"]
    assert len(lines) == 4
    spool = (work / "pairs.jsonl").stat().st_size
    assert spool > json.loads(lines[-1])["offset"]  # the cut-short alignment's pairs
    # 3. Resumed: nothing sampled or matched again; the four alignments left run (the
    # first four records rewrite the file). Killed while publishing.
    monkeypatch.setattr(build, "publish", _raise_interrupt)
    kill_at = {}
    with pytest.raises(KeyboardInterrupt):
        run(resume=True)
    assert calls == {"sample": 0, "match": 0, "progress": 4 + 4}
    # 4. Resumed once more: only the final stage runs, from the complete spool.
    monkeypatch.undo()
    build.build_dataset(crawl, out, progress=False, resume=True)
    assert _published(out) == _published(whole)
    assert json.loads((out / "build.json").read_text()) == json.loads(
        (whole / "build.json").read_text()
    )
    assert not work.exists()
    # 5. Resuming a finished run builds it again, and says so.
    with pytest.warns(bialign.BialignWarning, match="nothing to resume"):
        build.build_dataset(crawl, out, progress=False, resume=True)
    assert _published(out) == _published(whole)


def _raise_interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_two_workers_give_the_dataset_one_gives(
    tmp_path: Path, flores_crawl: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    crawl, whole = flores_crawl
    out = tmp_path / "ds"
    code = cli.main(["build-dataset", str(crawl), "-o", str(out), "--workers", "2",
                     "--progress"])  # fmt: skip
    assert code == 0
    assert _published(out) == _published(whole)
    err = capsys.readouterr().err
    # Each stage's bar knows its total, so that it can show an ETA.
    assert "sorting: 100%" in err and "13/13" in err
    assert "aligning: 100%" in err and "5/5" in err  # 4 matched pairs + 1 last chance
    assert "matching: 100%" in err and "cleaning: 100%" in err


def test_a_killed_build_with_two_workers_resumes_to_the_same_dataset(
    tmp_path: Path, flores_crawl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while committing the second matched pair that came back from the workers;
    resumed on two workers, which find matching's vectors in the work folder's cache."""
    from bialign import build

    crawl, whole = flores_crawl
    out = tmp_path / "ds"
    write_progress = build._WorkFolder._write_progress
    calls = [0]

    def killing_progress(self: object, *a: object) -> None:
        calls[0] += 1
        if calls[0] == 5:  # three mixed pages, one pair, then this one
            raise KeyboardInterrupt
        write_progress(self, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(build._WorkFolder, "_write_progress", killing_progress)
    with pytest.raises(KeyboardInterrupt):
        build.build_dataset(crawl, out, progress=False, workers=2)
    monkeypatch.undo()
    work = out / ".work"
    assert len((work / "progress.jsonl").read_text().splitlines()) == 4
    assert (work / "embeddings" / "embeddings.sqlite").stat().st_size > 0
    build.build_dataset(crawl, out, progress=False, workers=2, resume=True)
    assert _published(out) == _published(whole)
    assert not work.exists()


def test_resume_refuses_other_settings_or_a_changed_input(
    tmp_path: Path, flores: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bialign import build
    from bialign.errors import ConfigError, InputError

    crawl = tmp_path / "crawl"
    _write_crawl(crawl, flores)
    out = tmp_path / "ds"
    monkeypatch.setattr(build, "_match_stage", _raise_interrupt)
    with pytest.raises(KeyboardInterrupt):
        build.build_dataset(crawl, out, progress=False)
    monkeypatch.undo()
    with pytest.raises(ConfigError, match="langs"):
        build.build_dataset(crawl, out, progress=False, resume=True, langs=("es", "en"))
    # Another profile: the records kept were scored under the first one.
    from bialign.profile import constant

    with pytest.raises(ConfigError, match="signatures"):
        build.build_dataset(crawl, out, progress=False, resume=True, profile=constant())
    (crawl / "en-3.txt").rename(crawl / "en-3b.txt")
    with pytest.raises(InputError, match="changed"):
        build.build_dataset(crawl, out, progress=False, resume=True)
    # Without --resume the old work is discarded and the run starts again.
    summary = build.build_dataset(crawl, out, progress=False)
    assert summary.documents == 13 and not (out / ".work").exists()


_FRENCH = (
    "Le conseil municipal a approuvé lundi le nouveau budget après un long débat.\n"
    "Les critiques ont affirmé que les impôts augmenteraient encore l'an prochain.\n"
    "Le maire a déclaré que le projet créerait des milliers d'emplois en ville.\n"
    "Les habitants pourront donner leur avis lors d'une réunion le mois prochain."
)


def test_a_bad_record_or_page_fails_alone_and_is_named(tmp_path: Path, capsys) -> None:
    """An unreadable JSONL record, like an unreadable page, is skipped, not the end of the
    run: the run says which documents failed and why (stderr, build.json, the card). A
    split that gets no document is warned about; the output may not sit in the input."""
    en = (ROOT / "examples" / "article.en.txt").read_text(encoding="utf-8")
    es = (ROOT / "examples" / "article.es.txt").read_text(encoding="utf-8")
    lines = [
        json.dumps({"url": "https://example.org/en/library", "text": en}),
        '{"url": "https://example.org/broken", "txt": "no text field"}',
        "not json at all",
        json.dumps({"url": "https://example.org/es/biblioteca", "text": es}),
        json.dumps({"url": "https://example.org/empty", "text": "   "}),
        json.dumps({"url": "https://example.org/fr", "text": _FRENCH}),  # neither language
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    data += '{"url": "https://example.org/latin1", "text": "caf\u00e9"}\n'.encode("latin-1")
    (tmp_path / "pages.jsonl").write_bytes(data)
    out = tmp_path / "ds"
    args = ["build-dataset", str(tmp_path / "pages.jsonl"), "-o", str(out), "--no-progress",
            "--splits", "train=0.5", "test=0.5"]  # fmt: skip
    with pytest.warns(bialign.BialignWarning, match="got no pairs"):
        assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "5 document(s) failed and were skipped" in err and "pages.jsonl line 2" in err
    info = json.loads((out / "build.json").read_text())
    assert info["failed_documents"] == 5 and len(info["splits"]) == 1  # one document pair
    reasons = dict(info["failures"])
    assert reasons["pages.jsonl line 2"] == "needs a 'text' or 'html' string"
    assert reasons["pages.jsonl line 3"].startswith("not JSON")
    assert "has no text" in reasons["https://example.org/empty"]
    assert reasons["pages.jsonl line 7"] == "not valid UTF-8 (byte 0xe9)"
    assert "reads as 'fr'" in reasons["https://example.org/fr"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "- `pages.jsonl line 3`: not JSON" in card
    assert info["matched_document_pairs"] == 1 and sum(info["splits"].values()) >= 8
    # The dataset may not be written into the folder it is built from.
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a.txt").write_text(en, encoding="utf-8")
    for inside in (crawl, crawl / "out"):
        assert cli.main(["build-dataset", str(crawl), "-o", str(inside)]) == 2
        assert "inside the input folder" in capsys.readouterr().err
    assert sorted(p.name for p in crawl.iterdir()) == ["a.txt"]


def test_bad_build_settings_fail_before_any_work(tmp_path: Path) -> None:
    from bialign.build import build_dataset
    from bialign.errors import ConfigError, InputError

    out = tmp_path / "ds"
    with pytest.raises(ConfigError, match="workers"):
        build_dataset(ROOT / "examples", out, workers=0)
    with pytest.raises(ConfigError, match="encoder object"):
        build_dataset(ROOT / "examples", out, workers=2, model=TopicEncoder())
    with pytest.raises(ConfigError, match="threads"):
        build_dataset(ROOT / "examples", out, threads=0)
    with pytest.raises(InputError, match="no such file"):
        build_dataset(tmp_path / "missing", out)
    with pytest.raises(InputError, match="give a folder"):
        build_dataset(ROOT / "README.md", out)
    assert not out.exists()
    assert cli.main(["build-dataset", str(ROOT / "examples"), "-o", str(out),
                     "--workers", "0"]) == 2  # fmt: skip


def test_ctrl_c_in_build_dataset_is_one_line_and_resumes(
    tmp_path: Path, flores: tuple[list[str], list[str]], ctrl_c
) -> None:
    """A real SIGINT to the command: one line that says how to go on, exit 130; the
    resumed run publishes what an uninterrupted run publishes."""
    import subprocess
    import sys

    en, es = flores
    crawl = tmp_path / "pages.jsonl"
    pages = [{"id": f"p{k}", "text": "\n".join(en[3 * k : 3 * k + 3] + es[3 * k : 3 * k + 3])}
             for k in range(60)]  # fmt: skip
    crawl.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    cmd = [sys.executable, "-m", "bialign.cli", "build-dataset", str(crawl), "-o"]
    whole = subprocess.run([*cmd, str(tmp_path / "whole")], capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "ds"
    progress = out / ".work" / "progress.jsonl"
    line = ctrl_c(
        [*cmd, str(out)], lambda: progress.exists() and progress.read_text().count("\n") >= 2
    )
    assert "interrupted" in line and "--resume" in line and "documents sorted" in line
    done = int(line.split(", ")[1].split()[0])
    assert 2 <= done < 60, line
    resumed = subprocess.run([*cmd, str(out), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert _published(out) == _published(tmp_path / "whole")


def test_the_work_folder_drops_what_a_kill_cut_off_and_refuses_a_short_spool(
    tmp_path: Path,
) -> None:
    from bialign.build import _Decision, _WorkFolder
    from bialign.errors import BialignError

    folder, run = tmp_path / ".work", {"input": "crawl", "langs": ["en", "es"]}
    pair = PairRecord("The cat sleeps.", "El gato duerme.", 0.5, "d0", confidence=0.9)
    with _WorkFolder(folder, run, resume=False) as work:
        for k in range(3):
            work.add_decision(_Decision(f"p{k}", "mixed", 1, [[["en", "es"], "x"], {"en": 3}]))
        work.commit("mixed:0", [pair], failed=0)
        work.commit("mixed:1", [], failed=1)
    size = (folder / "pairs.jsonl").stat().st_size
    # A kill in the middle of the next alignment and of the next lines.
    with open(folder / "pairs.jsonl", "ab") as f:
        f.write(b'{"src": "half a pa')
    with open(folder / "progress.jsonl", "a") as f:
        f.write('{"task": "mixed:2", "off')
    with open(folder / "sort.jsonl", "a") as f:
        f.write('{"k": 3, "id": "p')
    with _WorkFolder(folder, run, resume=True) as work:
        assert [d.id for d in work.decisions] == ["p0", "p1", "p2"] and not work.sorted_all
        assert work.decisions[0].sampled == [[["en", "es"], "x"], {"en": 3}]
        assert list(work.committed) == ["mixed:0", "mixed:1"]
        assert list(work.records()) == [pair]
    assert (folder / "pairs.jsonl").stat().st_size == size
    for name in ("progress.jsonl", "sort.jsonl"):  # rewritten without the cut-off line
        assert all(json.loads(x) for x in (folder / name).read_text().splitlines())
    # A work folder from before hreflang links and addresses were recorded still loads.
    lines = (folder / "sort.jsonl").read_text().splitlines()
    old = [json.loads(x) for x in lines]
    for rec in old:
        rec.pop("links", None), rec.pop("url", None)
    (folder / "sort.jsonl").write_text("".join(json.dumps(r) + "\n" for r in old))
    with _WorkFolder(folder, run, resume=True) as work:
        assert [(d.id, d.links, d.url) for d in work.decisions][:1] == [("p0", {}, "")]
    with pytest.raises(BialignError, match="other settings"):
        _WorkFolder(folder, {**run, "langs": ["es", "en"]}, resume=True)
    (folder / "pairs.jsonl").write_bytes(b"")
    with pytest.raises(BialignError, match="rerun without --resume"):
        _WorkFolder(folder, run, resume=True)
    # Without resume, the work is discarded.
    with _WorkFolder(folder, run, resume=False) as work:
        assert not work.decisions and not work.committed


def test_a_build_killed_while_matching_goes_on_without_verifying_again(
    tmp_path: Path, flores_crawl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after three candidate pairs were verified: the resumed run verifies only
    the others, and publishes the uninterrupted run's dataset."""
    import bialign.docmatch as docmatch
    from bialign import build

    crawl, whole = flores_crawl
    out = tmp_path / "ds"
    real, calls = docmatch._verify, []

    def counting(*a: object, **k: object) -> float:
        calls.append(a[2:4])
        if kill_after and len(calls) > kill_after:
            raise KeyboardInterrupt
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(docmatch, "_verify", counting)
    kill_after = 0
    build.build_dataset(crawl, tmp_path / "full", progress=False)
    total = len(calls)
    assert total > 3
    calls.clear()
    kill_after = 3
    with pytest.raises(KeyboardInterrupt):
        build.build_dataset(crawl, out, progress=False)
    with open(out / build.WORK_FOLDER / "verified.jsonl", "a") as f:
        f.write('{"s": 0, "t"')  # a line the kill cut off
    first = calls[:3]
    calls.clear()
    kill_after = 0
    build.build_dataset(crawl, out, progress=False, resume=True)
    assert len(calls) == total - 3 and not set(calls) & set(first)
    assert _published(out) == _published(whole)


def test_match_documents_refuses_file_names_and_non_lists(tmp_path) -> None:
    (tmp_path / "en.txt").write_text("The cat sleeps.\n", encoding="utf-8")
    name = str(tmp_path / "en.txt")
    with pytest.raises(bialign.InputError, match=r"src_docs\[0\] is the name of a file"):
        match_documents([name], ["El gato duerme."], model=TopicEncoder())
    with pytest.raises(bialign.InputError, match="src_docs must be a list of documents"):
        match_documents(None, ["El gato duerme."], model=TopicEncoder())  # type: ignore[arg-type]
