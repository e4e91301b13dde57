"""Encoder profiles: everything whose meaning depends on one encoder's similarity scale.

A cosine of 0.4 is a clear translation for one encoder and noise for another, so the
calibration that turns features into :attr:`bialign.Bead.confidence`, the attach gains
and the report's colour band live together in one :class:`Profile` per encoder, stored
as a small JSON file. The default encoder's profile ships in ``bialign/profiles/``; fit
one for any other encoder with :func:`bialign.calibrate.fit_profile` (or
``python -m bialign.calibrate``). An encoder without a profile gets the *generic* one,
whose features are normalised by each document's own similarity distribution, and a
warning saying how to calibrate.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .attach import default_gains
from .errors import BialignWarning, InputError
from .search import MIXED, AlignConfig

#: The profile used for an encoder that has none of its own.
GENERIC = "generic"


@dataclass
class Model:
    """A fitted calibration for one kind of bead: a logistic regression over standardised
    features, then an isotonic map of its probability, stored as knots for ``np.interp``.
    ``normalise`` True means the similarity features are first put on the document's own
    scale (:func:`bialign.confidence.normalised`): the generic models."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    iso_x: list[float]
    iso_y: list[float]
    normalise: bool = False
    #: Each feature's smallest and largest value in the data the model was fitted on:
    #: inputs are clipped to them, so that a document unlike every fitted one (a lower
    #: language share than any seen) is not extrapolated by a steep coefficient. None
    #: (older profiles): no clipping.
    lo: list[float] | None = None
    hi: list[float] | None = None


