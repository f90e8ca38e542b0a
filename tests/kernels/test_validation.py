"""The public wrappers reject bad input with messages that name the argument."""
import numpy as np
import pytest

from scratchgen import kernels

F32 = np.float32


def x_b(n=3, d=2, dtype=F32):
    return np.ones((n, d), dtype), np.zeros(d, dtype)


@pytest.mark.parametrize("call, error, message", [
    (lambda: kernels.bias_act_forward(np.ones((3, 2), np.int64), np.zeros(2), "relu"),
     TypeError, "bias_act_forward: x must have dtype float32 or float64, got int64"),
    (lambda: kernels.bias_act_forward(np.ones(3, F32), np.zeros(3, F32), "relu"),
     ValueError, r"x must be 2-D \(n, d\), got shape \(3,\)"),
    (lambda: kernels.bias_act_forward(*x_b(), "gelu"),
     ValueError, "activation must be one of .*got 'gelu'"),
    (lambda: kernels.bias_act_forward(x_b()[0], np.zeros(3, F32), "relu"),
     ValueError, r"b must have shape \(2,\) to match x of shape \(3, 2\), got \(3,\)"),
    (lambda: kernels.bias_act_forward(x_b()[0], np.zeros(2), "relu"),
     TypeError, "b has dtype float64 but x has dtype float32"),
    (lambda: kernels.bias_act_backward(*x_b(), "relu"),
     ValueError, r"grad_y has shape \(2,\) but y has shape \(3, 2\)"),
    (lambda: kernels.bias_act_backward(x_b()[0], x_b()[0], "leaky_relu", negative_slope=0.0),
     ValueError, "needs negative_slope > 0"),
    (lambda: kernels.softplus(np.arange(3)),
     TypeError, "softplus: x must have dtype float32 or float64, got int64"),
    (lambda: kernels.bce_with_logits(np.zeros(3, F32), np.zeros(4)),
     ValueError, r"targets has shape \(4,\) but logits has shape \(3,\)"),
    (lambda: kernels.bce_with_logits(np.zeros(3, F32), np.array(["a", "b", "c"])),
     TypeError, "targets must be real numbers"),
    (lambda: kernels.pairwise_sq_distances(np.zeros((2, 3)), np.zeros((2, 4))),
     ValueError, "same number of columns"),
    (lambda: kernels.pairwise_sq_distances(np.zeros((2, 3)), np.zeros((2, 3), F32)),
     TypeError, "b has dtype float32 but a has dtype float64"),
    (lambda: kernels.logsumexp_rows(np.zeros((2, 0))),
     ValueError, r"at least one column, got shape \(2, 0\)"),
])
def test_array_functions_reject_bad_input(call, error, message):
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend), pytest.raises(error, match=message):
            call()


def sgd(**changes):
    p = np.zeros(4, F32)
    args = dict(param=p, grad=np.ones(4, F32), momentum_buffer=np.zeros(4, F32), lr=0.1,
                momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False,
                first_step=True)
    args.update(changes)
    return kernels.sgd_step_(**args)


def adam(**changes):
    p = np.zeros(4, F32)
    args = dict(param=p, grad=np.ones(4, F32), exp_avg=np.zeros(4, F32), exp_avg_sq=np.zeros(4, F32),
                max_exp_avg_sq=None, step=1, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                weight_decay=0.0, amsgrad=False, maximize=False)
    args.update(changes)
    return kernels.adam_step_(**args)


@pytest.mark.parametrize("call, error, message", [
    (lambda: sgd(param=[0.0, 0.0, 0.0, 0.0]), TypeError, "param must be a numpy.ndarray"),
    (lambda: sgd(param=np.zeros((4, 2), F32)[:, 0]), ValueError, "param must be C-contiguous"),
    (lambda: sgd(grad=np.ones(4)), TypeError, "grad has dtype float64 but param has dtype float32"),
    (lambda: sgd(momentum_buffer=None), TypeError, "momentum_buffer must be a numpy.ndarray"),
    (lambda: sgd(momentum_buffer=np.zeros(5, F32)), ValueError, r"momentum_buffer has shape \(5,\)"),
    (lambda: sgd(lr=-1.0), ValueError, r"lr must be in \[0.0, inf\], got -1.0"),
    (lambda: sgd(nesterov=True, dampening=0.1), ValueError, "Nesterov momentum requires"),
    (lambda: adam(step=0), ValueError, r"step \(steps taken, including this one\) must be >= 1"),
    (lambda: adam(beta2=1.0), ValueError, r"beta2 must be in \[0.0, 1.0\), got 1.0"),
    (lambda: adam(eps="small"), TypeError, "eps must be a real number"),
    (lambda: adam(amsgrad=True), TypeError, "max_exp_avg_sq must be a numpy.ndarray"),
    (lambda: adam(exp_avg=np.zeros(4)), TypeError, "exp_avg has dtype float64 but param"),
])
def test_optimizer_steps_reject_bad_input(call, error, message):
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend), pytest.raises(error, match=message):
            call()


def test_read_only_parameter_is_rejected():
    param = np.zeros(4, F32)
    param.flags.writeable = False
    with pytest.raises(ValueError, match="param is read-only"):
        sgd(param=param)


def test_non_contiguous_inputs_are_accepted_where_nothing_is_written():
    x = np.arange(12.0).reshape(3, 4)[:, ::2]  # non-contiguous view
    b = np.array([1.0, -100.0])
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend):
            np.testing.assert_array_equal(kernels.bias_act_forward(x, b, "relu"),
                                          np.maximum(np.ascontiguousarray(x) + b, 0))
