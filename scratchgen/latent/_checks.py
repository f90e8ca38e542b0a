"""Argument checks of the latent-variable models (private): the shared
checks of ``scratchgen.validation``, under the names this package uses."""
from scratchgen.validation import (as_data_matrix, as_generator, check_fitted,  # noqa: F401
                                   check_int, check_positive)

__all__ = ["as_generator", "check_int", "check_positive", "as_data_matrix", "check_fitted"]
