"""scratchgen.viz (under construction)."""
