"""Run one benchmark measurement in a fresh process (shared by the benchmarks).

Why a process each: libraries interfere inside one process (PyTorch's OpenMP
threads slowed NumPy's BLAS about 3x when both were loaded), thread counts
must be fixed before NumPy or PyTorch is imported, and PyTorch lives in its
own interpreter (a separate venv) so that the library's environment stays
torch-free.

``run_worker(python, script, args, threads)`` runs ``python script --worker
... args`` with the thread variables set and returns the JSON the worker
printed on its last line; ``torch_python(option)`` finds the interpreter to
run PyTorch with (option, else ``$SCRATCHGEN_TORCH_PYTHON``, else this
interpreter if it can import torch), or None to skip PyTorch.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS", "SCRATCHGEN_NUM_THREADS")  # the last: sg's policy
ROOT = Path(__file__).resolve().parent.parent  # the checkout whose scratchgen is measured


def set_threads_before_import(threads):
    """In a worker: fix the thread count before NumPy / PyTorch are imported."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)


def run_worker(python, script, args, threads):
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = str(threads)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([python, str(script), "--worker", *map(str, args),
                             "--threads", str(threads)],
                            capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def torch_python(option=None):
    """The interpreter that runs PyTorch, or None (PyTorch is then skipped)."""
    candidates = [option, os.environ.get("SCRATCHGEN_TORCH_PYTHON"), sys.executable]
    for python in candidates:
        if not python:
            continue
        try:
            probe = subprocess.run([python, "-c", "import torch"], capture_output=True,
                                   check=False)
        except OSError as error:  # no such interpreter
            print(f"note: cannot run {python} ({error.strerror})", file=sys.stderr)
            continue
        if probe.returncode == 0:
            return python
        if python is not sys.executable:
            print(f"note: {python} cannot import torch; trying the next interpreter",
                  file=sys.stderr)
    return None


def report(values):
    """What a worker prints: one JSON line (the parent reads the last line)."""
    print(json.dumps(values), flush=True)
