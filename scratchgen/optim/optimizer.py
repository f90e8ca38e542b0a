"""``Optimizer``: parameter groups, state, zero_grad and state dicts (as ``torch.optim``).

An optimizer holds ``param_groups``: a list of dicts, each with "params"
(a list of Parameters) and that group's options (lr, momentum, ...), so
different parts of a model can use different learning rates::

    Adam([{"params": G.parameters()}, {"params": D.parameters(), "lr": 1e-4}], lr=2e-4)

``state[param]`` holds the per-parameter arrays (momentum buffers, Adam's
moments). ``state_dict()`` gives plain nested dicts of arrays and numbers,
with parameters replaced by their position (0, 1, ... across groups), as
PyTorch does, so ``sg.save`` can store it.
"""
import numbers

import numpy as np

from scratchgen.autodiff import Tensor, enable_grad
from scratchgen.validation import check_int

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: subclasses set ``defaults`` and implement ``step``."""

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of "
                            f"Parameters or of dicts, got a single Tensor; wrap it in a list")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------- groups
    def add_param_group(self, group):
        """Add a dict {"params": [...], option: value, ...}; missing options take defaults."""
        if not isinstance(group, dict):
            raise TypeError(f"param group must be a dict, got {type(group).__name__}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: a parameter group has no parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: params[{i}] is a "
                                f"{type(p).__name__}, expected a Parameter/Tensor")
            if not p.requires_grad or not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: params[{i}] (shape {p.shape}) "
                                 f"must be a leaf Tensor with requires_grad=True")
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: params[{i}] (shape {p.shape}) "
                                 f"was passed twice; each parameter may appear once")
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown options {sorted(unknown)}; "
                             f"valid ones are {sorted(self.defaults)}")
        full = dict(self.defaults)
        full.update(group)
        full["params"] = params
        self._check_options(full)
        self.param_groups.append(full)

    def _check_options(self, group):
        """Subclasses validate a group's options here (raise ValueError)."""

    # -------------------------------------------------------------- steps
    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (set to None, or to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor(np.zeros_like(p.data))

    def step(self, closure=None):
        """Update the parameters from their ``.grad``; returns closure() if given.

        The options of every group are validated again first (a few
        microseconds), so that ``param_groups[0]["lr"] = -0.1`` is refused
        here rather than reaching the kernel.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._check_options(group)
            self._update_group(group)
        return loss

    def _kernel_views(self, p, state_arrays):
        """Flat views of p.data, its gradient and its state arrays, checked, for
        the in-place kernels of ``scratchgen.kernels.unchecked``.

        state_arrays: (name, array) pairs. The kernels trust these arrays, so
        every shape and dtype is compared with the parameter's here: a
        ``p.data`` replaced by an array of another shape would otherwise make
        the compiled loop write past the state's memory.
        """
        param, grad = p.data, p.grad.data
        if not (param.flags.c_contiguous and param.flags.writeable):
            raise ValueError(f"{self._name_of(p)}: p.data must be a C-contiguous, "
                             f"writable array (it is updated in place); use "
                             f"p.data = numpy.ascontiguousarray(...)")
        if grad.shape != param.shape:
            raise ValueError(f"{self._name_of(p)}: its .grad has shape {grad.shape}, "
                             f"but the parameter has shape {param.shape}")
        if grad.dtype != param.dtype or not grad.flags.c_contiguous:
            grad = np.ascontiguousarray(grad, dtype=param.dtype)
        views = [param.reshape(-1), grad.reshape(-1)]
        for name, array in state_arrays:
            if array.shape != param.shape or array.dtype != param.dtype:
                raise ValueError(
                    f"{self._name_of(p)}: its optimizer state {name!r} has shape "
                    f"{array.shape} and dtype {array.dtype}, but the parameter now has "
                    f"shape {param.shape} and dtype {param.dtype} (was p.data replaced?); "
                    f"call optimizer.state.pop(p) to restart its state, or build a new "
                    f"optimizer")
            views.append(array.reshape(-1))
        return views

    def _name_of(self, p):
        index = 0
        for group in self.param_groups:
            for q in group["params"]:
                if q is p:
                    return f"{type(self).__name__}: parameter {index} (shape {p.shape})"
                index += 1
        return f"{type(self).__name__}: a parameter of shape {p.shape}"

    def _update_group(self, group):
        raise NotImplementedError

    # --------------------------------------------------------- state dict
    def state_dict(self):
        """{"state": {index: {name: array|number}}, "param_groups": [{options, "params": [index]}]}.

        Arrays are copies; parameters are numbered in the order of the groups.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            options = {k: v for k, v in group.items() if k != "params"}
            options["params"] = ids
            groups.append(options)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: (np.array(v, copy=True)
                                               if isinstance(v, np.ndarray) else v)
                                           for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore options and per-parameter state saved by ``state_dict()``.

        The optimizer must have been built on parameters of the same number and
        shapes, in the same groups; arrays are copied and cast to each
        parameter's dtype.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("load_state_dict: expected a dict with keys 'state' and "
                             "'param_groups' (from Optimizer.state_dict())")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: the state has {len(saved_groups)} "
                             f"parameter groups, this optimizer has {len(self.param_groups)}")
        by_index = {}
        for g, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"load_state_dict: group {g} has {len(saved['params'])} "
                                 f"parameters in the state, {len(group['params'])} here")
            by_index.update(zip(saved["params"], group["params"]))
        new_state = {}
        for key, values in state_dict["state"].items():
            index = int(key)
            if index not in by_index:
                raise ValueError(f"load_state_dict: state for unknown parameter {key!r}")
            p = by_index[index]
            new_state[p] = {name: self._restore(value, p, name)
                            for name, value in values.items()}
        restored = []
        for g, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            options = dict(group)
            for key, value in saved.items():
                if key != "params":
                    options[key] = tuple(value) if isinstance(value, list) else value
            try:  # options from a file are checked like the constructor's
                self._check_options(options)
            except (TypeError, ValueError) as error:
                raise type(error)(f"load_state_dict: parameter group {g}: {error}") from None
            restored.append(options)
        for group, options in zip(self.param_groups, restored):
            group.update(options)
        self.state = new_state

    @staticmethod
    def _restore(value, param, name):
        if isinstance(value, np.ndarray) and value.ndim > 0:
            if value.shape != param.shape:
                raise ValueError(f"load_state_dict: state {name!r} has shape "
                                 f"{value.shape}, the parameter has {param.shape}")
            return np.array(value, dtype=param.dtype, copy=True, order="C")
        if isinstance(value, np.ndarray):
            value = value.item()
        if name == "step":  # steps taken: the state exists only after the first
            return check_int(value, "load_state_dict: state 'step'", minimum=1)
        if isinstance(value, numbers.Integral):
            return int(value)
        return value
