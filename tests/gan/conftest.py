"""Fixtures shared by the GAN tests."""
import pytest


class CountingOptimizer:
    """Wraps an optimizer and logs the name of each step() into a shared list,
    so a test can read the order of discriminator and generator updates."""

    def __init__(self, inner, name, log):
        self.inner, self.name, self.log = inner, name, log

    def zero_grad(self):
        self.inner.zero_grad()

    def step(self):
        self.log.append(self.name)
        self.inner.step()


@pytest.fixture
def record_steps():
    """record_steps(gan) -> log: wraps both optimizers; log gets "D"/"G" per update."""
    def wrap(gan, d_name="D", g_name="G"):
        log = []
        gan.opt_d = CountingOptimizer(gan.opt_d, d_name, log)
        gan.opt_g = CountingOptimizer(gan.opt_g, g_name, log)
        return log
    return wrap


@pytest.fixture
def float64():
    """Run the test with float64 as the default dtype (for finite-difference checks)."""
    import numpy as np

    import scratchgen as sg
    previous = sg.get_default_dtype()
    sg.set_default_dtype(np.float64)
    yield
    sg.set_default_dtype(previous)
