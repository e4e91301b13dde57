"""Per-language settings (bialign.languages), the code that reads them, and a
Chinese-English pair end to end."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import bialign
from bialign import consistency, langid
from bialign.consistency import contradicts, quantities
from bialign.errors import ConfigError
from bialign.langid import SegmentLanguageIdentifier, is_undetermined
from bialign.languages import (
    CONTRASTS,
    ENGLISH,
    HAN_LETTERS,
    LANGUAGES,
    SPANISH,
    Contrast,
    Cue,
    Language,
    contrast,
    language,
    text_length,
)
from bialign.sentences import split_text


def test_text_length_counts_a_han_character_as_several_letters() -> None:
    assert text_length("The house is red.") == len("The house is red.")
    assert text_length("Él está aquí.") == len("Él está aquí.")
    assert text_length("房子是红的。") == 5 * HAN_LETTERS + 1
    # Latin names and numbers inside Chinese text count as letters.
    assert text_length("约翰 Smith 4 岁") == 3 * HAN_LETTERS + len(" Smith 4 ")


def test_every_code_has_an_entry() -> None:
    assert language("zh").joiner == "" and not language("zh").spaced
    assert language("es").joiner == " " and language("es").measured
    generic = language("sw")
    assert generic.spaced and generic.joiner == " " and not generic.measured


def test_chinese_paragraphs_split_after_full_width_stops() -> None:
    text = "他补充道：“我们现在有 4 个月大的老鼠。”这项研究仍处在早期阶段。他持怀疑态度！真的吗？"
    assert split_text(text, langs=("en", "zh")) == [
        "他补充道：“我们现在有 4 个月大的老鼠。”",
        "这项研究仍处在早期阶段。",
        "他持怀疑态度！",
        "真的吗？",
    ]
    # A decimal point is no full stop, and English in the same text splits as before.
    assert split_text("价格是3.5元。Dr. Smith agreed. 好的", langs=("zh", "en")) == [
        "价格是3.5元。",
        "Dr. Smith agreed.",
        "好的",
    ]


@pytest.fixture(scope="module")
def flores_zh(data_dir: Path) -> tuple[list[str], list[str]]:
    d = data_dir / "flores200_devtest"
    en = (d / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    zh = (d / "zho_Hans.devtest").read_text(encoding="utf-8").splitlines()
    return en[:8], zh[:8]


def test_english_chinese_documents_with_a_merge(flores_zh: tuple[list[str], list[str]]) -> None:
    en, zh = flores_zh
    # English sentences 2 and 3 are one segment; a capitalised English line has no
    # Chinese counterpart (it used to crash: wordfreq has no Chinese list without jieba).
    src = [*en[:2], f"{en[2]} {en[3]}", "Photo Credits", *en[4:]]
    corpus = bialign.align_documents(src, zh, langs=("en", "zh"))
    pairs = {(b.src, b.tgt): b for b in corpus.beads if b.is_pair}
    assert ((2,), (2, 3)) in pairs
    # Chinese sentences are joined with nothing in between.
    assert pairs[((2,), (2, 3))].tgt_text == zh[2] + zh[3]
    assert ((4,), (4,)) in pairs
    assert all(not b.tgt for b in corpus.beads if 3 in b.src)


# ---------------------------------------------------------------------------------------
# Language knowledge as data: langid and consistency read the entries.


class UnsureDetector:
    """No n-gram evidence at all: every label comes from the entries' cues."""

    def probabilities(self, texts: Sequence[str], langs: Sequence[str]) -> list[dict[str, float]]:
        return [dict.fromkeys(langs, 1.0 / len(langs)) for _ in texts]


def _labels(lines: list[str], langs: tuple[str, str]) -> list[tuple[str, float]]:
    ident = SegmentLanguageIdentifier(UnsureDetector(), smooth=False)
    return [(lab.lang, lab.confidence) for lab in ident.identify(lines, langs)]


