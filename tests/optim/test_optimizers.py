"""SGD and Adam against independent NumPy implementations of PyTorch's update rules."""
import itertools

import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn, optim

A = np.array([[0.5, 2.0, 1.0], [3.0, 0.1, 1.5]])
C = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
P0 = np.array([[0.2, 0.1, -0.3], [1.0, -1.0, 0.5]])


def quadratic_grad(p):
    """Gradient of sum(A (p - C)^2): depends on p, so each step sees a new gradient."""
    return 2 * A * (p - C)


def run_ours(make_optimizer, steps):
    param = nn.Parameter(P0.copy())
    opt = make_optimizer([param])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        (sg.tensor(A) * (param - sg.tensor(C)) ** 2).sum().backward()
        opt.step()
        path.append(param.data.copy())
    return path


def reference_sgd(steps, lr, momentum, dampening, nesterov, weight_decay, maximize):
    # torch.optim.SGD (_single_tensor_sgd), written independently of the kernels.
    p, buf, path = P0.copy(), None, []
    for _ in range(steps):
        g = quadratic_grad(p)
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        path.append(p)
    return path


def reference_adam(steps, lr, betas, eps, weight_decay, amsgrad, maximize):
    # torch.optim.Adam (_single_tensor_adam), written independently of the kernels.
    p = P0.copy()
    m, v, v_max, path = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), []
    b1, b2 = betas
    for t in range(1, steps + 1):
        g = quadratic_grad(p)
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if amsgrad:
            v_max = np.maximum(v_max, v)
        denom = np.sqrt(v_max if amsgrad else v) / np.sqrt(1 - b2 ** t) + eps
        p = p - lr / (1 - b1 ** t) * m / denom
        path.append(p)
    return path


SGD_CASES = [dict(momentum=mo, dampening=da, nesterov=ne, weight_decay=wd, maximize=mx)
             for mo, da, ne, wd, mx in itertools.product([0.0, 0.9], [0.0, 0.3], [False, True],
                                                         [0.0, 0.1], [False, True])
             if not (ne and (mo == 0 or da != 0))]


@pytest.mark.task("optim.sgd_step")
@pytest.mark.parametrize("options", SGD_CASES)
def test_sgd_matches_pytorch_rule(options):
    ours = run_ours(lambda ps: optim.SGD(ps, lr=0.05, **options), steps=5)
    ref = reference_sgd(5, 0.05, **{k: options.get(k, 0) for k in
                                    ("momentum", "dampening", "nesterov", "weight_decay",
                                     "maximize")})
    for step, (a, b) in enumerate(zip(ours, ref)):
        # float64 throughout: only rounding differs (a few ulp).
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")


ADAM_CASES = [dict(betas=be, eps=ep, weight_decay=wd, amsgrad=am, maximize=mx)
              for be, ep, wd, am, mx in itertools.product(
                  [(0.9, 0.999), (0.5, 0.9)], [1e-8, 0.1], [0.0, 0.1], [False, True],
                  [False, True])]


@pytest.mark.task("optim.adam_step")
@pytest.mark.parametrize("options", ADAM_CASES)
def test_adam_matches_pytorch_rule(options):
    ours = run_ours(lambda ps: optim.Adam(ps, lr=0.1, **options), steps=6)
    ref = reference_adam(6, 0.1, **options)
    for step, (a, b) in enumerate(zip(ours, ref)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f"step {step}")


@pytest.mark.task("optim.adam_step")
def test_adam_float32_stays_float32_and_close_to_float64():
    param = nn.Parameter(P0.astype(np.float32))
    opt = optim.Adam([param], lr=0.1)
    for _ in range(4):
        opt.zero_grad()
        param.grad = sg.tensor(quadratic_grad(param.data.astype(np.float64)).astype(np.float32))
        opt.step()
    assert param.dtype == np.float32 and opt.state[param]["exp_avg"].dtype == np.float32
    # float32 rounding of ~10 operations per step on O(1) numbers: well below 1e-5.
    np.testing.assert_allclose(param.data, reference_adam(4, 0.1, (0.9, 0.999), 1e-8, 0, False,
                                                          False)[-1], rtol=1e-5, atol=1e-6)


@pytest.mark.task("optim.sgd_step")
def test_parameters_without_grad_are_skipped_and_state_is_lazy():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = sg.tensor(np.ones(2))
    opt.step()
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_array_equal(b.data, 1.0)
    assert b not in opt.state and "momentum_buffer" in opt.state[a]


