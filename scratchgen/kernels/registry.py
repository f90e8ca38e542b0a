"""The names every kernel backend defines, with the same signatures.

The NumPy twins (``numpy_twins``), the Numba kernels (``numba_kernels``)
and the validating front end (``api``) all export exactly these; a test
checks that each backend defines every one.
"""
KERNEL_NAMES = (
    "bias_act_forward",
    "bias_act_backward",
    "softplus",
    "sigmoid",
    "bce_with_logits",
    "bce_with_logits_backward",
    "sgd_step_",
    "adam_step_",
    "pairwise_sq_distances",
    "logsumexp_rows",
    "standard_normal_",
)
