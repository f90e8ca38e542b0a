"""scratchgen.datasets (under construction)."""
