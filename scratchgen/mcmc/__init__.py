"""scratchgen.mcmc (under construction)."""
