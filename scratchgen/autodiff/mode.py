"""Global switches of the autodiff: gradient recording and anomaly detection.

``no_grad()`` turns off graph recording (used for evaluation, for optimizer
updates, and by the engine while it runs backward without
``create_graph``). ``detect_anomaly()`` makes every op check that what it
computed is finite and name itself when it is not.
"""
import contextlib

# "arrays": set by the engine while it runs, without create_graph, a backward
# marked ``backward_on_arrays`` (see function.py): ops on plain arrays then
# stay plain arrays.
_state = {"grad_enabled": True, "anomaly": False, "leaf_names": None, "arrays": False}


def is_grad_enabled():
    """True when new operations are recorded for backward."""
    return _state["grad_enabled"]


@contextlib.contextmanager
def set_grad_enabled(mode):
    """Context manager that sets gradient recording on or off."""
    previous = _state["grad_enabled"]
    _state["grad_enabled"] = bool(mode)
    try:
        yield
    finally:
        _state["grad_enabled"] = previous


def no_grad():
    """Context manager: operations inside record no graph (as ``torch.no_grad``)."""
    return set_grad_enabled(False)


def enable_grad():
    """Context manager: turn recording back on inside a ``no_grad`` block."""
    return set_grad_enabled(True)


class AnomalyError(FloatingPointError):
    """Raised under ``detect_anomaly()`` when an op produced NaN or inf."""


def is_anomaly_enabled():
    return _state["anomaly"]


@contextlib.contextmanager
def detect_anomaly(model=None):
    """Raise ``AnomalyError`` naming the first op whose forward or backward
    produced a NaN or an infinity (as ``torch.autograd.detect_anomaly``).

    When an op's *input* already holds the NaN (say a parameter that an
    earlier step set to NaN), the error names that input instead of the op:
    a leaf is described by its shape and dtype, and by its name when
    ``model`` is given (a Module, or a dict name -> Tensor), e.g.
    ``with sg.detect_anomaly(model): ...`` reports "parameter '0.weight'".

    It costs one ``isfinite`` pass per op, so use it for debugging only.
    """
    previous = _state["anomaly"], _state["leaf_names"]
    names = None
    if model is not None:
        items = (model.named_parameters() if hasattr(model, "named_parameters")
                 else dict(model).items())
        names = {id(t): name for name, t in items}
    _state["anomaly"], _state["leaf_names"] = True, names
    try:
        yield
    finally:
        _state["anomaly"], _state["leaf_names"] = previous


def describe_leaf(t):
    """A leaf Tensor in words, for error messages under ``detect_anomaly``."""
    names = _state["leaf_names"]
    if names is not None and id(t) in names:
        return f"parameter {names[id(t)]!r}"
    if t.requires_grad:
        return "a leaf tensor with requires_grad=True (a parameter)"
    return "a leaf tensor without requires_grad (data or a constant)"
