"""Hypothesis strategies for property-testing gradients.

    from hypothesis import given
    from scratchgen.testing import strategies as sgst

    @given(sgst.arrays(shape=sgst.shapes(max_dims=3)))
    def test_exp(x):
        assert gradcheck(sg.exp, [x])

Values are float64 and bounded (default |x| <= 3) so that finite
differences stay accurate; ``away_from`` keeps values off kinks such as 0
for relu and abs, where the derivative does not exist.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["shapes", "arrays", "float_arrays", "broadcastable_shapes", "array_pairs",
           "matmul_shapes"]


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Array shapes, size-1 axes included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims,
                            min_side=min_side, max_side=max_side)


@st.composite
def arrays(draw, shape=None, low=-3.0, high=3.0, away_from=None, margin=0.1):
    """float64 arrays with values in [low, high].

    shape: a tuple or a strategy of shapes (default ``shapes()``).
    away_from: a value (or list) that entries keep at least ``margin`` from.
    """
    if shape is None:
        shape = shapes()
    if not isinstance(shape, tuple):
        shape = draw(shape)
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    if away_from is not None:
        for point in np.atleast_1d(away_from):
            close = np.abs(x - point) < margin
            x = np.where(close, point + np.where(x >= point, margin, -margin) * 2, x)
    return x


def float_arrays(dtype, shape, max_abs):
    """float32/float64 arrays with finite values in [-max_abs, max_abs],
    hypothesis' edge cases (0, subnormals, the bounds) included: for
    testing kernels, where unlike gradient checks extreme values are the point."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    elements = st.floats(-max_abs, max_abs, width=width, allow_nan=False,
                         allow_infinity=False)
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def broadcastable_shapes(draw, max_dims=3, max_side=4):
    """A pair of shapes that broadcast together (size-1 and missing axes)."""
    base = draw(shapes(min_dims=0, max_dims=max_dims, max_side=max_side))
    a, b = list(base), list(base)
    for shape in (a, b):
        for i in range(len(shape)):
            if draw(st.booleans()) and draw(st.booleans()):
                shape[i] = 1
    drop_a = draw(st.integers(0, len(a)))
    drop_b = draw(st.integers(0, len(b)))
    choice = draw(st.sampled_from(["a", "b", "none"]))
    if choice == "a":
        a = a[drop_a:]
    elif choice == "b":
        b = b[drop_b:]
    return tuple(a), tuple(b)


@st.composite
def array_pairs(draw, low=-3.0, high=3.0):
    """Two float64 arrays whose shapes broadcast together."""
    shape_a, shape_b = draw(broadcastable_shapes())
    return (draw(arrays(shape=shape_a, low=low, high=high)),
            draw(arrays(shape=shape_b, low=low, high=high)))


@st.composite
def matmul_shapes(draw, max_side=4):
    """Shapes (a, b) valid for matmul: 1-D, 2-D and batched with broadcasting."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "batched", "bcast"]))
    if kind == "vv":
        return (k,), (k,)
    if kind == "mv":
        return (n, k), (k,)
    if kind == "vm":
        return (k,), (k, m)
    if kind == "mm":
        return (n, k), (k, m)
    batch = draw(st.integers(1, 3))
    if kind == "batched":
        return (batch, n, k), (batch, k, m)
    return (batch, n, k), (k, m)
