"""scratchgen.kernels (under construction)."""
