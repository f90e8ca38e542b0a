"""The engine: accumulation, no_grad, detach, reuse, deep graphs, grad(),
higher order, anomaly detection and the error messages."""
import numpy as np
import pytest

import scratchgen as sg


def leaf(values):
    return sg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3 + 2, 3 + 4])
    x.zero_grad()
    assert x.grad is None


def test_tensor_reused_many_times_sums_all_paths():
    x = leaf(1.5)
    y = x
    for _ in range(50):
        y = y + x  # y = 51 x
    (y * x).backward()  # d/dx 51 x^2 = 102 x
    assert x.grad.item() == pytest.approx(102 * 1.5)


def test_deep_chain_does_not_hit_recursion_limit():
    x = leaf(0.5)
    y = x
    for _ in range(100_000):
        y = -y  # the cheapest op: the test is about depth, not arithmetic
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.task("autodiff.topological_sort")
def test_topological_order_puts_each_node_once_after_its_inputs():
    # forward only: no backward of any op is needed to grade the sort
    from scratchgen.autodiff.engine import topological_order

    x, w = leaf(2.0), leaf(3.0)
    a = x * w
    b, c = a.exp(), a * 3
    d = b + c
    frozen = sg.tensor(1.0)  # does not require grad: left out
    order = topological_order([d * frozen])
    assert len(order) == len({id(t) for t in order}) == 7
    position = {id(t): i for i, t in enumerate(order)}
    for later, earlier in [(a, x), (a, w), (b, a), (c, a), (d, b), (d, c)]:
        assert position[id(earlier)] < position[id(later)]
    assert id(frozen) not in position and order[-1]._ctx is not None
    # a chain far deeper than Python's recursion limit
    y = x
    for _ in range(5000):
        y = y * 1.0
    assert len(topological_order([y])) == 5001


@pytest.mark.task("autodiff.backward_mul")  # the backward of a diamond (x * x): every use's gradient adds up
def test_diamond_graph_visits_each_node_once():
    x = leaf(2.0)
    a = x * x          # 4
    b = a.exp()        # e^4
    c = a * 3          # 12
    (b + c).backward()  # d/dx (e^{x^2} + 3x^2) = 2x e^{x^2} + 6x
    assert x.grad.item() == pytest.approx(4 * np.exp(4) + 12)


def test_no_grad_records_nothing_and_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    with sg.no_grad():
        y = x * 2
        with sg.enable_grad():
            z = x * 2
    assert not y.requires_grad and y._ctx is None
    assert z.requires_grad
    d = (x * 2).detach()
    assert not d.requires_grad and np.shares_memory(d.data, (d).data)
    with pytest.raises(RuntimeError, match="does not require grad"):
        d.sum().backward()


def test_backward_on_non_scalar_needs_a_gradient():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"shape \(3,\).*Pass a gradient"):
        (x * 2).backward()
    (x * 2).backward(sg.tensor(np.array([1.0, 0.0, -1.0])))
    np.testing.assert_allclose(x.grad.data, [2.0, 0.0, -2.0])


def test_grad_returns_without_touching_dot_grad():
    x = leaf([1.0, -2.0])
    g, = sg.grad((x ** 3).sum(), x)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    assert x.grad is None


def test_grad_unused_input():
    x, y = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="allow_unused"):
        sg.grad(x * 2, [x, y])
    gx, gy = sg.grad(x * 2, [x, y], allow_unused=True)
    assert gx.item() == 2.0 and gy is None


def test_grad_with_respect_to_intermediate_tensor():
    x = leaf(3.0)
    h = x * x
    out = h.exp()
    gh, gx = sg.grad(out, [h, x])
    assert gh.item() == pytest.approx(np.exp(9.0))
    assert gx.item() == pytest.approx(np.exp(9.0) * 6.0)


def test_hessian_vector_product_by_double_backward():
    # f(x) = sum(x_i^2 x_j) over i, j; Hessian H_ij = 2 x_j [i==j] ... checked
    # against the analytic Hessian of f(x) = (x . x)(sum x).
    rng = np.random.default_rng(0)
    x = leaf(rng.normal(size=4))
    v = rng.normal(size=4)
    f = (x * x).sum() * x.sum()
    g, = sg.grad(f, x, create_graph=True)
    hv, = sg.grad(g, x, grad_outputs=sg.tensor(v))
    xs, s = x.data, x.data.sum()
    hessian = 2 * s * np.eye(4) + 2 * np.add.outer(xs, xs)
    np.testing.assert_allclose(hv.data, hessian @ v, rtol=1e-12)


