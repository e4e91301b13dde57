"""align() on mixed documents in several layouts, with the embedded default encoder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bialign
from bialign.profile import shipped

EN = [
    "The city council approved the new budget on Tuesday.",
    "Spending on public transport will rise by ten percent.",
    "Critics say the plan ignores the housing crisis.",
    "The mayor promised a second package before the summer.",
]
ES = [
    "El ayuntamiento aprobó el nuevo presupuesto el martes.",
    "El gasto en transporte público aumentará un diez por ciento.",
    "Los críticos dicen que el plan ignora la crisis de la vivienda.",
    "El alcalde prometió un segundo paquete antes del verano.",
]


def _pairs(corpus: bialign.ParallelCorpus) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(p.src, p.tgt) for p in corpus.pairs]


def test_line_interleaved() -> None:
    doc = [x for pair in zip(EN, ES, strict=True) for x in pair]
    assert _pairs(bialign.align(doc)) == [((0,), (1,)), ((2,), (3,)), ((4,), (5,)), ((6,), (7,))]


def test_whole_article_then_translation_with_boilerplate() -> None:
    doc = ["Read in English", *EN, "12/03/2026", "Leer en español", *ES, "SOURCE: EFE"]
    corpus = bialign.align(doc)
    assert _pairs(corpus)[-4:] == [((1,), (7,)), ((2,), (8,)), ((3,), (9,)), ((4,), (10,))]
    assert corpus.segments[5].lang == "und"
    assert corpus.segments[11].lang == "und"


def test_partly_translated_text_leaves_extra_lines_unaligned() -> None:
    doc = [*EN, ES[0], ES[2]]
    assert _pairs(bialign.align(doc)) == [((0,), (4,)), ((2,), (5,))]


def test_string_input_uses_lines() -> None:
    corpus = bialign.align("\n".join([EN[0], "", ES[0]]))
    assert _pairs(corpus) == [((0,), (1,))]


def test_one_language_only_is_an_error() -> None:
    with pytest.raises(bialign.LanguageError, match="no 'es' segment"):
        bialign.align(EN)
    with pytest.raises(bialign.LanguageError, match="no 'en' segment"):
        bialign.align(["2026", "SOURCE: EFE", *ES])


def test_only_und_lines_is_an_error() -> None:
    with pytest.raises(bialign.LanguageError):
        bialign.align(["2026", "19:14", "https://example.com"])


def test_bad_langs_are_rejected() -> None:
    with pytest.raises(bialign.LanguageError):
        bialign.align(EN + ES, langs=("en", "en"))
    with pytest.raises(bialign.LanguageError):
        bialign.align(EN + ES, langs="en-es")  # type: ignore[arg-type]


def test_align_documents_and_swapping_mirrors() -> None:
    fwd = bialign.align_documents(EN, ES)
    back = bialign.align_documents(ES, EN, langs=("es", "en"))
    assert _pairs(fwd) == [((i,), (i,)) for i in range(4)]
    assert [(b.tgt, b.src) for b in back.beads] == [(b.src, b.tgt) for b in fwd.beads]


def test_a_side_in_the_wrong_language_is_an_error_naming_it() -> None:
    # English and Spanish given as German and French: the detector, choosing between de
    # and fr only, would find them in one of those two; asked among more languages, the
    # documents read as what they are, and the error says which langs fit.
    with pytest.raises(bialign.LanguageError, match="src, given as 'de', read as 'en'") as info:
        bialign.align_documents(EN, ES, langs=("de", "fr"))
    assert info.value.found == "en" and "langs=('en', 'es')" in str(info.value)
    # Both languages known but the documents in each other's place: the order check.
    with pytest.raises(bialign.LanguageError, match="given as 'en' but looks 'es'") as info:
        bialign.align_documents(ES, ES, langs=("en", "es"))
    assert info.value.document == "src" and info.value.counts["es"] >= 3


def test_swapped_documents_are_aligned_the_right_way_round_with_a_warning() -> None:
    corpus = bialign.align_documents(ES, EN)
    assert [(p.src_text, p.tgt_text) for p in corpus.pairs] == [
        (p.src_text, p.tgt_text) for p in bialign.align_documents(EN, ES).pairs
    ]
    assert corpus.src_segments[0].text == EN[0]
    assert any("other way round" in w for w in corpus.warnings)


def test_min_score_unpairs_weak_beads() -> None:
    corpus = bialign.align_documents(EN, ES, min_pair_score=10.0)
    assert corpus.pairs == []
    assert len(corpus.beads) == 8


def test_sentence_splitting_with_abbreviations() -> None:
    doc = (
        "El Sr. García llegó ayer. Habló con la prensa.\n"
        "Mr. Smith arrived yesterday. He spoke to the press."
    )
    corpus = bialign.align(doc, split="sentences")
    assert [s.text for s in corpus.segments] == [
        "El Sr. García llegó ayer.",
        "Habló con la prensa.",
        "Mr. Smith arrived yesterday.",
        "He spoke to the press.",
    ]
    assert _pairs(corpus) == [((2,), (0,)), ((3,), (1,))]


def test_align_many_streams_results_and_reports_bad_documents() -> None:
    docs = [EN[:2] + ES[:2], EN, (EN, ES)]
    results = list(bialign.align_many(docs))
    assert [r.index for r in results] == [0, 1, 2]
    assert results[0].corpus is not None and len(results[0].corpus.pairs) == 2
    assert results[1].corpus is None and isinstance(results[1].error, bialign.LanguageError)
    assert results[2].corpus is not None and len(results[2].corpus.pairs) == 4
    with pytest.raises(bialign.LanguageError):
        list(bialign.align_many(docs, on_error="raise"))


@settings(max_examples=12, deadline=None)
@given(
    st.lists(st.sampled_from(EN + ES + ["2026", "Leer más", "Read more"]), min_size=2, max_size=10)
)
def test_mixed_document_invariants(doc: list[str]) -> None:
    try:
        corpus = bialign.align(doc)
    except bialign.LanguageError:
        return
    used = [i for b in corpus.beads for i in (*b.src, *b.tgt)]
    assert len(used) == len(set(used))
    assert sorted(used) == [s.index for s in corpus.segments if s.lang != "und"]
    for b in corpus.beads:
        assert all(corpus.segments[i].lang == "en" for i in b.src)
        assert all(corpus.segments[j].lang == "es" for j in b.tgt)
    src = [b.src[0] for b in corpus.pairs]
    tgt = [b.tgt[0] for b in corpus.pairs]
    assert src == sorted(src) and tgt == sorted(tgt)
    assert bialign.align(doc).beads == corpus.beads


def test_same_corpus_whatever_the_encoder_batch_size_or_threads() -> None:
    from bialign.embed import USEEmbedder
    from bialign.use_encoder import USEncoder

    doc = [
        "The minister resigned on Friday.",
        "El ministro dimitió el viernes.",
        "Prices rose by 3 percent in May.",
        "Los precios subieron un 3 por ciento en mayo.",
        "Read more",
        "SOURCE: EFE",
    ]
    base = bialign.align(doc)
    variants = [(USEncoder(threads=t, batch_tokens=b), 1e-4) for t, b in ((1, 8), (2, 16))]
    # The package's own encoder: the same vectors up to bfloat16 rounding (docs/encoder.md).
    variants += [(USEEmbedder(threads=t, batch_size=b), 2e-3) for t, b in ((1, 1), (2, 256))]
    for model, tol in variants:
        other = bialign.Aligner(model=model).align(doc)
        assert [(b.src, b.tgt) for b in other.beads] == [(b.src, b.tgt) for b in base.beads]
        assert all(
            abs(a.score - b.score) < tol for a, b in zip(other.beads, base.beads, strict=True)
        )


def test_align_segments_takes_segments_as_given_and_checks_embeddings() -> None:
    """The middle layer: no reading, no language check; bad embeddings are named."""
    src = ["The first sentence.", "", "SOURCE: EFE", "A second one."]
    tgt = ["La primera frase.", "Una segunda."]
    emb_src = np.eye(4, 8, dtype=np.float32) * 3.0  # any scale
    emb_tgt = np.stack([np.eye(4, 8)[0], np.eye(4, 8)[3]]).astype(np.float32)
    corpus = bialign.align_segments(
        src, tgt, embeddings=(emb_src, emb_tgt), model=_NoEncoder(), profile=GENERIC
    )
    assert [s.text for s in corpus.src_segments] == src  # never stripped or split
    assert [s.lang for s in corpus.src_segments] == ["en", "und", "und", "en"]
    assert [(p.src, p.tgt) for p in corpus.pairs] == [((0,), (0,)), ((3,), (1,))]
    assert all(1 not in b.src for b in corpus.beads)  # an empty segment takes no part
    with pytest.raises(bialign.ConfigError, match=r"src embeddings have shape \(3, 8\)"):
        bialign.align_segments(src, tgt, embeddings=(emb_src[:3], emb_tgt), model=_NoEncoder())
    with pytest.raises(bialign.ConfigError, match="differ in dimension"):
        bialign.align_segments(src, tgt, embeddings=(emb_src, emb_tgt[:, :4]), model=_NoEncoder())
    with pytest.raises(bialign.InputError, match="list of segment strings"):
        bialign.align_segments("one text", tgt, model=_NoEncoder())


GENERIC = shipped("generic")


class _NoEncoder:
    """An encoder that must not be asked for the segments' vectors."""

    name = "no-encoder"

    def encode(self, texts: list[str]) -> np.ndarray:
        # attach may ask for joined texts; the given segments must never come here
        assert not any(t in ("The first sentence.", "La primera frase.") for t in texts)
        return np.zeros((len(texts), 8), dtype=np.float32)


