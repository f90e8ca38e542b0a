"""The backend switch: environment variable, set_backend/get_backend, use_backend."""
import numpy as np
import pytest

from scratchgen import kernels
from scratchgen.kernels import backend, numba_kernels, numpy_twins


def test_both_modules_export_the_same_functions_with_the_same_signatures():
    import inspect

    assert numpy_twins.__all__ == numba_kernels.__all__
    for name in numpy_twins.__all__:
        twin = getattr(numpy_twins, name)
        kernel = getattr(numba_kernels, name)
        kernel = getattr(kernel, "py_func", kernel)  # the Python source Numba compiles
        assert inspect.signature(twin) == inspect.signature(kernel), name
        assert name in kernels.__all__


def test_kernels_routed_to_numpy_are_the_twins_themselves():
    # the "numba" backend uses the twin where NumPy's ufuncs are faster
    for name in numba_kernels.ROUTED_TO_NUMPY:
        if "[" not in name:
            assert getattr(numba_kernels, name) is getattr(numpy_twins, name), name
    x, b = np.linspace(-3, 3, 12).reshape(3, 4), np.arange(4.0)
    np.testing.assert_array_equal(numba_kernels.bias_act_forward(x, b, kernels.ACTIVATION_CODES["tanh"], 0.0),
                                  np.tanh(x + b))


def test_set_backend_switches_the_implementation(monkeypatch):
    calls = []
    original = numpy_twins.sigmoid
    monkeypatch.setattr(numpy_twins, "sigmoid", lambda x: calls.append(x) or original(x))
    with kernels.use_backend("numba"):
        kernels.sigmoid(np.zeros(3))
        assert kernels.get_backend() == "numba" and calls == []
        with kernels.use_backend("numpy"):
            np.testing.assert_array_equal(kernels.sigmoid(np.zeros(3)), [0.5, 0.5, 0.5])
            assert kernels.get_backend() == "numpy" and len(calls) == 1
        assert kernels.get_backend() == "numba"  # restored


def test_set_backend_rejects_unknown_names():
    before = kernels.get_backend()
    with pytest.raises(ValueError, match="one of .*'numba'.*got 'cuda'"):
        kernels.set_backend("cuda")
    assert kernels.get_backend() == before


def test_environment_variable_chooses_the_backend(monkeypatch):
    # backend._init_from_environment is what `import scratchgen.kernels` runs; calling it
    # here avoids a ~1 s subprocess (this directory's time budget includes Numba compiles).
    before = kernels.get_backend()
    try:
        monkeypatch.setenv("SCRATCHGEN_KERNELS", "NumPy ")
        backend._init_from_environment()
        assert kernels.get_backend() == "numpy"
        monkeypatch.delenv("SCRATCHGEN_KERNELS")
        backend._init_from_environment()
        assert kernels.get_backend() == "numba"  # the default
        monkeypatch.setenv("SCRATCHGEN_KERNELS", "fortran")
        with pytest.raises(ValueError, match="SCRATCHGEN_KERNELS.*got 'fortran'"):
            backend._init_from_environment()
    finally:
        kernels.set_backend(before)