@pytest.fixture
def made_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two made-up languages with function words of their own ("qx", "qy")."""
    monkeypatch.setitem(
        LANGUAGES, "qx", Language("qx", "Qexian", function_words=frozenset({"zo", "ka"}))
    )
    monkeypatch.setitem(
        LANGUAGES, "qy", Language("qy", "Qyish", function_words=frozenset({"vu", "le"}))
    )
    langid._pair_cues.cache_clear()
    langid._lexicon.cache_clear()
    yield
    langid._pair_cues.cache_clear()
    langid._lexicon.cache_clear()


def test_a_made_up_language_with_function_words_gets_cue_evidence(made_up: None) -> None:
    lines = ["zo brin ka", "vu brin le", "brin"]
    labs = _labels(lines, ("qx", "qy"))
    assert [lang for lang, _ in labs] == ["qx", "qy", "qx"]
    assert labs[0][1] > 0.9 and labs[1][1] > 0.9
    assert labs[2][1] == 0.5  # no function word: no evidence either way
    # The same evidence whichever language comes first.
    assert [lang for lang, _ in _labels(lines[:2], ("qy", "qx"))] == ["qx", "qy"]
    # A short capitalised line holding a function word is language, not a lone name.
    assert is_undetermined("Brin Dorm", ("qx", "qy"))
    assert not is_undetermined("Zo Dorm", ("qx", "qy"))


def test_a_pair_without_data_gets_no_cue(made_up: None) -> None:
    # French has no function words in its entry, so neither of its pairs has cues:
    # the made-up language's own words count for nothing against it.
    assert language("fr").function_words == frozenset()
    assert {conf for _, conf in _labels(["zo brin ka", "Leer más"], ("qx", "fr"))} == {0.5}
    assert {conf for _, conf in _labels(["Read more", "¿Leer más?"], ("en", "pt"))} == {0.5}
    assert contrast("en", "fr") is None and contrast("qx", "fr") is None
    # Function words alone make a contrast without spelling cues.
    found = contrast("qy", "qx")
    assert found is not None and found.cues == () and set(found.langs) == {"qx", "qy"}


def test_a_contrast_entry_adds_spelling_cues(
    made_up: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = frozenset({"qx", "qy"})
    cues = (Cue("qy", 2.0, "each", ("ŵ",)), Cue("qx", 1.5, "ending", ("ak",), longer_than=3))
    monkeypatch.setitem(CONTRASTS, pair, Contrast(("qx", "qy"), cues=cues))
    langid._pair_cues.cache_clear()
    labs = _labels(["brin ŵŵ", "brinak", "bak"], ("qx", "qy"))
    assert [lang for lang, _ in labs[:2]] == ["qy", "qx"]
    assert labs[0][1] > 0.9 and labs[1][1] > 0.6  # evidence, not a tie's first label
    assert labs[2][1] == 0.5  # "bak" is not longer than 3 letters
    with pytest.raises(ConfigError, match="does not fit"):
        Contrast(("qx", "qy"), cues=(Cue("en", 1.0, "word", ("w",)),))


def test_english_and_spanish_entries_are_what_langid_reads() -> None:
    # With no n-gram evidence, the en/es entries decide: function words, then spelling.
    lines = ["Haga clic aquí", "Read more here", "información", "information", "año", "wealth"]
    assert [lang for lang, _ in _labels(lines, ("en", "es"))] == [
        "es", "en", "es", "en", "es", "en",
    ]  # fmt: skip
    for word in sorted(SPANISH.function_words)[:40]:
        assert _labels([word], ("en", "es"))[0][0] == "es", word
    for word in sorted(ENGLISH.function_words)[:40]:
        assert _labels([word], ("en", "es"))[0][0] == "en", word
    # Shared words are evidence for neither.
    shared = CONTRASTS[frozenset({"en", "es"})].shared
    assert {_labels([w], ("en", "es"))[0][1] for w in shared} == {0.5}
    # Every entry's month and weekday names make a date "no language of its own".
    for lang in LANGUAGES.values():
        for word in lang.dates:
            assert is_undetermined(f"{word.capitalize()} 5, 2026"), word
    # A country's domain marks an address to remove; an entry's question marks make an
    # utterance of a capitalised line.
    assert langid.content_words("Lea elpais.es/hoy") == ["Lea"]
    assert is_undetermined("Marco Rubio") and not is_undetermined("¿Marco Rubio")


def test_english_and_spanish_entries_are_what_consistency_reads() -> None:
    # Each entry's names of languages: two sides naming different languages are vetoed.
    for en_code, en_names in ENGLISH.language_names.items():
        for es_code, es_names in SPANISH.language_names.items():
            src, tgt = f"Read in {en_names[0].title()}", f"Leer en {es_names[-1]}"
            assert contradicts(src, tgt) == (en_code != es_code), (src, tgt)
    # Each scale word scales the number before it; a word for "one" is one.
    for lang in (ENGLISH, SPANISH):
        for word, value in lang.scale_words.items():
            assert 3 * value in quantities(f"3 {word}"), word
            for one in lang.one_words:
                assert value in quantities(f"{one} {word}"), (one, word)
    # Both notations: the decimal mark of one is the group mark of the other (a group
    # mark is followed by three digits: "2,5" is 2.5 only, "2,500" 2.5 or 2500).
    assert {2.5, 2500.0} <= quantities("2,500") and {2.5, 2500.0} <= quantities("2.500")
    assert 25.0 not in quantities("2,5") | quantities("2.5")
    assert 4_700_000 in quantities("4 700 000")
    assert 5 * 10**9 in quantities("5 mil  millones")
    # A decade suffix of an entry reads the decade's short form too.
    assert 80 in quantities("the 1980s") and 80 not in quantities("1980")


def test_a_made_up_entry_adds_its_notations(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Language(
        "qx",
        "Qexian",
        language_names={"qx": ("qexian",), "en": ("anglo",)},
        decimal_marks="'",
        scale_words={"grand lot": 1e4},
        one_words=("uni",),
    )
    monkeypatch.setitem(LANGUAGES, "qx", entry)
    try:
        importlib.reload(consistency)
        assert consistency.contradicts("Read in English", "Qa qexian")
        assert not consistency.contradicts("Read in English", "Qa anglo")
        assert 3.5 in consistency.quantities("3'5")
        assert 1e4 in consistency.quantities("uni grand  lot")
    finally:
        monkeypatch.undo()
        importlib.reload(consistency)
    assert 3.5 not in consistency.quantities("3'5")


def test_no_word_names_two_languages_or_two_scales_across_entries() -> None:
    names: dict[str, str] = {}
    for lang in LANGUAGES.values():
        for code, words in lang.language_names.items():
            for word in words:
                assert names.setdefault(word, code) == code, word
    # The function words of a contrast's two languages do not overlap beyond its shared
    # words (a word of both would count for one of them only).
    for pair in CONTRASTS.values():
        a, b = (language(code).function_words for code in pair.langs)
        assert not (a & b) - pair.shared
