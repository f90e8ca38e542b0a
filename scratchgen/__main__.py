"""``python -m scratchgen``: the same as the ``scratchgen`` command."""
import sys

from scratchgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
