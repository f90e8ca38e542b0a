"""scratchgen.optim (under construction)."""
