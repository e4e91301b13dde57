"""Every setting of an alignment, in one typed object.

:class:`Options` is what :func:`bialign.align`, :func:`bialign.align_documents`,
:func:`bialign.align_segments`, :class:`bialign.Aligner`, :func:`bialign.align_many`, the
command line and Ray share. A keyword given to any of them is a field here, with one
name, one type and one check, so a misspelt or misplaced setting fails in the same way
everywhere (:class:`~bialign.errors.ConfigError`) instead of being ignored.

The thresholds, by what they do:

- ``docs_config.threshold`` / ``mixed_config.threshold`` (:class:`AlignConfig`): inside
  the search, the score a pair must beat to be formed at all;
- ``min_pair_score``: after the search, pairs whose raw score (the encoder's own scale)
  is below it are unpaired and their segments scored as unaligned;
- ``min_confidence``: the same on the calibrated confidence (0-1).

``ParallelCorpus.filter`` keeps pairs at or above a score or confidence after the fact,
without rescoring; it is a method of the result, not an option.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from .attach import MIN_GAIN, MIN_GAIN_LONG, MIN_GAIN_SENTENCE, RELIABLE_COSINE
from .errors import ConfigError, LanguageError
from .search import AlignConfig

if TYPE_CHECKING:  # pragma: no cover
    from .embed import Embedder
    from .langid import LanguageDetector
    from .profile import Profile

InputFormat = Literal["auto", "html", "text", "lines"]
Split = Literal["lines", "sentences"]
Granularity = Literal["paragraph", "sentence"]

INPUT_FORMATS: tuple[str, ...] = get_args(InputFormat)
SPLIT_MODES: tuple[str, ...] = get_args(Split)
GRANULARITIES: tuple[str, ...] = get_args(Granularity)


@dataclass(frozen=True)
class AttachGains:
    """How much closer a neighbouring pair's joined text must come to its translation
    for an unaligned segment to join it (:mod:`bialign.attach`)."""

    #: For a segment that does not end in punctuation (a heading, a fragment).
    min_gain: float = MIN_GAIN
    #: For a segment ending in punctuation: a clause of a split sentence may join on a
    #: small loss.
    min_gain_sentence: float = MIN_GAIN_SENTENCE
    #: For a whole sentence (bialign.attach.LONG_CHARS or more) ending like one.
    min_gain_long: float = MIN_GAIN_LONG
    #: Members of m-n pairs other than headings are let go on the same test only in a
    #: document whose one-to-one pairs have at least this median cosine (bialign.attach).
    reliable_cosine: float = RELIABLE_COSINE


@dataclass(frozen=True)
class Options:
    """The settings of an alignment (see the module docstring for the thresholds)."""

    #: The two languages: source (the ``src`` columns) and target.
    langs: tuple[str, str] = ("en", "es")

    # -- the encoder ---------------------------------------------------------------------
    #: None for the embedded default encoder, a sentence-transformers name or folder,
    #: ``"e5-small"``, or any object with ``encode(list[str]) -> array``.
    model: str | Embedder | None = None
    #: The encoder profile (:mod:`bialign.profile`): a Profile or the path of its JSON
    #: file; None looks up the profile shipped for the encoder.
    profile: Profile | str | Path | None = None
    #: A folder for a persistent embedding cache (:mod:`bialign.cache`).
    cache_dir: str | Path | None = None

    # -- reading -------------------------------------------------------------------------
    #: The reader for text and files: "auto" (from content and extension), "html",
    #: "text" (wrapped paragraphs rejoined) or "lines" (docs/input.md).
    input_format: InputFormat = "auto"
    #: Read HTML as a page; False never reads text as HTML and keeps it exactly as
    #: given, a segment per line (for documents about markup).
    markup: bool = True
    #: HTML: keep page furniture (title, navigation, share links, footer).
    keep_furniture: bool = False
    #: "sentences" splits each unit into sentences before aligning.
    split: Split = "lines"
    #: "sentence" aligns the sentences inside each paragraph pair afterwards and keeps
    #: the pair whole where they do not align confidently (:mod:`bialign.granularity`).
    granularity: Granularity = "paragraph"
    #: The language detector for segments; None: lingua restricted to ``langs``.
    detector: LanguageDetector | None = None

    # -- the search ----------------------------------------------------------------------
    #: Settings for two documents; None: the encoder profile's over ``AlignConfig()``.
    docs_config: AlignConfig | None = None
    #: Settings inside one mixed document; None: the encoder profile's over ``MIXED``.
    mixed_config: AlignConfig | None = None
    #: Between two documents, let a segment left unaligned next to a pair join it when
    #: the joined text is a closer translation (:mod:`bialign.attach`).
    attach: bool = True
    #: attach's gains; None: the encoder profile's.
    attach_gains: AttachGains | None = None

    # -- thresholds after the search -----------------------------------------------------
    #: Unpair pairs whose raw score (the encoder's own scale) is below this.
    min_pair_score: float | None = None
    #: Unpair pairs whose calibrated confidence (0-1) is below this.
    min_confidence: float | None = None

    # -- the machine ---------------------------------------------------------------------
    #: Threads for every pool (BLAS, the encoder, language identification); None: the
    #: CPUs this process may use (:mod:`bialign.threads`).
    threads: int | None = None
    #: Progress bars on standard error; None: when it is a terminal and the work is long.
    progress: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "langs", check_langs(self.langs))
        for name, allowed in (
            ("input_format", INPUT_FORMATS),
            ("split", SPLIT_MODES),
            ("granularity", GRANULARITIES),
        ):
            value = getattr(self, name)
            if value not in allowed:
                raise ConfigError(
                    f"{name} must be one of {', '.join(allowed)}; got {value!r}",
                    option=name,
                    value=value,
                )
        for name in ("docs_config", "mixed_config"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, AlignConfig):
                raise ConfigError(
                    f"{name} must be a bialign.AlignConfig; got {type(value).__name__}",
                    option=name,
                )
        if self.attach_gains is not None and not isinstance(self.attach_gains, AttachGains):
            raise ConfigError(
                "attach_gains must be a bialign.AttachGains; "
                f"got {type(self.attach_gains).__name__}",
                option="attach_gains",
            )
        check_probability(self.min_confidence, "min_confidence")
        if self.min_pair_score is not None and not _is_number(self.min_pair_score):
            raise ConfigError(
                f"min_pair_score must be a number; got {self.min_pair_score!r}",
                option="min_pair_score",
                value=self.min_pair_score,
            )
        if self.threads is not None and (
            not isinstance(self.threads, int) or isinstance(self.threads, bool) or self.threads < 1
        ):
            raise ConfigError(
                f"threads must be a whole number of at least 1; got {self.threads!r}",
                option="threads",
                value=self.threads,
            )

    @classmethod
    def of(cls, options: Options | None = None, /, **changes: Any) -> Options:
        """``options`` (default: the defaults) with ``changes``; an unknown or renamed
        keyword is a ConfigError that names the right one."""
        base = options if options is not None else cls()
        if not isinstance(base, Options):
            raise ConfigError(f"options must be bialign.Options; got {type(base).__name__}")
        if not changes:
            return base
        _check_names(changes)
        return replace(base, **changes)

    def __new__(cls, *args: Any, **kwargs: Any) -> Options:
        # Options(min_confidnce=0.5) names the field meant, as keywords to align() do
        # (the dataclass's __init__ would say only "unexpected keyword argument").
        _check_names(kwargs)
        return super().__new__(cls)

    def search_config(self, mixed: bool, profile: Profile) -> AlignConfig:
        """The search settings for a mixed document or two documents: the one given,
        else the defaults with the encoder profile's tuned fields over them."""
        given = self.mixed_config if mixed else self.docs_config
        return given if given is not None else profile.align_config(mixed)

    def gains(self, profile_gains: dict[str, float]) -> dict[str, float]:
        """attach's keyword arguments: the gains given, else the profile's."""
        return asdict(self.attach_gains) if self.attach_gains is not None else profile_gains

    def changed(self) -> dict[str, Any]:
        """The fields that differ from the defaults, as plain values (for signatures)."""
        out: dict[str, Any] = {}
        default = Options()
        for f in fields(self):
            if f.name in ("langs", "threads", "progress", "cache_dir"):
                continue
            value, base = getattr(self, f.name), getattr(default, f.name)
            if value == base:
                continue
            if f.name in _OPAQUE:
                out[f.name] = type(value).__name__ if f.name == "detector" else "given"
            elif isinstance(value, AlignConfig | AttachGains):
                out[f.name] = "given"
            else:
                out[f.name] = value
        return out


