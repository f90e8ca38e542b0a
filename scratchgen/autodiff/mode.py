"""Global switches of the autodiff: gradient recording and anomaly detection.

``no_grad()`` turns off graph recording (used for evaluation, for optimizer
updates, and by the engine while it runs backward without
``create_graph``). ``detect_anomaly()`` makes every op check that what it
computed is finite and name itself when it is not.
"""
import contextlib

_state = {"grad_enabled": True, "anomaly": False}


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
def detect_anomaly():
    """Raise ``AnomalyError`` naming the first op whose forward or backward
    produced a NaN or an infinity (as ``torch.autograd.detect_anomaly``).

    It costs one ``isfinite`` pass per op, so use it for debugging only.
    """
    previous = _state["anomaly"]
    _state["anomaly"] = True
    try:
        yield
    finally:
        _state["anomaly"] = previous