def test_second_order_through_create_graph_backward():
    x = leaf(0.7)
    y = x.tanh()
    y.backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.backward()
    t = np.tanh(0.7)
    assert x.grad.item() == pytest.approx(-2 * t * (1 - t * t))


def test_detect_anomaly_names_the_op_in_forward_and_backward():
    x = leaf([1.0, 0.0])
    with sg.detect_anomaly(), np.errstate(divide="ignore"):
        with pytest.raises(sg.AnomalyError, match="Log.forward"):
            x.log()
        y = x.sqrt()  # sqrt(0) = 0 is finite; its derivative is not
        with pytest.raises(sg.AnomalyError, match="Sqrt.backward"):
            y.sum().backward()
    with np.errstate(divide="ignore"):
        assert np.isneginf(x.log().data[1])  # outside the context: no check


def test_mixed_precision_follows_numpy_promotion():
    a = sg.tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b = sg.tensor(np.ones(2, dtype=np.float64), requires_grad=True)
    c = a * b
    assert c.dtype == np.float64
    c.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert (a * 2.5).dtype == np.float32  # Python numbers adopt the tensor's dtype


def test_default_dtype_applies_to_lists_and_scalars_only():
    assert sg.tensor([1, 2]).dtype == np.float32
    assert sg.tensor(np.arange(3)).dtype == np.int64
    try:
        sg.set_default_dtype(np.float64)
        assert sg.tensor(1.0).dtype == np.float64
    finally:
        sg.set_default_dtype(np.float32)
    with pytest.raises(TypeError, match="float32 or float64"):
        sg.set_default_dtype(np.int32)


def test_error_messages_name_op_and_shapes():
    a, b = leaf(np.ones((2, 3))), leaf(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        a @ b
    with pytest.raises(ValueError, match=r"add: operands with shapes \(2, 3\) and \(4, 5\)"):
        a + b
    with pytest.raises(ValueError, match=r"reshape: cannot reshape .*\(2, 3\)"):
        a.reshape(4, 2)
    with pytest.raises(TypeError, match="floating-point"):
        sg.tensor(np.arange(3), requires_grad=True)


def test_comparisons_give_boolean_tensors_without_gradient():
    x = leaf([1.0, 3.0])
    mask = x > 2.0
    assert mask.dtype == bool and not mask.requires_grad
    y = sg.where(mask, x, x * 0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0])


def test_function_subclass_with_custom_backward():
    class Cube(sg.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, grad):
            a, = ctx.saved_tensors
            return (grad * 3 * a * a,)

    x = leaf(2.0)
    g, = sg.grad(Cube.apply(x), x, create_graph=True)
    gg, = sg.grad(g, x)
    assert g.item() == 12.0 and gg.item() == 12.0


def test_backward_on_arrays_gives_the_same_bits_as_on_tensors():
    # Without create_graph the engine runs the marked backwards on plain
    # arrays; with it, the same formulas on Tensors. Same float ops, so the
    # gradients must agree bit for bit (broadcasting, reductions, matmul,
    # a scalar constant and a reused input included).
    rng = np.random.default_rng(3)
    def grads(create_graph):
        x = sg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
        w = sg.tensor(rng.standard_normal((4, 2)), requires_grad=True)
        b = sg.tensor(rng.standard_normal(2), requires_grad=True)
        y = ((x @ w + b).tanh() * 2.5 - (x * x).sum(axis=1, keepdims=True)).softplus()
        return sg.grad(y.mean(), [x, w, b], create_graph=create_graph)
    state = rng.bit_generator.state
    on_arrays = grads(False)
    rng.bit_generator.state = state
    on_tensors = grads(True)
    for a, t in zip(on_arrays, on_tensors):
        assert isinstance(a, sg.Tensor) and a.dtype == t.dtype
        np.testing.assert_array_equal(a.data, t.data)
