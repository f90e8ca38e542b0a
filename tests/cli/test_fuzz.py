"""Fuzzing the command line and the public loaders with malformed input (issue 13, section 5).

Properties, whatever hypothesis generates:

- the CLI, given one bad value in an otherwise valid tiny command, exits with
  status 2 and ONE line on stderr, no traceback, and leaves nothing behind:
  no run folder, no hidden temporary folder, nothing outside --out;
- ``read_table`` (the CLI's data reader) returns a finite float64 (n >= 2, d >= 1)
  table or raises UsageError, for any bytes in a .csv and any array in a .npy;
- ``scratchgen.load`` returns an object or raises ValueError (the documented
  exception) for any damage to a valid checkpoint: bit flips, truncation,
  bytes inserted.

The default profile runs 20 examples per property (a few seconds in all);
``HYPOTHESIS_PROFILE=thorough python -m pytest tests/cli/test_fuzz.py`` runs 500.
The faults that need real processes and signals (SIGKILL, SIGTERM, two
concurrent --resume, demo workers) are in tests/scripts/fault_injection.py.
"""
import os
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import scratchgen as sg
from scratchgen.cli import main
from scratchgen.commands.common import read_table
from scratchgen.commands.errors import UsageError

# Tiny valid commands (each runs in well under a second), and the options that may be broken.
BASES = {
    "fit": (["fit", "ring", "--quick", "--no-figures"], ["--n", "--components", "--anomalies", "--seed"]),
    "sample": (["sample", "ring", "--quick", "--no-figures"], ["--steps", "--chains", "--tune", "--scale",
                                                               "--dim", "--seed"]),
    "train": (["train", "vae", "--quick", "--no-figures"], ["--steps", "--batch-size", "--latent-dim",
                                                            "--hidden", "--lr", "--iwae-k", "--seed",
                                                            "--checkpoint-every", "--log-every"]),
    "gan": (["train", "gan", "--quick", "--no-figures"], ["--steps", "--batch-size", "--latent-dim",
                                                          "--hidden", "--lr-g", "--lr-d", "--seed"]),
}
# Values that no option above accepts: not numbers, out of range, not finite, absurd sizes.
BAD_VALUES = ["", " ", "x", "0", "-1", "-0.5", "nan", "inf", "-inf", "1e-320", "1e308", "1e14",
              "3.5.1", "0x10", "1,,2", "\x00", "💥", "10" * 30, str(10**20), "64,-3"]
# (Not "--": Python 3.11's argparse drops "--steps=--" as if the option were not given.)
HUGE = ("10" * 30, str(10**20))


def accepted(option, value):
    """Pairs above that are valid (so not an error), or valid and endless (--steps 10**20)."""
    if (option, value) in {("--anomalies", "0"), ("--tune", "0"), ("--seed", "0")}:
        return True
    if option.startswith("--lr") and value in ("1e14", "1e308", "1e-320", *HUGE):   # valid (if unwise) rates
        return True
    return value in HUGE and option in ("--seed", "--checkpoint-every", "--log-every", "--steps")


def _entries(folder):
    return sorted(p.name for p in Path(folder).iterdir())


@given(base=st.sampled_from(sorted(BASES)), data=st.data())
def test_one_bad_option_value_is_one_line_and_leaves_nothing(base, data):
    argv, options = BASES[base]
    option = data.draw(st.sampled_from(options), label="option")
    value = data.draw(st.sampled_from([v for v in BAD_VALUES if not accepted(option, v)]),
                      label="value")
    with tempfile.TemporaryDirectory() as tmp:
        before = os.getcwd()
        os.chdir(tmp)
        try:
            status, err = _run([*argv, f"{option}={value}", "--out", "run"])
        finally:
            os.chdir(before)
        lines = err.splitlines()
        assert status == 2, (argv, option, value, err)
        assert len(lines) == 1 and lines[0].startswith("scratchgen: error:"), err
        assert "Traceback" not in err
        assert _entries(tmp) == [], f"left behind: {_entries(tmp)}"


def _run(argv):
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(argv)
    return status, err.getvalue()


def _check_table(path):
    try:
        X = read_table(path)
    except UsageError as exc:
        assert str(path.name) in str(exc) and "\n" not in str(exc).strip()
        return
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] >= 2 and X.shape[1] >= 1
    assert np.all(np.isfinite(X))


CSV_ALPHABET = st.sampled_from(list("0123456789.,-+eE \t\n\r\"'x;nNaIf") + ["\ufeff", "\x00", "é"])


@given(text=st.text(CSV_ALPHABET, max_size=200))
def test_read_table_on_any_csv_text_gives_a_table_or_one_usage_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_text(text, encoding="utf-8", newline="")
        _check_table(path)


@given(raw=st.binary(max_size=300))
def test_read_table_on_any_bytes_gives_a_table_or_one_usage_error(raw):
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("data.csv", "data.npy"):
            path = Path(tmp) / name
            path.write_bytes(raw)
            _check_table(path)


ARRAYS = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_, np.complex128,
                           np.dtype("U3"), np.dtype("S2"), np.dtype("M8[s]")]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))


@given(array=ARRAYS)
def test_read_table_on_any_npy_array_gives_a_table_or_one_usage_error(array):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npy"
        np.save(path, array)
        _check_table(path)


_CHECKPOINT = None


def _valid_checkpoint_bytes():
    global _CHECKPOINT
    if _CHECKPOINT is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.npz"
            sg.save({"model": {"0.weight": np.arange(6.0).reshape(2, 3), "0.bias": np.zeros(2, np.float32)},
                     "step": 12, "name": "vae", "rng": sg.serialization.rng_state(np.random.default_rng(0)),
                     "history": [1.5, float("nan"), None, (True, -3)]}, path)
            _CHECKPOINT = path.read_bytes()
    return _CHECKPOINT


@given(data=st.data())
def test_load_of_a_damaged_checkpoint_returns_or_raises_value_error(data):
    raw = bytearray(_valid_checkpoint_bytes())
    kind = data.draw(st.sampled_from(["flip", "truncate", "insert"]), label="damage")
    at = data.draw(st.integers(0, len(raw) - 1), label="at")
    if kind == "flip":
        raw[at] ^= data.draw(st.integers(1, 255), label="mask")
    elif kind == "truncate":
        raw = raw[:at]
    else:
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=8), label="inserted")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "checkpoint.npz"
        path.write_bytes(bytes(raw))
        try:
            sg.load(path)
        except ValueError as exc:
            assert str(path) in str(exc)
