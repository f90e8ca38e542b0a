"""scratchgen.gan (under construction)."""
