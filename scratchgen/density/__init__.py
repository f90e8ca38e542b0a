"""scratchgen.density (under construction)."""
