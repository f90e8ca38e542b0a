"""Reverse-mode differentiation over the recorded graph.

Each Tensor made by a Function keeps the Function's ``Context`` (``_ctx``),
which knows the input Tensors. Backpropagation visits the nodes in reverse
topological order, so every node's gradient is complete (all its uses have
contributed) before it is passed to its inputs.

The topological sort is iterative: a recursive one, as in micrograd, fails
on chains of a few thousand ops.
"""
import numpy as np

from scratchgen.autodiff import mode
from scratchgen.autodiff.function import check_backward_finite
from scratchgen.autodiff.tensor import Tensor, _new_tensor


def topological_order(roots):
    """Return the nodes that require grad reachable from ``roots``, each
    after all nodes it depends on (inputs before outputs)."""
    # A set of Tensors, not of their ids: Tensor hashes by identity (its ==
    # makes a boolean Tensor, but a set compares hashes first and then
    # identity, so == is never called).
    order, visited = [], set()
    # BEGIN SOLUTION task=autodiff.topological_sort
    stack = [(t, False) for t in roots if t.requires_grad]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        if node._ctx is not None:
            for parent in node._ctx.inputs:
                if parent.requires_grad and parent not in visited:
                    stack.append((parent, False))
    # END SOLUTION
    return order


def _seed_gradients(outputs, grad_outputs):
    seeds = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None else None
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; "
                    f"output {i} has shape {out.shape}. Pass a gradient of "
                    f"that shape, e.g. out.backward(sg.tensor(np.ones({out.shape})))")
            g = _new_tensor(np.array(1, dtype=out.dtype).reshape(out.shape))
        else:
            g = g if isinstance(g, Tensor) else Tensor(np.asarray(g, dtype=out.dtype))
            if g.shape != out.shape:
                raise ValueError(
                    f"grad_outputs[{i}] has shape {g.shape}, but output {i} "
                    f"has shape {out.shape}")
        seeds.append(g)
    return seeds


def backpropagate(outputs, grad_outputs, create_graph, targets=None, retain_graph=None):
    """Propagate gradients from ``outputs`` through the graph.

    When ``targets`` is None, leaf gradients accumulate into ``.grad`` (as
    ``Tensor.backward``); otherwise the gradients of the ``targets`` Tensors
    are returned as a dict keyed by the Tensor (as ``grad``). Unless
    ``retain_graph`` (default: ``create_graph``), every node whose backward
    ran is released: its saved arrays are freed and a second backward
    through it raises.
    """
    retain = create_graph if retain_graph is None else retain_graph
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            raise RuntimeError(
                f"output {i} does not require grad and has no graph: did you "
                f"compute it under no_grad, or from tensors without "
                f"requires_grad=True?")
    seeds = _seed_gradients(outputs, grad_outputs)
    wanted = None if targets is None else set(targets)
    # Without create_graph the gradients are plain arrays (no op is recorded,
    # so a Tensor around them would only cost time); with it, Tensors.
    grads, found = {}, {}
    state = mode._state
    previous_mode, previous_arrays = state["grad_enabled"], state["arrays"]
    state["grad_enabled"] = bool(create_graph)  # set_grad_enabled, minus the
    try:                                        # cost of a generator context manager
        for o, g in zip(outputs, seeds):
            g = g if create_graph else g.data
            previous = grads.get(o)  # the same output may be passed twice
            grads[o] = g if previous is None else previous + g
        for node in reversed(topological_order(outputs)):
            # Every use of node comes later in the order, so by now its
            # gradient is complete; pop it to free memory as we go.
            g = grads.pop(node, None)
            if g is None:
                continue
            if wanted is not None and node in wanted:
                found[node] = g
            ctx = node._ctx
            if ctx is None:
                if wanted is None:
                    _accumulate_leaf(node, g, create_graph)
                continue
            for parent, g_parent in zip(ctx.inputs,
                                        _run_backward(node, ctx, g, create_graph)):
                if g_parent is not None and parent.requires_grad:
                    _add_gradient(grads, ctx, parent, g_parent, create_graph)
            if not retain:
                ctx.release()
    finally:
        state["grad_enabled"], state["arrays"] = previous_mode, previous_arrays
    if not create_graph:
        for key, g in found.items():
            found[key] = _new_tensor(g)
    return found


