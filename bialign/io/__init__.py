"""Every output format, one module each, and the one registry of them.

A format module (``tsv.py``, ``tmx.py``, ...) defines ``FORMAT``, a :class:`Format`: the
header, the rows of one corpus and the footer, one string per file, and a reader where
the format has one. Every module of this package whose name does not start with ``_`` is
such a module and is registered when the package is imported, so adding a format is
adding one file (and its test). ``ParallelCorpus.write`` and its ``to_*`` methods, the
command line (files and standard output), ``align-many`` and ``bialign.ray_data`` all
write through here.

The writers take the corpus as it is handed to them and never import
:mod:`bialign.corpus` at run time, so corpus.py can import this package.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, TextIO

from ..errors import ConfigError
from ._base import Format, Langs, PathArg, escape_line, open_text, unescape_line
from ._meta import meta_path, read_signature, write_meta

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import ParallelCorpus

#: Where an output goes: a file path (for a format of several files, the prefix of their
#: names) or an open text stream such as ``sys.stdout``.
Target = PathArg | TextIO


def _discover() -> dict[str, Format]:
    found: dict[str, Format] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        form = importlib.import_module(f"{__name__}.{info.name}").FORMAT
        if form.name in found:
            raise RuntimeError(f"two modules of bialign.io define the format {form.name!r}")
        found[form.name] = form
    return found


#: Format name -> :class:`Format`, in the order of the names.
REGISTRY: Mapping[str, Format] = MappingProxyType(_discover())


def names(many: bool = False) -> tuple[str, ...]:
    """The format names; with ``many``, those ``align-many`` can append to document by
    document."""
    return tuple(name for name, form in REGISTRY.items() if form.many or not many)


def for_path(path: str | os.PathLike[str]) -> str | None:
    """The format a file name's extension names (``pairs.tmx`` -> ``"tmx"``), or None:
    a format of one file whose name is the extension."""
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    form = REGISTRY.get(suffix)
    return form.name if form is not None and form.one_stream else None


def get_format(name: str) -> Format:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown format {name!r}; choose one of {', '.join(names())}") from None


def check_stream(form: Format, langs: Langs = ("en", "es")) -> None:
    """Refuse a format of several files for a stream, saying what to give instead."""
    if not form.one_stream:
        files = [f"PREFIX{p.name}" for p in form.files("", langs)]
        raise ConfigError(
            f"format {form.name!r} writes {len(files)} files ({', '.join(files)}), not one stream",
            hint="give a path prefix",
            cli_hint="give -o PREFIX",
        )


@contextmanager
def _open(form: Format, target: Target, langs: Langs) -> Iterator[list[TextIO]]:
    if not isinstance(target, str | os.PathLike):
        check_stream(form, langs)
        yield [target]
        return
    with ExitStack() as stack:
        yield [stack.enter_context(open_text(p)) for p in form.files(target, langs)]


def _put(files: list[TextIO], parts: tuple[str, ...]) -> None:
    for f, text in zip(files, parts, strict=True):
        f.write(text)


def write(corpus: ParallelCorpus, fmt: str, target: Target, *, sidecar: bool = True) -> None:
    """Write a corpus's pairs (``json``: the whole alignment) in format ``fmt``.

    The text is the same for a file and a stream. A file of a format that cannot hold the
    signature gets the ``PATH.meta.json`` sidecar unless ``sidecar`` is False."""
    form = get_format(fmt)
    langs = corpus.langs
    with _open(form, target, langs) as files:
        _put(files, form.start(langs, corpus.signature))
        _put(files, form.rows(corpus, None))
        _put(files, form.end(langs))
    if sidecar and form.sidecar and isinstance(target, str | os.PathLike):
        write_meta(target, corpus.signature, langs, len(corpus.pairs))


def write_documents(
    documents: Iterable[tuple[str, ParallelCorpus]],
    fmt: str,
    target: Target,
    langs: Langs,
    signature: str = "",
) -> None:
    """Write the pairs of many documents, each with its id, one after another: what
    ``align-many`` writes (it adds the progress file that makes it resumable)."""
    form = get_format(fmt)
    if not form.many:
        raise ConfigError(f"format {fmt!r} holds one corpus, not many documents")
    with _open(form, target, langs) as files:
        _put(files, form.start(langs, signature, many=True))
        for doc, corpus in documents:
            _put(files, form.rows(corpus, doc))
        _put(files, form.end(langs))


def read_pairs(fmt: str, target: PathArg, langs: Langs = ("en", "es")) -> list[tuple[str, str]]:
    """The ``(src, tgt)`` pairs of an output written in format ``fmt``."""
    form = get_format(fmt)
    if form.read is None:
        raise ConfigError(f"format {fmt!r} has no reader")
    return form.read(target, langs)


__all__ = [
    "REGISTRY",
    "Format",
    "Target",
    "check_stream",
    "escape_line",
    "get_format",
    "meta_path",
    "names",
    "read_pairs",
    "read_signature",
    "unescape_line",
    "write",
    "write_documents",
    "write_meta",
]
