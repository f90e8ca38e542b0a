"""Integer codes for the activations of the fused bias+activation kernels.

Numba kernels branch on small integers (strings would make every call a new
type), so the public wrappers in ``scratchgen.kernels`` turn names into these
codes once, and both backends (NumPy twins and Numba kernels) receive ints.
"""

IDENTITY = 0
RELU = 1
LEAKY_RELU = 2
TANH = 3
SIGMOID = 4

#: name (as in ``torch.nn.functional``) -> code
ACTIVATION_CODES = {
    "identity": IDENTITY,
    "relu": RELU,
    "leaky_relu": LEAKY_RELU,
    "tanh": TANH,
    "sigmoid": SIGMOID,
}
