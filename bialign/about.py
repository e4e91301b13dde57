"""What this package is called and which version it is: the one place for both.

The import name is ``bialign``; the distribution on the package index is
``bialign-corpus``, since ``bialign`` there is an unrelated RNA alignment tool. Every
install hint bialign prints is built from :data:`DISTRIBUTION`.
"""

import functools

__version__ = "0.2.0"

#: The name to ``pip install``.
DISTRIBUTION = "bialign-corpus"


def pip_hint(extra: str | None = None) -> str:
    """The install line for this package, with an optional extra: ``pip install 'X[extra]'``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'" if extra else f"pip install {DISTRIBUTION}"


@functools.cache
def package_version(distribution: str) -> str:
    """An installed distribution's version ("unknown" when absent), read once per
    process: importlib.metadata parses the package's METADATA file on every call, and
    encoder and detector identities ask for it on every document."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"
