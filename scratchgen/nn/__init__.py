"""scratchgen.nn (under construction)."""