@pytest.mark.task("optim.adam_step")
def test_non_contiguous_gradient_goes_through_the_validating_path():
    p = nn.Parameter(np.zeros((2, 3)))
    opt = optim.Adam([p], lr=0.1)
    p.grad = sg.tensor(np.ones((3, 2)).T)  # a transposed view
    opt.step()
    np.testing.assert_allclose(p.data, -0.1, rtol=1e-6)  # first Adam step: -lr * sign(g)


def test_param_groups_have_their_own_options():
    a, b = nn.Parameter(np.ones(1)), nn.Parameter(np.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = sg.tensor(np.ones(1)), sg.tensor(np.ones(1))
    opt.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.9, 0.5])
    assert opt.param_groups[1]["momentum"] == 0.0


def test_closure_is_called_with_grad_enabled():
    p = nn.Parameter(np.array([2.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with sg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and p.data[0] == 1.0


@pytest.mark.parametrize("make, match", [
    (lambda ps: optim.SGD(ps, lr=-1.0), "lr"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=-0.5), "momentum"),
    (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), "Nesterov"),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.9)), "beta"),
    (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), "beta"),
    (lambda ps: optim.Adam(ps, betas=0.9), "pair"),
    (lambda ps: optim.Adam(ps, eps=-1e-8), "eps"),
    (lambda ps: optim.Adam(ps, weight_decay=-1), "weight_decay"),
    (lambda ps: optim.Adam(ps + ps), "twice"),
    (lambda ps: optim.Adam([]), "empty"),
    (lambda ps: optim.Adam([{"params": ps, "momentum": 0.9}]), "unknown"),
    (lambda ps: optim.Adam([sg.tensor(np.ones(2))]), "requires_grad"),
])
def test_invalid_arguments_are_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make([nn.Parameter(np.ones(2))])


def test_single_tensor_instead_of_list_is_a_type_error():
    with pytest.raises(TypeError, match="list"):
        optim.SGD(nn.Parameter(np.ones(2)), lr=0.1)


def test_zero_grad():
    p = nn.Parameter(np.ones(2))
    opt = optim.SGD([p], lr=0.1)
    p.grad = sg.tensor(np.ones(2))
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.data, 0.0)
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("make", [
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
])
def test_replacing_p_data_by_a_larger_array_is_an_error_not_a_crash(make):
    # the in-place kernels trust the state's shape: before this check the
    # Numba loop wrote past the state arrays (segmentation fault)
    p = nn.Parameter(np.ones(3))
    opt = make([p])
    (p * p).sum().backward()
    opt.step()
    p.data = np.ones(10_000)
    p.grad = sg.tensor(np.ones(10_000))
    with pytest.raises(ValueError, match=r"parameter 0 \(shape \(10000,\)\): its "
                                         r"optimizer state .* shape \(3,\).*p.data replaced"):
        opt.step()
    opt.state.pop(p)  # the remedy the message gives
    opt.step()
    assert p.data.shape == (10_000,) and np.all(p.data < 1)


def test_gradient_of_the_wrong_shape_is_an_error():
    p = nn.Parameter(np.ones(3))
    opt = optim.SGD([p], lr=0.1)
    p.grad = sg.tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"its .grad has shape \(4,\)"):
        opt.step()


@pytest.mark.parametrize("make, key, value, error", [
    (lambda ps: optim.SGD(ps, lr=0.1), "lr", -0.1, ValueError),
    (lambda ps: optim.Adam(ps), "lr", -0.1, ValueError),
    (lambda ps: optim.Adam(ps), "lr", "0.001", TypeError),
    (lambda ps: optim.Adam(ps), "betas", (0.9, 1.5), ValueError),
    (lambda ps: optim.SGD(ps, lr=0.1), "momentum", float("nan"), ValueError),
])
def test_options_changed_after_construction_are_checked_at_step(make, key, value, error):
    p = nn.Parameter(np.ones(2))
    opt = make([p])
    opt.param_groups[0][key] = value
    (p * p).sum().backward()
    with pytest.raises(error, match=key if key != "betas" else "beta"):
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])  # nothing was updated


@pytest.mark.parametrize("optimizer, twin", [("Adam", "adam_step_"), ("SGD", "sgd_step_")])
def test_docstring_points_at_the_line_of_the_rule_in_the_numpy_twin(optimizer, twin):
    import inspect
    import re

    from scratchgen.kernels import numpy_twins
    doc = inspect.getmodule(getattr(optim, optimizer)).__doc__
    line = int(re.search(r"numpy_twins\.py, line (\d+)", doc).group(1))
    assert inspect.getsourcelines(getattr(numpy_twins, twin))[1] == line
