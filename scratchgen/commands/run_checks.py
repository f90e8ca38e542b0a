"""Checks of what a run folder holds, before ``--resume`` or ``evaluate`` use it.

A run folder is user-editable: config.json may be edited by hand (a key
deleted, a list in place of the object, ``"hidden": [1e9]``), and a
checkpoint may come from elsewhere. Everything read back is checked here
and refused in one line naming the file, the key, what was found and what
was expected -- not a KeyError, AttributeError or a Numba typing error
three calls later.

``check_config`` compares a config with a *reference*: the config the same
command builds from its defaults (``reference_config``), so the expected
keys and types are never written down twice. A value must have the
reference's type (an int where the reference has an int, a list of ints
for a list of ints, ...), numbers must be finite, and where the default is
>= 1 (a size, a count) so must the value; None in the reference means any
value. Sizes that are valid but too big are left to ``commands.memory``.
"""
import math
import numbers

import numpy as np

from scratchgen.commands.errors import UsageError

__all__ = ["reference_config", "check_config", "read_config", "load_checkpoint", "restore", "leaves"]


def reference_config(command, model=None):
    """The config that ``scratchgen COMMAND [MODEL]`` builds with every option at its default."""
    from scratchgen.cli import build_parser
    argv = [command] + ([model] if model else []) + (["ring"] if command == "fit" else [])
    if command == "sample":
        argv.append("ring")
    args = build_parser().parse_args(argv)
    if command == "train":
        from scratchgen.commands import train
        return train._config_from_args(args)
    if command == "fit":
        from scratchgen.commands import fit
        return fit.make_config(args)
    from scratchgen.commands import sample
    return sample.make_config(args)


def _kind(value):
    if isinstance(value, bool):
        return "a boolean (true/false)"
    if isinstance(value, numbers.Integral):
        return "an integer"
    if isinstance(value, numbers.Real):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _check_value(value, reference, where, source):
    def refuse(expected):
        raise UsageError(f"{source}: {where} is {value!r}, expected {expected} like {reference!r} "
                         "(was the file edited by hand?)")
    if reference is None:
        return
    if isinstance(reference, bool):
        if not isinstance(value, bool):
            refuse("a boolean")
    elif isinstance(reference, numbers.Integral):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            refuse("an integer")
        if value < (1 if reference >= 1 else 0):
            refuse(f"an integer >= {1 if reference >= 1 else 0}")
    elif isinstance(reference, numbers.Real):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            refuse("a finite number")
        if reference > 0 and value <= 0:
            refuse("a number > 0")
    elif isinstance(reference, str):
        if not isinstance(value, str):
            refuse("a string")
    elif isinstance(reference, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            refuse(_kind(reference))
        if reference:
            for i, item in enumerate(value):
                _check_value(item, reference[0], f"{where}[{i}]", source)
    elif isinstance(reference, dict):
        if not isinstance(value, dict):
            refuse("an object")
        check_config(value, reference, source, where)


def check_config(config, reference, source, where="config"):
    """Refuse ``config`` (read from ``source``) if it lacks a key of ``reference`` or a value has the wrong type."""
    if not isinstance(config, dict):
        raise UsageError(f"{source}: expected a JSON object (the run's options), got {_kind(config)}")
    for key, ref in reference.items():
        if key not in config:
            raise UsageError(f"{source}: {where} has no {key!r} (expected e.g. {ref!r}; was the file "
                             "edited by hand?)")
        _check_value(config[key], ref, f"{where}[{key!r}]", source)
    return config


def read_config(path, command, model=None):
    """config.json of a run folder, checked against the command's reference config."""
    from scratchgen.commands.runs import read_json
    config = read_json(path)
    if not isinstance(config, dict):
        check_config(config, {}, path)
    if config.get("command") != command or (model is not None and config.get("model") != model):
        return config   # the caller says which run it is instead
    return check_config(config, reference_config(command, model), path)


def leaves(tree, where=""):
    """(path, value) of every leaf of nested dicts/lists/tuples, paths like "/model/0.weight"."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, f"{where}/{key}")
    elif isinstance(tree, (list, tuple)):
        for i, value in enumerate(tree):
            yield from leaves(value, f"{where}/{i}")
    else:
        yield where, tree


def load_checkpoint(path, config):
    """The checkpoint of a training run, checked: {"job": ..., "step": int in [0, config steps]}.

    Weights must be real and finite (complex values would be cast to real,
    NaN/inf means the run had diverged), and the step an int (not 7.9, not -5).
    """
    from scratchgen.serialization import load
    state = load(path)
    if not isinstance(state, dict) or not isinstance(state.get("job"), dict) or "step" not in state:
        keys = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
        raise UsageError(f"{path}: not a training checkpoint (expected the keys 'job' and 'step', "
                         f"found {keys})")
    step = state["step"]
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, (numbers.Integral,)) or step < 0:
        raise UsageError(f"{path}: step is {step!r}, expected an integer >= 0")
    state["step"] = int(step)
    for where, value in leaves(state["job"]):
        if isinstance(value, (np.ndarray, np.generic, complex)) and np.iscomplexobj(value):
            raise UsageError(f"{path}: job{where} holds complex numbers; expected real values")
        if (isinstance(value, np.ndarray) and value.dtype.kind == "f" and where.startswith("/model")
                and not np.all(np.isfinite(value))):
            raise UsageError(f"{path}: job{where} holds NaN or infinite weights (the run had "
                             "diverged); start a new run")
    return state


def restore(job, state, path):
    """``job.load_state_dict(state["job"])`` with its errors naming the checkpoint."""
    try:
        job.load_state_dict(state["job"])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"{path}: cannot be restored: {detail}") from None
