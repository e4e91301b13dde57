"""Per-language settings (bialign.languages) and a Chinese-English pair end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

import bialign
from bialign.languages import HAN_LETTERS, language, text_length
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
