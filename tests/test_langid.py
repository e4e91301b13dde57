from collections.abc import Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import bialign
from bialign.langid import (
    DECISIVE_WORDS,
    LangdetectDetector,
    SegmentLanguageIdentifier,
    _undetermined,
    content_words,
    is_undetermined,
    undetermined_lines,
)

IDENT = SegmentLanguageIdentifier()


def labels(lines: list[str]) -> list[str]:
    return [lab.lang for lab in IDENT.identify(lines, ("en", "es"))]


def test_short_lines_that_plain_langdetect_gets_wrong() -> None:
    lines = [
        "Rubio denies a finalized deal",
        "Breaking news",
        "He said no.",
        "Leer más",
        "Última hora",
        "Haga clic aquí",
    ]
    # Each line on its own, with no document context to lean on.
    assert [labels([x])[0] for x in lines] == ["en", "en", "en", "es", "es", "es"]


def test_undetermined_segments() -> None:
    for text in [
        "SOURCE: EFE",
        "2026",
        "05/02/2026 19:14",
        "https://example.com/a?b=1",
        "foo@example.org",
        "Marco Rubio",
        "— * —",
        "May 5, 2026",
        "12 de mayo"[:2],
    ]:
        assert is_undetermined(text), text
    # Exclamations and questions are utterances, not names.
    for text in ["Leer más", "Related post", "El presidente", "The president", "Never!",
                 "¡Atención!", '"¡Firmes!"', "¿Qué?", "Why?"]:  # fmt: skip
        assert not is_undetermined(text), text


def test_english_words_lean_less_than_names() -> None:
    # Each word leans 1.0-2.0 to English: language. Names lean less ("Smith" 0.7), or to
    # Spanish, whose entry sets no word_lean ("López" 1.9); an acronym makes a credit.
    for text in ["Introduction", "Core Language", "Abstract", "Next Steps"]:
        assert not is_undetermined(text), text
    for text in ["John Smith", "María López", "Rajoy", "(Source AFP)", "Brown"]:
        assert is_undetermined(text), text
    # Only English leans so: between German and French, no word_lean is set.
    assert is_undetermined("Introduction", ("de", "fr"))


def test_a_leaning_heading_keeps_its_language_on_an_interleaved_page() -> None:
    """An untranslated English heading above an English/Spanish interleaved page: the
    smoothing, which expects a switch at every line there, must not make it Spanish."""
    pairs = [
        ("The committee met on Monday.", "El comité se reunió el lunes."),
        ("It approved the new plan.", "Aprobó el nuevo plan."),
        ("The work would start in May.", "Las obras empezarían en mayo."),
        ("Residents want more buses.", "Los vecinos piden más autobuses."),
    ]
    page = ["Introduction"] + [line for pair in pairs for line in pair]
    labels = IDENT.identify(page, ("en", "es"))
    assert [lab.lang for lab in labels] == ["en"] + ["en", "es"] * 4


def test_languages_without_a_wordfreq_list_here_do_not_fail() -> None:
    # wordfreq needs jieba for Chinese and MeCab for Japanese and Korean (not installed),
    # and has no list for Thai: a short capitalised line in such a pair must still work.
    for pair in [("en", "zh"), ("zh", "en"), ("en", "ja"), ("ko", "en"), ("en", "th")]:
        assert not is_undetermined("Photo: Reuters Weather", pair)
        assert is_undetermined("SOURCE: EFE", pair)


