"""bialign: turn bilingual English/Spanish articles into a clean parallel corpus.

>>> import bialign
>>> corpus = bialign.align("Posted on 05/02/2026\nPublicado el 05/02/2026")  # doctest: +SKIP
>>> [(p.src_text, p.tgt_text) for p in corpus.pairs]  # doctest: +SKIP
[('Posted on 05/02/2026', 'Publicado el 05/02/2026')]
"""

from .align import AlignConfig, align_embeddings
from .batch import Result, align_many
from .corpus import Bead, ParallelCorpus, Segment
from .embed import Embedder, SentenceTransformerEmbedder, USEEmbedder, load_embedder
from .errors import (
    BialignError,
    EmptyDocumentError,
    InputError,
    LanguageError,
    LimitExceededError,
    MissingExtraError,
    ModelLoadError,
)
from .langid import LanguageDetector, SegmentLanguageIdentifier
from .pipeline import Aligner, align, align_documents

__version__ = "0.1.0"

__all__ = [
    "AlignConfig",
    "Aligner",
    "Bead",
    "BialignError",
    "Embedder",
    "EmptyDocumentError",
    "InputError",
    "LanguageDetector",
    "LanguageError",
    "LimitExceededError",
    "MissingExtraError",
    "ModelLoadError",
    "ParallelCorpus",
    "Result",
    "Segment",
    "SegmentLanguageIdentifier",
    "SentenceTransformerEmbedder",
    "USEEmbedder",
    "align",
    "align_documents",
    "align_embeddings",
    "align_many",
    "load_embedder",
]
