"""Sizes too big for the machine and data that would be silently misread: refused in
one line with exit status 2, before any folder exists (issue 13, sections 3 and 4)."""
import numpy as np
import pytest

from scratchgen.commands.common import read_table
from scratchgen.validation import check_memory


def check_refused(r, tmp_path, *words, keep=()):
    lines = r.err.splitlines()
    assert r.status == 2 and len(lines) == 1 and lines[0].startswith("scratchgen: error:"), r.err
    assert "Traceback" not in r.err
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in keep) == []


@pytest.mark.parametrize("argv, words", [
    (["fit", "ring", "--n", str(10**14)], ["--n 100000000000000", "memory"]),
    (["sample", "gaussian", "--dim", str(10**8)], ["100000000 dimensions", "memory"]),
    (["sample", "ring", "--steps", str(10**11)], ["steps", "memory"]),
    (["sample", "ring", "--chains", str(10**9)], ["1000000000 chains", "memory"]),
    (["train", "autoencoder", "--batch-size", str(10**9)], ["--batch-size 1000000000", "memory"]),
    (["train", "vae", "--latent-dim", str(10**8)], ["--latent-dim 100000000", "memory"]),
    (["train", "gan", "--latent-dim", str(10**8)], ["--latent-dim 100000000", "memory"]),
    (["train", "gan", "--batch-size", str(10**9)], ["--batch-size 1000000000", "memory"]),
    (["train", "vae", "--iwae-k", str(10**9)], ["--iwae-k 1000000000", "memory"]),
])
def test_sizes_that_cannot_fit_are_refused_before_allocating(cli, tmp_path, argv, words):
    check_refused(cli(*argv, "--out", tmp_path / "run"), tmp_path, *words)


def test_check_memory_compares_with_what_is_available(monkeypatch):
    monkeypatch.setenv("SCRATCHGEN_MEMORY_LIMIT", str(2**30))
    check_memory(2**29, "half a GiB")
    with pytest.raises(MemoryError, match=r"--n 5 needs about 2\.0 GiB of memory, more than the 1\.0 GiB"):
        check_memory(2**31, "--n 5", "use a smaller --n")


@pytest.mark.parametrize("argv, words", [
    (["fit", "ring", "--seed", "-1"], ["--seed", "'-1'"]),
    (["sample", "ring", "--scale", "1e-320"], ["--scale", "1e-06 to 1e+06"]),
    (["sample", "ring", "--scale", "1e308"], ["--scale", "1e-06 to 1e+06"]),
])
def test_option_values_that_would_mislead(cli, tmp_path, argv, words):
    check_refused(cli(*argv, "--out", tmp_path / "run"), tmp_path, *words)


def _rows(n=50, d=2, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


def test_a_utf8_bom_does_not_turn_the_first_row_into_a_header(tmp_path):
    X = _rows()
    path = tmp_path / "excel.csv"
    path.write_text("\n".join(f"{float(a)!r},{float(b)!r}" for a, b in X) + "\n", encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    np.testing.assert_array_equal(read_table(path), X)     # all 50 rows, exactly


@pytest.mark.parametrize("name, make, words", [
    ("data.npy", lambda p: np.save(p, _rows() + 1j), ["complex"]),
    ("data.npy", lambda p: np.save(p, np.zeros((50, 0))), ["no columns", "(50, 0)"]),
    ("data.npy", lambda p: np.save(p, _rows() * 1e300), ["overflow", "rescale"]),
    ("data.npy", lambda p: np.save(p, np.c_[_rows()[:, 0], np.ones(50)]), ["singular", "constant"]),
    ("data.npy", lambda p: np.save(p, np.repeat(_rows(2), 25, axis=0)), ["singular", "duplicate"]),
    ("data.csv", lambda p: p.write_text("1," + "2" * 200_000 + "\n3,4\n"), ["line 1", "field limit"]),
])
@pytest.mark.parametrize("model", ["gaussian", "mixture"])
def test_data_the_models_would_misread_is_refused_the_same_by_both(cli, tmp_path, name, make, words, model):
    path = tmp_path / name
    make(path)
    r = cli("fit", path, "--model", model, "--components", "2", "--out", tmp_path / "run")
    check_refused(r, tmp_path, *words, keep=(name,))