class CountingDetector:
    """Says English for everything, and records which texts it was asked about."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def probabilities(self, texts: Sequence[str], langs: Sequence[str]) -> list[dict[str, float]]:
        self.seen += texts
        return [{"en": 0.98, "es": 0.02} for _ in texts]


def test_long_lines_full_of_function_words_are_decided_by_cues_alone() -> None:
    long_es = "El presidente dijo que la ley de los impuestos es para todos los que la pagan."
    short_es = "Última hora"
    det = CountingDetector()
    labs = SegmentLanguageIdentifier(det).identify(
        [long_es, short_es, "The minister said that the plan is for all of the people."],
        ("en", "es"),
    )
    assert len(long_es.split()) >= DECISIVE_WORDS
    # The detector never saw the long lines, so its wrong "en" could not reach them; the
    # short line needs it, and the cues still outweigh a clipped 0.98 there.
    assert det.seen == [short_es]
    assert [lab.lang for lab in labs] == ["es", "es", "en"]


def test_context_fixes_a_weak_line_in_a_block() -> None:
    doc = [
        "The government announced new measures on Monday.",
        "Officials said the plan would take effect next month.",
        "Rubio denies a finalized deal",
        "The opposition criticised the decision in parliament.",
    ]
    assert labels(doc) == ["en", "en", "en", "en"]


def test_line_interleaved_document_keeps_alternating() -> None:
    doc = [
        "The minister resigned on Friday.",
        "El ministro dimitió el viernes.",
        "He gave no reason.",
        "No dio ninguna razón.",
    ]
    assert labels(doc) == ["en", "es", "en", "es"]


def test_langdetect_backend_is_restricted_to_configured_languages() -> None:
    probs = LangdetectDetector().probabilities(["Das ist ein deutscher Satz."], ("en", "es"))
    assert set(probs[0]) == {"en", "es"}
    assert abs(sum(probs[0].values()) - 1.0) < 1e-9


texts = st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_labels_come_from_the_configured_set_and_repeat(lines: list[str]) -> None:
    first = IDENT.identify(lines, ("en", "es"))
    assert {lab.lang for lab in first} <= {"en", "es", "und"}
    assert all(0.0 <= lab.confidence <= 1.0 for lab in first)
    assert IDENT.identify(lines, ("en", "es")) == first


@settings(max_examples=30, deadline=None)
@given(texts)
def test_labels_do_not_depend_on_earlier_documents(other: list[str]) -> None:
    doc = ["The president spoke today.", "El presidente habló hoy."]
    before = SegmentLanguageIdentifier().identify(doc, ("en", "es"))
    ident = SegmentLanguageIdentifier()
    ident.identify(other, ("en", "es"))
    assert ident.identify(doc, ("en", "es")) == before


_WORDS = ["SOURCE", "EFE", "Marco", "Rubio", "the", "de", "May", "mayo", "Weight", "Yes",
          "www.efe.com", "a@b.org", "2024", "Privacidad", "!", "¿", ".", ":", " "]  # fmt: skip


@given(st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=8))
@settings(max_examples=300, deadline=None)
def test_undetermined_reads_words_only_until_they_decide(parts: list[str]) -> None:
    """The early exit agrees with the rule applied to every content word."""
    from bialign.langid import _undetermined, content_words

    text = " ".join(parts)
    assert is_undetermined(text) == _undetermined(text, content_words(text), ("en", "es"))


_PIECES = ["SOURCE:", "EFE", "Marco", "de", "enero", "lunes", "Jan", "12", "h", "GMT",
           "l'homme", "O'neil", "3rd", "_x", "Yes.", "¡Sí!", "Weight", "ñandú", "Ñu",
           "été", "中文", "’tis", "Éric", "MAY", "mayo", "ªb", "ǅx", "a\u0301b", "x.com",
           "a@b.es"]  # fmt: skip


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6),
       st.sampled_from([" ", "", "'", "’", "-"]))  # fmt: skip
def test_undetermined_shortcuts_agree_with_the_definition(words: list[str], sep: str) -> None:
    """is_undetermined reads as few words as it can; it must say what the rule on all
    the content words says."""
    text = sep.join(words)
    assert is_undetermined(text) == _undetermined(text, content_words(text), ("en", "es"))


# ---------------------------------------------------------------------------------------
# The page as evidence: a name is not written in lower case.

_PAGE = [
    "Loggers",
    "The logging module hands records to loggers, which pass them to handlers.",
    "Registradores",
    "El módulo entrega los registros a los registradores, que los pasan a los manejadores.",
    "Marco Rubio",
    "SOURCE: EFE",
    "The source of the figures was not given.",
]


def test_a_heading_whose_words_the_page_writes_in_lower_case_is_language() -> None:
    found = labels(_PAGE)
    # Which language is the detector's and the context's call; the page says "not a name".
    assert "und" not in found[:4] and found[4] == "und"
    # "SOURCE" is in capitals: a credit, whatever the page writes.
    assert found[5] == "und"
    assert undetermined_lines(_PAGE) == [False, False, False, False, True, True, False]
    # Without the body lines, the same headings are taken for names.
    assert labels(["Loggers", "Registradores", "Marco Rubio"]) == ["und"] * 3


def test_every_word_must_be_written_in_lower_case() -> None:
    page = ["Formatters Loggers", "It configures loggers and their handlers."]
    assert labels(page)[0] == "und"
    assert undetermined_lines(page) == [True, False]
    # Words in capitals are acronyms: the page need not write them.
    assert undetermined_lines(["Loggers API", "(loggers), said the docs."]) == [False, False]
    assert undetermined_lines(["SOURCE: EFE", "the source, efe, said so."])[0]


def test_handles_addresses_and_file_names_do_not_write_a_name_in_lower_case() -> None:
    page = [
        "Marco Rubio",
        "Follow him at @marco_rubio or write to rubio@efe.es.",
        "Photo: rubio_marco.jpg, see www.rubio.com and marco.rubio in the logs.",
    ]
    assert undetermined_lines(page)[0]
    assert labels(page)[0] == "und"


_LINES = st.lists(
    st.sampled_from([*_PIECES, "loggers", "marco", "Loggers", "marco.com"]), max_size=5
).map(" ".join) | st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=6))
@example(["Marco marco.com", "Rubio rubio@efe.es", "Marco @marco"])
def test_the_page_only_ever_takes_und_away(lines: list[str]) -> None:
    """A page can show a line is language, never make language und; alone, a line is
    read as is_undetermined reads it."""
    found = undetermined_lines(lines)
    assert all(is_undetermined(t) or not u for t, u in zip(lines, found, strict=True))
    assert [undetermined_lines([t])[0] for t in lines] == [is_undetermined(t) for t in lines]


# ---------------------------------------------------------------------------------------
# A langs that does not fit the document.

_EN_LONG = [
    "The council approved the new budget on Monday after a long and bitter debate.",
    "Critics argued that the taxes would rise again next year for most families.",
    "The mayor said that the plan would create thousands of new jobs in the city.",
    "Residents will be able to comment on the proposal at a meeting next month.",
]
_ES_LONG = [
    "El consejo aprobó el nuevo presupuesto el lunes tras un largo y amargo debate.",
    "Los críticos argumentaron que los impuestos volverían a subir el año próximo.",
    "El alcalde dijo que el plan crearía miles de nuevos empleos en la ciudad.",
    "Los vecinos podrán opinar sobre la propuesta en una reunión el mes que viene.",
]


class TableDetector:
    """Reads each text as the language a table gives it, sure of it (a stand-in for lingua
    that asserts the languages it is asked about)."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[tuple[str, ...]] = []

    def probabilities(self, texts, langs):  # type: ignore[no-untyped-def]
        self.asked.append(tuple(langs))
        return [{x: 0.97 if x == self.table[t] else 0.03 / (len(langs) - 1) for x in langs}
                for t in texts]  # fmt: skip


