"""Exceptions bialign raises on purpose, each naming the problem and where it is.

    BialignError                      every error bialign raises on purpose
    ├── InputError (ValueError)       the document cannot be used as given
    │   ├── EmptyDocumentError        it holds no text
    │   ├── BinaryFileError           it is not text at all
    │   ├── LanguageError             a language is unknown, or missing from the document
    │   └── LimitExceededError        it is larger than a documented safety limit
    ├── ConfigError (ValueError)      a setting is invalid
    ├── ModelLoadError (RuntimeError) an encoder cannot be loaded
    └── MissingExtraError (ImportError) an optional dependency is not installed

    BialignWarning (UserWarning)      something the user should know; the result stands


An error keeps its context as attributes (``document``, ``path``, ``counts``, ...) so
that a program need not parse the message. Where the remedy differs between Python and
the command line, ``hint`` says it for Python (part of ``str(exc)``) and ``cli_hint``
for the ``bialign`` command, which prints that one instead.
"""

from __future__ import annotations

from typing import Any

from .about import pip_hint


class BialignError(Exception):
    """Base class of every error bialign raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        cli_hint: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message + (f"; {hint}" if hint else ""))
        self.message = message
        self.hint = hint
        self.cli_hint = cli_hint
        self.context = context
        for key, value in context.items():
            setattr(self, key, value)

    def for_cli(self) -> str:
        """The message with the command-line remedy instead of the Python one."""
        hint = self.cli_hint or self.hint
        return self.message + (f"; {hint}" if hint else "")


class InputError(BialignError, ValueError):
    """The document or its segments cannot be used as given (wrong type, undecodable, ...)."""


class EmptyDocumentError(InputError):
    """The document holds no text to align."""


class BinaryFileError(InputError):
    """The file is binary (an image, an archive, a PDF), not text."""


class LanguageError(InputError):
    """A language setting is unknown, or a document lacks a language it must contain."""


class LimitExceededError(InputError):
    """The input is larger than a documented safety limit."""


class ConfigError(BialignError, ValueError):
    """A setting is invalid: a bad choice, a number out of range, a wrong type."""


class ModelLoadError(BialignError, RuntimeError):
    """An encoder model could not be loaded (not installed, not cached, no network)."""


class MissingExtraError(BialignError, ImportError):
    """An optional dependency is needed for this call; the message names the pip extra."""


class BialignWarning(UserWarning):
    """A warning from bialign (a fallback, a page too large for the extractor, an encoder
    without a profile). Filter them as one category: ``warnings.simplefilter("ignore",
    bialign.BialignWarning)``."""


def require(module: str, extra: str, purpose: str) -> object:
    """Import an optional module or explain which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{purpose} needs the optional package {module!r}: {pip_hint(extra)}",
            module=module,
            extra=extra,
        ) from exc
