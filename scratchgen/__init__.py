"""scratchgen: generative modelling from scratch.

A NumPy-only reverse-mode autodiff (``Tensor``, ``Function``, ``grad``), a
small layer system (``sg.nn``), optimizers (``sg.optim``), and the methods of
a lecture on generative modelling built on them: maximum likelihood
(``sg.density``), Metropolis-Hastings (``sg.mcmc``), latent-variable models
(``sg.latent``) and GANs (``sg.gan``).

    >>> import scratchgen as sg
    >>> x = sg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""
from scratchgen.autodiff import *  # noqa: F401,F403
from scratchgen.autodiff import __all__ as _autodiff_all
from scratchgen.serialization import load, save
from scratchgen.threads import apply_thread_policy, get_num_threads, num_threads, set_num_threads

# The subpackages, so that `import scratchgen as sg` gives sg.nn, sg.optim, ...
from scratchgen import datasets, kernels, testing  # noqa: E402
from scratchgen import nn, optim  # noqa: E402
from scratchgen import density, mcmc  # noqa: E402
from scratchgen import latent, gan  # noqa: E402
from scratchgen import text  # noqa: E402

__version__ = "0.1.0"

__all__ = list(_autodiff_all) + [
    "save", "load", "datasets", "kernels", "testing", "nn", "optim",
    "density", "mcmc", "latent", "gan", "text", "viz",
    "set_num_threads", "get_num_threads", "num_threads", "apply_thread_policy"]


def __getattr__(name):
    # matplotlib costs half a second to import: load sg.viz on first use.
    if name == "viz":
        import importlib
        return importlib.import_module("scratchgen.viz")
    raise AttributeError(f"module 'scratchgen' has no attribute {name!r}")
