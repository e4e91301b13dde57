"""``python -m bialign``: the same command line as the ``bialign`` script."""

import sys

from .cli import main

sys.exit(main())
