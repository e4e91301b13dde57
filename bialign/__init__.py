"""bialign: turn bilingual English/Spanish articles into a clean parallel corpus.

>>> import bialign
>>> corpus = bialign.align("Posted on 05/02/2026\nPublicado el 05/02/2026")  # doctest: +SKIP
>>> [(p.src_text, p.tgt_text) for p in corpus.pairs]  # doctest: +SKIP
[('Posted on 05/02/2026', 'Publicado el 05/02/2026')]
"""

from typing import TYPE_CHECKING, Any

from .about import DISTRIBUTION, __version__
from .corpus import Bead, ParallelCorpus, Segment
from .docmatch import DocumentMatch, match_documents
from .embed import Embedder, SentenceTransformerEmbedder, USEEmbedder, load_embedder
from .errors import (
    BialignError,
    BialignWarning,
    BinaryFileError,
    ConfigError,
    EmptyDocumentError,
    InputError,
    LanguageError,
    LimitExceededError,
    MissingExtraError,
    ModelLoadError,
)
from .langid import LanguageDetector, SegmentLanguageIdentifier
from .options import AttachGains, Options
from .pipeline import Aligner, align, align_documents, align_segments
from .search import AlignConfig, align_embeddings
from .urls import UrlHints, hreflang_links, url_hints

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Result, align_many


def __getattr__(name: str) -> Any:
    # The batch machinery (process pools) loads on first use: a single alignment and the
    # command line's start-up do not pay for it.
    if name in ("Result", "align_many"):
        from . import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'bialign' has no attribute {name!r}")


__all__ = [
    "DISTRIBUTION",
    "AlignConfig",
    "Aligner",
    "AttachGains",
    "Bead",
    "DocumentMatch",
    "BialignError",
    "BialignWarning",
    "BinaryFileError",
    "ConfigError",
    "Embedder",
    "EmptyDocumentError",
    "InputError",
    "LanguageDetector",
    "LanguageError",
    "LimitExceededError",
    "MissingExtraError",
    "ModelLoadError",
    "Options",
    "ParallelCorpus",
    "Result",
    "Segment",
    "SegmentLanguageIdentifier",
    "SentenceTransformerEmbedder",
    "USEEmbedder",
    "UrlHints",
    "align",
    "align_documents",
    "align_embeddings",
    "align_segments",
    "align_many",
    "load_embedder",
    "match_documents",
    "url_hints",
    "hreflang_links",
    "__version__",
]
