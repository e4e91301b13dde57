"""One typed options object: every entry point takes the same names and checks them
the same way."""

from __future__ import annotations

import numpy as np
import pytest

import bialign
from bialign import AlignConfig, AttachGains, ConfigError, Options
from bialign.search import MIXED


def test_unknown_and_renamed_options_name_the_right_one() -> None:
    with pytest.raises(ConfigError, match="unknown option 'treads'; did you mean 'threads'"):
        bialign.Aligner(treads=2)
    with pytest.raises(ConfigError, match="'min_score' is now min_pair_score=") as err:
        bialign.align("Hello\nHola", min_score=0.2)
    assert err.value.context["option"] == "min_score"
    with pytest.raises(ConfigError, match="docs_config=.*mixed_config="):
        bialign.align_documents(["a"], ["b"], config=AlignConfig())
    with pytest.raises(ConfigError, match="unknown option"):
        list(bialign.align_many(["Hello\nHola"], no_such_option=1))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("split", "words", "split must be one of lines, sentences"),
        ("granularity", "word", "granularity must be one of paragraph, sentence"),
        ("input_format", "pdf", "input_format must be one of auto, html, text, lines"),
        ("min_confidence", 1.5, "min_confidence is a probability"),
        ("threads", 0, "threads must be a whole number"),
        ("docs_config", {"threshold": 0.1}, "docs_config must be a bialign.AlignConfig"),
        ("attach_gains", {"min_gain": 0.1}, "attach_gains must be a bialign.AttachGains"),
    ],
)
def test_bad_values_are_config_errors_with_the_option_named(field, value, message) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        Options(**{field: value})
    assert err.value.context["option"] == field
    assert isinstance(err.value, ValueError)  # ConfigError is also a ValueError


def test_mixed_and_document_settings_are_separate() -> None:
    """A docs_config never replaces the mixed settings (config= used to do both)."""
    strict = AlignConfig(threshold=0.5)
    opts = Options(docs_config=strict)
    prof = bialign.Aligner(opts).encoder_profile
    assert opts.search_config(False, prof) == strict
    assert opts.search_config(True, prof) == prof.align_config(True)
    assert Options(mixed_config=strict).search_config(False, prof) == prof.align_config(False)


def test_options_are_fixed_once_the_aligner_is_built() -> None:
    aligner = bialign.Aligner(Options(threads=1), split="sentences")
    assert aligner.options.split == "sentences" and aligner.options.threads == 1
    with pytest.raises(AttributeError):
        aligner.options.threads = 2  # type: ignore[misc]


def test_attach_gains_inside_the_options_reach_attach(monkeypatch) -> None:
    """attach_gains replace the profile's gains, and the provenance records it."""
    import bialign.pipeline as pipeline

    seen: list[dict[str, float]] = []
    real = pipeline.attach_fragments

    def spy(*args, **kwargs):
        seen.append({k: v for k, v in kwargs.items() if k.startswith("min_gain")})
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "attach_fragments", spy)
    src = ["The committee met on Monday.", "It approved the budget."]
    tgt = ["El comité se reunió el lunes.", "Aprobó el presupuesto."]
    base = bialign.align_documents(src, tgt, progress=False)
    gains = AttachGains(min_gain=0.3, min_gain_sentence=0.1)
    other = bialign.align_documents(src, tgt, progress=False, attach_gains=gains)
    from bialign.attach import MIN_GAIN, MIN_GAIN_LONG, MIN_GAIN_SENTENCE

    assert seen == [{"min_gain": MIN_GAIN, "min_gain_sentence": MIN_GAIN_SENTENCE,
                     "min_gain_long": MIN_GAIN_LONG},
                    {"min_gain": 0.3, "min_gain_sentence": 0.1,
                     "min_gain_long": MIN_GAIN_LONG}]  # fmt: skip
    assert "attach_gains=given" in other.signature and "attach_gains" not in base.signature


def test_changed_lists_only_what_differs() -> None:
    assert Options().changed() == {}
    got = Options(min_pair_score=0.2, input_format="html", docs_config=MIXED).changed()
    assert got == {"min_pair_score": 0.2, "input_format": "html", "docs_config": "given"}
    assert np.isclose(Options(min_confidence=0.9).changed()["min_confidence"], 0.9)


@pytest.mark.parametrize("value", ["0.9", 2, -0.1, float("nan"), True])
def test_min_confidence_must_be_a_number_from_0_to_1(value: object) -> None:
    with pytest.raises(bialign.ConfigError, match="min_confidence is a probability"):
        bialign.Options(min_confidence=value)  # type: ignore[arg-type]
    corpus = bialign.ParallelCorpus([], [], [])
    with pytest.raises(bialign.ConfigError, match="min_confidence is a probability"):
        corpus.filter(min_confidence=value)  # type: ignore[arg-type]


def test_options_built_directly_name_the_option_meant() -> None:
    import pickle

    with pytest.raises(bialign.ConfigError, match="did you mean 'min_confidence'"):
        bialign.Options(min_confidnce=0.5)  # type: ignore[call-arg]
    with pytest.raises(bialign.ConfigError, match="is now"):
        bialign.Options(min_score=0.2)  # type: ignore[call-arg]
    options = bialign.Options(min_confidence=0.5, split="sentences")
    assert pickle.loads(pickle.dumps(options)) == options  # workers get their options so