def test_foreign_reading_needs_three_and_a_third_of_the_sample_outside_langs() -> None:
    from bialign.langid import FIT_SAMPLE, foreign_reading

    table = {t: "en" for t in _EN_LONG} | {t: "es" for t in _ES_LONG}
    det = TableDetector(table)
    # Spanish spread over both labels of an English/German alignment: found, and the
    # language that does not show (German) makes way in the suggestion.
    found = foreign_reading({"en": _EN_LONG + _ES_LONG[:2], "de": _ES_LONG[2:]}, ("en", "de"), det)
    assert found is not None and (found.other, found.suggested) == ("es", ("en", "es"))
    assert {"en", "de", "es", "fr"} <= set(det.asked[0])  # asked among more languages
    # Right langs: nothing. One foreign segment is not enough; two are when a language of
    # langs shows not once (a short page), three otherwise.
    assert foreign_reading({"en": _EN_LONG, "es": _ES_LONG}, ("en", "es"), det) is None
    assert foreign_reading({"en": _EN_LONG, "de": _ES_LONG[:1]}, ("en", "de"), det) is None
    short = foreign_reading({"en": _EN_LONG[:2], "de": _ES_LONG[:2]}, ("en", "de"), det)
    assert short is not None and short.suggested == ("en", "es")
    # Three Spanish segments among 16 sampled, where English and German both show (a page
    # quoting another language): no wrong langs, but a third language, whose segments
    # the caller takes out of pairing.
    german = [f"Satz Nummer {k} der deutschen Seite, lang genug zum Fragen." for k in range(8)]
    table |= {t: "de" for t in german}
    en_label = [*_EN_LONG, "One more English sentence, long enough to be sampled.", *_ES_LONG[:3]]
    table[en_label[4]] = "en"
    assert len(en_label) == FIT_SAMPLE
    third = foreign_reading({"en": en_label, "de": german}, ("en", "de"), det)
    assert third is not None and (third.other, third.wrong_langs) == ("es", False)
    wrong = foreign_reading({"en": en_label, "de": german[:1]}, ("en", "de"), det)
    assert wrong is not None and wrong.wrong_langs  # German hardly shows
    # Short lines are not asked: "Sí." says nothing about the page.
    assert foreign_reading({"en": ["Sí.", "Vale.", "Hola."], "de": []}, ("en", "de"), det) is None


