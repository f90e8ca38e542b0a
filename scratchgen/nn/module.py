"""``Module`` and ``Parameter``: the containers every model is built from.

A Module owns Parameters (Tensors that an optimizer updates), buffers
(arrays that are part of the state but not trained, e.g. BatchNorm's running
statistics) and child Modules. Assigning one of these to an attribute
registers it, as in PyTorch::

    class Affine(Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(np.ones(3))   # registered parameter
            self.inner = Linear(3, 3)             # registered child

``state_dict()`` names everything by its attribute path ("inner.weight"), in
PyTorch's order (own parameters, own buffers, then children), so a state dict
of a scratchgen model loads into the equivalent ``torch.nn`` model with
``torch_model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})``.

Attributes are stored in the instance ``__dict__`` as well as in the
registries, so reading ``self.weight`` in ``forward`` is a plain attribute
lookup (PyTorch goes through ``__getattr__``, which is slower).
"""
import numpy as np

from scratchgen.autodiff import Tensor
from scratchgen.autodiff.dtypes import get_default_dtype

__all__ = ["Parameter", "Module"]


class Parameter(Tensor):
    """A Tensor that is a trainable parameter of a Module (``requires_grad=True``).

    data: array-like; lists and Python numbers take the default dtype
    (``sg.get_default_dtype()``), an ndarray keeps its float dtype.
    """

    def __init__(self, data, requires_grad=True):
        if isinstance(data, Tensor):
            data = data.data
        array = np.asarray(data)
        if array.dtype.kind != "f":
            array = array.astype(get_default_dtype())
        # Own, contiguous, writable memory: optimizers update it in place.
        array = np.require(array, requirements=["C", "W", "O"])
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models (as ``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first and define ``forward``;
    ``module(x)`` calls ``forward(x)``.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------- registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() is called; "
                f"call super().__init__() first in {type(self).__name__}.__init__")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            buffers.pop(name, None)
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} to parameter {name!r} "
                    f"of {type(self).__name__} (expected a Parameter or None)")
            params[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"buffer {name!r} must be a numpy.ndarray or None, "
                                f"got {type(value).__name__}")
            buffers[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} to child "
                                f"module {name!r} (expected a Module or None)")
            modules[name] = None
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or "
                            f"None, got {type(param).__name__}")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name, array):
        """Register an ndarray that belongs to the state but is not trained.

        Buffers appear in ``state_dict()`` (e.g. BatchNorm's ``running_mean``)
        and are not returned by ``parameters()``.
        """
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(f"register_buffer: {name!r} must be a numpy.ndarray, "
                            f"got {type(array).__name__}")
        self._buffers[name] = array
        object.__setattr__(self, name, array)

    def add_module(self, name, module):
        """Register a child module under ``name`` (which may be "0", "1", ...)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got "
                            f"{type(module).__name__}")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    # --------------------------------------------------------------- call
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ walking
    def named_modules(self, prefix=""):
        """Yield (name, module) for this module and all descendants, once each."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{k}" if name else k, m)
                        for k, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix="", recurse=True):
        """Yield ("path.name", Parameter) pairs, each Parameter once."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, param in module._parameters.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True):
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, buf in module._buffers.items():
                if buf is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buf

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn):
        """Call ``fn(module)`` on every descendant and then on self; return self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -------------------------------------------------------------- modes
    def train(self, mode=True):
        """Set training mode (Dropout drops, BatchNorm uses batch statistics)."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be a bool, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (set to None, or to zeros)."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = Tensor(np.zeros_like(param.data))

    def requires_grad_(self, requires_grad=True):
        """Switch gradient tracking of all parameters (e.g. freeze D while training G)."""
        for param in self.parameters():
            param.requires_grad = bool(requires_grad)
        return self

    def to(self, dtype):
        """Cast all parameters and float buffers to ``dtype`` in place; return self.

        The Parameter objects stay the same (their ``.data`` is replaced), so
        build optimizers after the cast: their state would keep the old dtype.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"to(dtype): dtype must be a float dtype, got {dtype}")
        for module in self.modules():
            for param in module._parameters.values():
                if param is not None and param.data.dtype != dtype:
                    param.data = param.data.astype(dtype)
                    param.grad = None
            for name, buf in list(module._buffers.items()):
                if buf is not None and buf.dtype.kind == "f" and buf.dtype != dtype:
                    setattr(module, name, buf.astype(dtype))
        return self

    def double(self):
        """Cast to float64 (for gradient checks); ``to(np.float64)``."""
        return self.to(np.float64)

    def float(self):
        """Cast to float32; ``to(np.float32)``."""
        return self.to(np.float32)

    def num_parameters(self):
        """Total number of trainable scalars."""
        return sum(p.data.size for p in self.parameters())

    # --------------------------------------------------------- state dict
    def _state_items(self):
        """(key, live array) for every parameter and buffer, PyTorch's order."""
        items = []
        for module_name, module in self._named_modules_in_order():
            prefix = f"{module_name}." if module_name else ""
            for name, param in module._parameters.items():
                if param is not None:
                    items.append((prefix + name, param.data))
            for name, buf in module._buffers.items():
                if buf is not None:
                    items.append((prefix + name, buf))
        return items

    def _named_modules_in_order(self, prefix=""):
        # Depth first: a module's own entries, then each child's, like torch.
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child._named_modules_in_order(
                    f"{prefix}.{name}" if prefix else name)

    def state_dict(self):
        """A plain ``dict[str, ndarray]`` of copies of all parameters and buffers.

        Keys and shapes are PyTorch's ("0.weight" with shape (out, in), ...).
        """
        return {key: np.array(value, copy=True) for key, value in self._state_items()}

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from ``state_dict`` into the parameters and buffers, in place.

        strict=True: the keys must match exactly; otherwise a ValueError lists
        the missing and unexpected keys. A shape mismatch is always an error.
        Values are cast to each parameter's dtype. Returns
        ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict of arrays, got "
                            f"{type(state_dict).__name__}")
        own = dict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched = []
        for key, target in own.items():
            if key in state_dict:
                shape = np.shape(state_dict[key])
                if shape != target.shape:
                    mismatched.append(f"{key}: checkpoint has shape {shape}, "
                                      f"model has {target.shape}")
        problems = []
        if strict and missing:
            problems.append(f"missing keys: {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {unexpected}")
        if mismatched:
            problems.append("shape mismatches: " + "; ".join(mismatched))
        if problems:
            raise ValueError(f"load_state_dict into {type(self).__name__} failed: "
                             + ". ".join(problems))
        for key, target in own.items():
            if key in state_dict:
                # In place, so an optimizer holding these arrays stays valid.
                target[...] = np.asarray(state_dict[key])
        return missing, unexpected

    # --------------------------------------------------------------- repr
    def extra_repr(self):
        """The text inside the parentheses of this module's repr."""
        return ""

    def __repr__(self):
        lines = []
        for name, child in self._modules.items():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"\n  {extra}" if extra else "")
        return head + "\n" + "\n".join(lines) + "\n)"