@dataclass
class Profile:
    """Calibration and encoder-dependent settings for one encoder.

    ``models`` is keyed ``"<mode>/<kind>"``: mode ``docs`` (two documents) or ``mixed``
    (one mixed document), kind ``pair`` or ``unaligned``. ``attach`` holds
    :mod:`bialign.attach`'s gains.
    ``bands`` are the confidence limits of the report's red / amber / green colours.
    ``config`` holds aligner settings tuned for this encoder.
    """

    name: str
    encoder: str
    models: dict[str, Model]
    attach: dict[str, float] = field(default_factory=default_gains)
    bands: tuple[float, float] = (0.5, 0.9)
    #: AlignConfig fields tuned for this encoder, per mode (``docs``, ``mixed``), over the
    #: defaults (``AlignConfig()`` and ``MIXED``); empty for the default encoder.
    config: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Where and how it was fitted (data, counts, date), for people reading the file.
    fitted: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["bands"] = list(self.bands)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Profile:
        try:
            models = {k: Model(**v) for k, v in d["models"].items()}
            profile = cls(
                name=str(d["name"]),
                encoder=str(d["encoder"]),
                models=models,
                attach={k: float(v) for k, v in d.get("attach", {}).items()} or default_gains(),
                bands=(float(d["bands"][0]), float(d["bands"][1])) if "bands" in d else (0.5, 0.9),
                config={
                    mode: {k: float(v) for k, v in fields.items()}
                    for mode, fields in d.get("config", {}).items()
                },
                fitted=dict(d.get("fitted", {})),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(f"not a bialign profile: {type(exc).__name__}: {exc}") from exc
        profile.check_features()
        return profile

    def check_features(self) -> None:
        """Refuse, naming them, features this version does not compute (a profile fitted
        by a newer bialign, or edited by hand): checked once, where a profile is read
        or handed to the aligner, not on every document."""
        from .confidence import check_features

        for key, model in self.models.items():
            check_features(model, key.endswith("/pair"), f"profile {self.name!r}, model {key!r}")

    def align_config(self, mixed: bool) -> AlignConfig:
        """The aligner settings for this encoder: the defaults with its tuned fields."""
        base = MIXED if mixed else AlignConfig()
        fields = self.config.get("mixed" if mixed else "docs", {})
        try:
            typed: dict[str, Any] = {k: type(getattr(base, k))(v) for k, v in fields.items()}
        except AttributeError as exc:
            raise InputError(
                f"profile {self.name!r} sets an unknown aligner option: {exc}"
            ) from exc
        return replace(base, **typed) if typed else base

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Profile:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read profile {str(path)!r}: {exc}") from exc
        try:
            return cls.from_dict(data)
        except InputError as exc:
            raise InputError(f"profile file {str(path)!r}: {exc}") from exc

    @property
    def digest(self) -> str:
        """First 8 hex digits of a hash of the fitted parameters: names this exact fit."""
        payload = json.dumps({k: v for k, v in self.to_dict().items() if k != "fitted"},
                             sort_keys=True)  # fmt: skip
        return hashlib.sha256(payload.encode()).hexdigest()[:8]


#: The ``encoder`` of a profile that serves any encoder (the generic and constant ones).
ANY_ENCODER = "any"


def constant(name: str = "constant", value: float = 0.5) -> Profile:
    """A profile that gives every bead the same confidence: a placeholder for aligning
    the data a real profile is then fitted on."""
    from .confidence import PAIR_FEATURES, UNALIGNED_FEATURES

    def model(names: list[str]) -> Model:
        k = len(names)
        return Model(list(names), [0.0] * k, [1.0] * k, [0.0] * k, 0.0, [0.0, 1.0], [value] * 2)

    kinds = {"pair": PAIR_FEATURES, "unaligned": UNALIGNED_FEATURES}
    models = {f"{mode}/{kind}": model(names) for mode in ("docs", "mixed")
              for kind, names in kinds.items()}  # fmt: skip
    return Profile(name, ANY_ENCODER, models)


def profile_file_name(encoder: str) -> str:
    """The file a shipped profile for ``encoder`` has: its name made path-safe."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", encoder).strip("_") + ".json"


_CACHE: dict[str, Profile] = {}


def shipped(name: str) -> Profile | None:
    """The profile shipped in the package for encoder ``name``, or None."""
    fname = profile_file_name(name)
    if fname not in _CACHE:
        ref = resources.files("bialign") / "profiles" / fname
        if not ref.is_file():
            return None
        _CACHE[fname] = Profile.from_dict(json.loads(ref.read_text(encoding="utf-8")))
    return _CACHE[fname]


def encoder_name(embedder: object) -> str | None:
    """The name an encoder is known by (its ``name`` attribute), if it has one."""
    name = getattr(embedder, "name", None)
    return name if isinstance(name, str) and name else None


def _same_encoder(fitted_for: str, name: str) -> bool:
    """Whether a profile fitted for ``fitted_for`` is for the encoder named ``name``: the
    same name, or the same local folder however it is spelled."""
    if fitted_for == name:
        return True
    try:
        a, b = Path(fitted_for), Path(name)
        return a.exists() and b.exists() and a.resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def resolve(profile: Profile | str | Path | None, embedder: object) -> Profile:
    """The profile to use: the one given (object or JSON path), else the shipped one for
    the encoder's name, else the generic one with a warning."""
    name = encoder_name(embedder)
    if profile is not None:
        if isinstance(profile, Profile):
            profile.check_features()  # built by hand (one read from a file is checked)
        given = profile if isinstance(profile, Profile) else Profile.load(profile)
        if name and given.encoder != ANY_ENCODER and not _same_encoder(given.encoder, name):
            warnings.warn(
                f"bialign: profile {given.name!r} was fitted for encoder {given.encoder!r}, "
                f"not {name!r}: its settings and confidences are on another encoder's "
                "scale; fit one for this encoder with `bialign calibrate`",
                BialignWarning,
                stacklevel=4,
            )
        return given
    found = shipped(name) if name else None
    if found is not None:
        return found
    from .embed import encoder_label

    warnings.warn(
        f"bialign: no profile for encoder {name or encoder_label(embedder)!r}, so confidences "
        "come from each document's own score distribution; fit one from gold alignments "
        "with `bialign calibrate` (docs/confidence.md) and pass profile=",
        BialignWarning,
        stacklevel=4,
    )
    generic = shipped(GENERIC)
    assert generic is not None, "the generic profile ships with bialign"
    return generic
