"""The example that ships inside the package, so that ``bialign demo`` works from a wheel
with no clone and no data: a short bilingual news post written for bialign (its only
translation pair is the dateline; a Spanish photo caption has no English counterpart).
The repository's ``examples/news_post.txt`` is the same text."""

from __future__ import annotations

from importlib import resources

DEMO_FILE = "news_post.txt"


def demo_text() -> str:
    """The bundled example post as one string, one segment per line."""
    return resources.files("bialign").joinpath("data", DEMO_FILE).read_text(encoding="utf-8")
