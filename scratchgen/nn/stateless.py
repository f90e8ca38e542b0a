"""Calling a Module with other parameter values (``torch.func.functional_call``).

``functional_call(module, tensors, x)`` runs ``module(x)`` with its
parameters replaced by ``tensors`` (in ``module.parameters()`` order) and
restores them afterwards. The tensors may carry a graph, for instance
theta - eta * grad L(theta) computed with ``create_graph=True``, so the
output can be differentiated through the update: this is how the unrolled
GAN (``scratchgen.gan.unrolled``) looks K discriminator steps ahead, and how
MAML-style meta-gradients are written.
"""
from contextlib import contextmanager

__all__ = ["functional_call", "using_parameters"]


def _parameter_slots(module):
    """(owner module, attribute name) of each parameter, in ``parameters()`` order."""
    slots, seen = [], set()
    for owner in module.modules():
        for name, param in owner._parameters.items():
            if param is not None and id(param) not in seen:
                seen.add(id(param))
                slots.append((owner, name))
    return slots


@contextmanager
def using_parameters(module, tensors):
    """Within the block, ``module``'s parameters are replaced by ``tensors``
    (same order as ``module.parameters()``); restored afterwards, even on error."""
    slots = _parameter_slots(module)
    tensors = list(tensors)
    if len(slots) != len(tensors):
        raise ValueError(f"functional_call: the module has {len(slots)} parameters, "
                         f"got {len(tensors)} tensors")
    for (owner, name), t in zip(slots, tensors):
        current = owner.__dict__[name]
        if getattr(t, "shape", None) != current.shape:
            raise ValueError(f"functional_call: the tensor for {type(owner).__name__}."
                             f"{name} has shape {getattr(t, 'shape', None)}, the "
                             f"parameter has {current.shape}")
    originals = [owner.__dict__[name] for owner, name in slots]
    try:
        for (owner, name), t in zip(slots, tensors):
            # Bypass Module.__setattr__: a temporary stand-in, not a new Parameter.
            object.__setattr__(owner, name, t)
        yield
    finally:
        for (owner, name), p in zip(slots, originals):
            object.__setattr__(owner, name, p)


def functional_call(module, tensors, *args):
    """``module(*args)`` with its parameters replaced by ``tensors`` (same order
    as ``module.parameters()``), like ``torch.func.functional_call``.

    The tensors may carry a graph (e.g. unrolled updates), so the output can
    be differentiated with respect to whatever produced them.
    """
    with using_parameters(module, tensors):
        return module(*args)