def test_a_langs_that_does_not_fit_is_refused_with_the_pair_to_use() -> None:
    page = [x for pair in zip(_EN_LONG, _ES_LONG, strict=True) for x in pair]
    with pytest.raises(bialign.LanguageError, match=r"read as 'es'.*\('en', 'es'\)"):
        bialign.align(page, langs=("en", "de"))
    with pytest.raises(bialign.LanguageError, match=r"tgt, given as 'pt', read as 'es'"):
        bialign.align_documents(_EN_LONG, _ES_LONG, langs=("en", "pt"))
    assert len(bialign.align(page).pairs) == 4  # the right langs align as before
    # Given in the wrong order as well, or where the order check would name the wrong
    # language: the document in neither language is named, with the pair to use.
    swapped = r"tgt, given as 'en', read as 'es'.*\('en', 'es'\)"
    with pytest.raises(bialign.LanguageError, match=swapped):
        bialign.align_documents(_EN_LONG, _ES_LONG, langs=("pt", "en"))
    with pytest.raises(bialign.LanguageError, match=r"read as 'es'.*\('en', 'es'\)"):
        bialign.align_documents(_EN_LONG, _ES_LONG, langs=("en", "de"))


_FR_LONG = [
    "Le conseil a approuvé lundi le nouveau budget après un long et âpre débat.",
    "Les critiques ont affirmé que les impôts augmenteraient encore l'an prochain.",
    "Le maire a déclaré que le projet créerait des milliers d'emplois en ville.",
    "Les habitants pourront donner leur avis lors d'une réunion le mois prochain.",
]


def test_a_page_in_a_third_language_as_well_is_not_refused() -> None:
    """English, Spanish and French paragraphs in turn, aligned as English/Spanish: both
    languages of langs show, so the French is a third language of the page, not a sign
    of a wrong langs, and the English/Spanish pairs come out."""
    page = [x for trio in zip(_EN_LONG, _ES_LONG, _FR_LONG, strict=True) for x in trio]
    corpus = bialign.align(page, langs=("en", "es"))
    pairs = {(b.src_text, b.tgt_text) for b in corpus.pairs}
    assert set(zip(_EN_LONG, _ES_LONG, strict=True)) <= pairs
    assert [s.lang for s in corpus.segments] == ["en", "es", "und"] * 4  # French: no pair
    with pytest.raises(bialign.LanguageError, match=r"\('en', 'es'\)"):
        bialign.align(page, langs=("en", "de"))  # German does not show: refused


def test_a_detector_that_knows_only_its_pair_skips_the_fit_check() -> None:
    """A user's detector written for the two languages of langs (it fails on any other,
    or answers nothing) aligns as before: the fit check is skipped, not the alignment."""
    from bialign.langid import LinguaDetector

    class PairOnly(LinguaDetector):
        def probabilities(self, texts, langs):  # type: ignore[no-untyped-def]
            base = super().probabilities(texts, ("en", "es"))
            return [{lang: p[lang] for lang in langs} for p in base]  # KeyError beyond

    class Silent(LinguaDetector):
        def probabilities(self, texts, langs):  # type: ignore[no-untyped-def]
            if len(langs) > 2:
                return [{} for _ in texts]
            return super().probabilities(texts, langs)

    for detector in (PairOnly(), Silent()):
        corpus = bialign.align_documents(_EN_LONG, _ES_LONG, detector=detector)
        assert len(corpus.pairs) == 4
