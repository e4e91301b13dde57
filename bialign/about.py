"""What this package is called and which version it is: the one place for both.

The import name is ``bialign``; the distribution on the package index is
``bialign-corpus``, since ``bialign`` there is an unrelated RNA alignment tool. Every
install hint bialign prints is built from :data:`DISTRIBUTION`.
"""

import functools
import hashlib
from pathlib import Path

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


def _code_stamp() -> str:
    root = Path(__file__).resolve().parent
    parts = [__version__]
    for path in sorted(root.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:  # a dangling link (an editor's lock file): not code
            continue
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


#: Names this copy of bialign's code: its version and the size and modification time of
#: every module, read when bialign is imported (a module edited later in a long session
#: does not pass for the code that runs). Stored results carry it (bialign.cache), so
#: that what other code made (an upgrade, an edited checkout) is never read back.
CODE_STAMP = _code_stamp()
