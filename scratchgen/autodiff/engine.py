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
    order, visited = [], set()
    # BEGIN SOLUTION task=autodiff.topological_sort
    stack = [(t, False) for t in roots if t.requires_grad]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if node._ctx is not None:
            for parent in node._ctx.inputs:
                if parent.requires_grad and id(parent) not in visited:
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
    are returned as a dict keyed by ``id`` (as ``grad``). Unless
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
    target_ids = None if targets is None else {id(t) for t in targets}
    grads = {}
    state = mode._state
    previous_mode = state["grad_enabled"]
    state["grad_enabled"] = bool(create_graph)  # set_grad_enabled, minus the
    try:                                        # cost of a generator context manager
        for o, g in zip(outputs, seeds):
            _accumulate(grads, o, g, create_graph)
        for node in reversed(topological_order(outputs)):
            key = id(node)
            g = grads.get(key)
            if g is None:
                continue
            ctx = node._ctx
            if ctx is None:
                if target_ids is None:
                    _accumulate_leaf(node, g, create_graph)
                continue
            _run_backward(node, ctx, g, grads, create_graph)
            if not retain:
                ctx.release()
            if target_ids is None or key not in target_ids:
                del grads[key]  # free memory as we go
    finally:
        state["grad_enabled"] = previous_mode
    return grads


def _run_backward(node, ctx, grad, grads, create_graph):
    if ctx.released:
        raise RuntimeError(
            f"trying to backward through the graph a second time ({ctx.fn.__name__} "
            f"was already differentiated and its saved arrays freed); pass "
            f"retain_graph=True to the first backward()/grad() if you need to, or "
            f"recompute the forward pass")
    ctx._out = node  # lets ctx.saved_tensors find the output; never kept
    try:
        input_grads = ctx.fn.backward(ctx, grad)
    except mode.AnomalyError as error:
        # An op used inside this backward produced the NaN: name this one.
        raise mode.AnomalyError(
            f"detect_anomaly: {ctx.fn.__name__}.backward produced NaN or inf "
            f"({error})") from None
    finally:
        ctx._out = None
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if len(input_grads) != len(ctx.inputs):
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned {len(input_grads)} "
            f"gradients for {len(ctx.inputs)} inputs")
    if mode._state["anomaly"]:
        check_backward_finite(ctx, input_grads)
    for parent, g in zip(ctx.inputs, input_grads):
        if g is None or not parent.requires_grad:
            continue
        data, expected = g.data, parent.data
        if data.shape != expected.shape:
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned a gradient of shape "
                f"{data.shape} for an input of shape {expected.shape}")
        if data.dtype != expected.dtype:
            g = g.astype(expected.dtype)
        _accumulate(grads, parent, g, create_graph)


def _accumulate(grads, node, g, create_graph):
    key = id(node)
    previous = grads.get(key)
    if previous is None:
        grads[key] = g
    elif create_graph:
        grads[key] = previous + g  # recorded: the sum is part of the gradient's graph
    else:
        grads[key] = _new_tensor(previous.data + g.data)  # no op, no Context


def _accumulate_leaf(leaf, g, create_graph):
    # As in PyTorch, gradients add up across backward calls until zeroed.
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:
        data = g.data
        if not (data.flags.c_contiguous and data.flags.writeable):
            data = np.array(data)  # broadcast views are read-only
        leaf.grad = _new_tensor(data)
    else:
        leaf.grad = _new_tensor(leaf.grad.data + g.data)


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
        g = grads.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: inputs[{i}] (shape {t.shape}) was not used to compute "
                f"the outputs; pass allow_unused=True to get None for it")
        result.append(g)
    return tuple(result)