def _run_backward(node, ctx, grad, create_graph):
    """The node's Function.backward: one gradient per input (a tuple).

    Without create_graph, ``grad`` is an array; a backward marked
    ``backward_on_arrays`` gets it as it is (with ``mode._state["arrays"]``
    on, so that ``saved_tensors`` and ``apply`` work on arrays), any other
    a Tensor around it.
    """
    if ctx.released:
        raise RuntimeError(
            f"trying to backward through the graph a second time ({ctx.fn.__name__} "
            f"was already differentiated and its saved arrays freed); pass "
            f"retain_graph=True to the first backward()/grad() if you need to, or "
            f"recompute the forward pass")
    state = mode._state
    if not create_graph and ctx.fn.array_backward:
        state["arrays"] = True  # reset by the next Tensor backward and at the end
        return _call_backward(ctx, grad)
    state["arrays"] = False
    if not create_graph:
        grad = _new_tensor(grad)
    ctx._out = node  # lets ctx.saved_tensors find the output; never kept
    try:
        return _call_backward(ctx, grad)
    finally:
        ctx._out = None


def _call_backward(ctx, grad):
    """ctx.fn.backward(ctx, grad) as a tuple of one gradient per input."""
    try:
        input_grads = ctx.fn.backward(ctx, grad)
    except mode.AnomalyError as error:
        # An op used inside this backward produced the NaN: name this one.
        raise mode.AnomalyError(
            f"detect_anomaly: {ctx.fn.__name__}.backward produced NaN or inf "
            f"({error})") from None
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if len(input_grads) != len(ctx.inputs):
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned {len(input_grads)} "
            f"gradients for {len(ctx.inputs)} inputs")
    if mode._state["anomaly"]:
        check_backward_finite(ctx, input_grads)
    return input_grads


def _add_gradient(grads, ctx, parent, g, create_graph):
    """Add g, the gradient ``ctx.fn.backward`` returned for input ``parent``,
    to ``grads[parent]``, after checking its shape and casting its dtype:
    an array, or a Tensor with create_graph (then the sum is recorded too:
    it is part of the gradient's graph)."""
    if create_graph:
        data = g.data
    else:
        data = g = g.data if isinstance(g, Tensor) else g
    expected = parent.data
    if data.shape != expected.shape:
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned a gradient of shape "
            f"{data.shape} for an input of shape {expected.shape}")
    if data.dtype != expected.dtype:
        g = g.astype(expected.dtype)
    previous = grads.get(parent)
    grads[parent] = g if previous is None else previous + g


def _accumulate_leaf(leaf, g, create_graph):
    # As in PyTorch, gradients add up across backward calls until zeroed.
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:
        if not (g.flags.c_contiguous and g.flags.writeable):
            g = np.array(g)  # broadcast views are read-only
        leaf.grad = _new_tensor(g)
    else:
        leaf.grad = _new_tensor(leaf.grad.data + g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs`` (as ``torch.autograd.grad``).

    outputs: a Tensor or a sequence of Tensors; inputs: a Tensor or sequence.
    grad_outputs: the vector v of the vector-Jacobian product v^T J, one per
    output (None for scalar outputs means 1). With ``create_graph=True`` the
    returned gradients are themselves differentiable; ``retain_graph``
    (default: ``create_graph``) keeps the graph for another backward.
    Returns a tuple with one Tensor (or None when unused and allowed) per input.
    Does not touch ``.grad``.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is not None and not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise ValueError(
                f"grad: inputs[{i}] must be a Tensor with requires_grad=True")
    grads = backpropagate(outputs, grad_outputs, create_graph, targets=inputs,
                          retain_graph=retain_graph)
    result = []
    for i, t in enumerate(inputs):
        g = grads.get(t)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: inputs[{i}] (shape {t.shape}) was not used to compute "
                f"the outputs; pass allow_unused=True to get None for it")
        result.append(g)
    return tuple(result)
