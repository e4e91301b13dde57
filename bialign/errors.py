"""Exceptions bialign raises for bad input, each naming the problem and where it is."""

from __future__ import annotations


class BialignError(Exception):
    """Base class of every error bialign raises on purpose."""


class InputError(BialignError, ValueError):
    """The document or its segments cannot be used as given (wrong type, undecodable, ...)."""


class EmptyDocumentError(InputError):
    """The document holds no text to align."""


class LanguageError(InputError):
    """A language setting is unknown, or a document lacks a language it must contain."""


class LimitExceededError(InputError):
    """The input is larger than a documented safety limit."""


class ModelLoadError(BialignError, RuntimeError):
    """An encoder model could not be loaded (not installed, not cached, no network)."""


class MissingExtraError(BialignError, ImportError):
    """An optional dependency is needed for this call; the message names the pip extra."""


def require(module: str, extra: str, purpose: str) -> object:
    """Import an optional module or explain which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{purpose} needs the optional package {module!r}: pip install 'bialign[{extra}]'"
        ) from exc
