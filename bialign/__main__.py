"""``python -m bialign``: the same command line as the ``bialign`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
