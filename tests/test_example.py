"""The real bilingual news post: exactly the datelines pair, both Spanish lines es."""

from pathlib import Path

from conftest import EXAMPLE

import bialign


def test_example_post_pairs_exactly_the_datelines() -> None:
    corpus = bialign.align(Path(EXAMPLE))
    pairs = [(p.src_text, p.tgt_text) for p in corpus.pairs]
    assert pairs == [("Posted on 05/02/2026 at 19:14", "Publicado el 05/02/2026 a las 19:14")]


def test_example_post_language_labels() -> None:
    corpus = bialign.align(Path(EXAMPLE))
    spanish = [s.text for s in corpus.segments if s.lang == "es"]
    assert spanish == [
        "Publicado el 05/02/2026 a las 19:14",
        "Marco Rubio admite contactos con Argentina sobre migrantes deportados",
    ]
    others = {s.lang for s in corpus.segments if s.text not in spanish}
    assert others <= {"en", "und"}
    assert [s.text for s in corpus.segments if s.lang == "und"] == ["SOURCE: EFE"]


def test_example_post_every_segment_in_one_bead() -> None:
    corpus = bialign.align(Path(EXAMPLE))
    used = [i for b in corpus.beads for i in (*b.src, *b.tgt)]
    labelled = [s.index for s in corpus.segments if s.lang != "und"]
    assert sorted(used) == labelled
