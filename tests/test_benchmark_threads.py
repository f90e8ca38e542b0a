"""The GAN benchmarks take their thread counts from the one policy (scratchgen/threads.py):
no private BLAS environment variables (a second home for the policy that drifted from it)."""
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize("name", ["mode_collapse", "digits_gan", "mnist_stacked", "mnist_gan",
                                  "gan_step", "kernels", "mnist_latent",
                                  "mnist_features", "mnist_semi_supervised"])
def test_benchmark_applies_the_thread_policy_and_sets_no_blas_variables(name):
    source = (BENCHMARKS / f"{name}.py").read_text()
    assert "apply_thread_policy()" in source
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        assert f'environ.setdefault("{variable}"' not in source
        assert f'environ["{variable}"]' not in source
