"""A corpus signature in the style of sacrebleu's: one line that says how it was made.

``enc:use-multilingual-v3|profile:use-multilingual-v3@3f2a9c1e|langs:en-es|mode:docs|
split:lines|options:default|version:0.1.0`` (one line). Fields: the encoder's name,
the profile's name and the hash of its fitted parameters (:attr:`Profile.digest`), the
languages, ``docs`` (two documents) or ``mixed`` (one mixed document), the segmentation,
the options that differ from their defaults, and bialign's version. Two corpora with
the same signature were made the same way, so their scores and confidences compare.
"""

from __future__ import annotations

from collections.abc import Mapping


def make_signature(
    encoder: str,
    profile: str,
    langs: tuple[str, str],
    mode: str,
    split: str,
    options: Mapping[str, object],
) -> str:
    """The signature line; ``options`` holds only the options that changed."""
    from . import __version__

    opts = ",".join(f"{k}={_fmt(v)}" for k, v in sorted(options.items())) or "default"
    return (
        f"enc:{encoder}|profile:{profile}|langs:{langs[0]}-{langs[1]}|mode:{mode}|"
        f"split:{split}|options:{opts}|version:{__version__}"
    )


def parse_signature(signature: str) -> dict[str, str]:
    """The signature's fields as a dict (``{"enc": ..., "profile": ..., ...}``)."""
    out = {}
    for part in signature.split("|"):
        key, _, value = part.partition(":")
        out[key] = value
    return out


def _fmt(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value).replace("|", "/")