def test_a_read_document_is_read_and_sampled_once() -> None:
    """Aligner.read: a crawl's page goes through sampling and alignment without being
    read or sampled again, and aligns exactly as the file itself does."""
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    en, es = examples / "article.en.txt", examples / "article.es.txt"
    aligner = bialign.Aligner(progress=False)
    calls: list[int] = []
    identify = aligner._identifier.identify

    def counting(texts, langs):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return identify(texts, langs)

    aligner._identifier.identify = counting  # type: ignore[method-assign]
    read_en, read_es = aligner.read(en, "en"), aligner.read(es, "es")
    assert [s.text for s in read_en.segments] == [
        line for line in en.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    first = aligner.sample_languages(read_en)
    assert aligner.sample_languages(read_en) == first and len(calls) == 1
    from_reads = aligner.align_documents(read_en, read_es)
    assert len(calls) == 2  # only the Spanish page's sample was new
    from_files = aligner.align_documents(en, es)
    assert [(p.src, p.tgt, p.src_text, p.tgt_text) for p in from_reads.pairs] == [
        (p.src, p.tgt, p.src_text, p.tgt_text) for p in from_files.pairs
    ]


def test_the_garbage_collector_is_paused_only_during_a_call(monkeypatch) -> None:
    import gc

    seen: list[bool] = []
    aligner = bialign.Aligner(progress=False)
    real = aligner._align_streams

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(aligner, "_align_streams", spy)
    doc = ["The meeting starts at noon.", "La reunión empieza a mediodía."]
    assert gc.isenabled()
    aligner.align(doc)
    assert gc.isenabled(), "turned back on after the call"
    with pytest.raises(bialign.LanguageError):
        aligner.align(["Only English here.", "Nothing else."])
    assert gc.isenabled(), "turned back on after an error"
    gc.disable()
    try:
        aligner.align_documents([doc[0]], [doc[1]])
        assert not gc.isenabled(), "left off where the caller had turned it off"
    finally:
        gc.enable()
    assert seen == [False, False]


def test_align_segments_with_given_embeddings_loads_no_encoder(monkeypatch) -> None:
    """The profile and the signature need only the encoder's name."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the encoder was loaded")

    monkeypatch.setattr("bialign.pipeline.load_embedder", refuse)
    rng = np.random.default_rng(0)
    s = rng.normal(size=(4, 512)).astype(np.float32)
    t = s + 0.1 * rng.normal(size=(4, 512)).astype(np.float32)
    corpus = bialign.Aligner(attach=False).align_segments(EN, ES, embeddings=(s, t))
    assert [(p.src, p.tgt) for p in corpus.pairs] == [((k,), (k,)) for k in range(4)]
    assert "use-multilingual-v3" in corpus.signature


def test_the_signature_names_an_encoder_the_same_before_and_after_it_loads(tmp_path) -> None:
    """An encoder with an identity and no name, with cache_dir: the cache's wrapper names
    it by its identity, and so does the signature made before the encoder loads."""

    class IdOnly:
        identity = "my-encoder/v1"

        def encode(self, texts):  # type: ignore[no-untyped-def]
            return np.ones((len(texts), 8), dtype=np.float32)

    early = bialign.Aligner(model=IdOnly(), cache_dir=tmp_path).signature(False)
    late = bialign.Aligner(model=IdOnly(), cache_dir=tmp_path)
    assert late.embedder.name == "my-encoder/v1"
    assert late.signature(False) == early
    assert "my-encoder/v1" in early
