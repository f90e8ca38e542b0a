"""``python -m scratchgen.coursework make|grade|list|check ...`` (same as ``scratchgen assignment ...``)."""
import sys

from scratchgen.coursework.cli import assignment_main

sys.exit(assignment_main())