def _check_names(changes: dict[str, Any]) -> None:
    """A ConfigError for a keyword that is no option, naming the one meant."""
    known = {f.name for f in fields(Options)}
    for name in changes:
        if name in known:
            continue
        if name in RENAMED:
            raise ConfigError(
                f"the option {name!r} is now {RENAMED[name]}", option=name, renamed=True
            )
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown option {name!r}{hint}", option=name)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def check_probability(value: object, name: str) -> None:
    """A ConfigError unless ``value`` is None or a number from 0 to 1 (a threshold on
    the calibrated confidence)."""
    if value is None:
        return
    if not _is_number(value) or not 0.0 <= value <= 1.0:  # type: ignore[operator]
        raise ConfigError(
            f"{name} is a probability, a number from 0 to 1; got {value!r}",
            option=name,
            value=value,
        )


#: Fields kept as their kind in ``changed()``: objects whose text form means nothing.
_OPAQUE = ("model", "profile", "detector")

#: Keywords of earlier versions and what they became.
RENAMED = {
    "config": "docs_config= (two documents) or mixed_config= (one mixed document)",
    "min_score": "min_pair_score= (to filter a finished corpus: corpus.filter(min_score=...))",
}


def check_langs(langs: object) -> tuple[str, str]:
    """Two different, non-empty language codes."""
    if (
        not isinstance(langs, tuple | list)
        or len(langs) != 2
        or not all(isinstance(x, str) and x for x in langs)
    ):
        raise LanguageError(f"langs must be two language codes such as ('en', 'es'); got {langs!r}")
    if langs[0] == langs[1]:
        raise LanguageError(f"langs must name two different languages; got {langs!r}")
    return (langs[0], langs[1])
