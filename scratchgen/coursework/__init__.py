"""scratchgen.coursework (under construction)."""
