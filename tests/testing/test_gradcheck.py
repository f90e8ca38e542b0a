"""gradcheck itself: it must accept right gradients and reject wrong ones."""
import numpy as np
import pytest

import scratchgen as sg
from scratchgen.testing import GradcheckError, gradcheck, gradgradcheck


class WrongSquare(sg.Function):
    """x^2 with a deliberately wrong backward (x instead of 2x)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return (grad * a,)


class DetachedSquare(sg.Function):
    """x^2 whose backward is right but not differentiable: it uses a constant."""

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        return a * a

    @staticmethod
    def backward(ctx, grad):
        return (grad * sg.tensor(2 * ctx.a),)


def test_gradcheck_rejects_wrong_backward_and_names_the_element():
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    with pytest.raises(GradcheckError, match=r"input 0 at element \(0, 0\)"):
        gradcheck(WrongSquare.apply, [x])


def test_gradcheck_reports_the_right_input_index():
    x, y = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: a * 2 + WrongSquare.apply(b), [x, y])


def test_gradgradcheck_rejects_a_backward_that_is_not_differentiable():
    x = np.array([0.5, -1.5])
    assert gradcheck(DetachedSquare.apply, [x.copy()])
    with pytest.raises(GradcheckError):
        gradgradcheck(DetachedSquare.apply, [x.copy()])


def test_gradcheck_requires_float64():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda a: a * 2, [sg.tensor(np.ones(2, np.float32), requires_grad=True)])


def test_gradcheck_leaves_inputs_unchanged_and_skips_constants():
    x = np.array([1.0, 2.0])
    c = sg.tensor(np.array([3.0, 4.0]))  # no requires_grad: held fixed
    before = x.copy()
    assert gradcheck(lambda a, b: a * b, [x, c])
    np.testing.assert_array_equal(x, before)
