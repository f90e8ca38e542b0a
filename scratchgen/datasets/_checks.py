"""Argument checks of the data set functions (private): the shared checks
of ``scratchgen.validation``, under the names this package uses."""
from functools import partial

from scratchgen.validation import as_generator, check_fraction, check_int, check_positive  # noqa: F401

check_count = check_int
check_nonnegative = partial(check_positive, allow_zero=True)
