"""``python -m shareopt``: the shareopt command."""

import sys

from .cli import main

sys.exit(main())
