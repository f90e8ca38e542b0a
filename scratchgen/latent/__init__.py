"""scratchgen.latent (under construction)."""
