"""Tests of scratchgen.serialization: checkpoints in one .npz file."""
import json
import math
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scratchgen import serialization
from scratchgen.serialization import load, rng_from_state, rng_state, save

ARRAY_DTYPES = [np.bool_, np.int8, np.uint16, np.int32, np.int64, np.uint64,
                np.float16, np.float32, np.float64, np.complex128]

arrays = st.sampled_from(ARRAY_DTYPES).flatmap(
    lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
numpy_scalars = st.sampled_from([np.float32, np.int16, np.float64, np.uint8]).flatmap(
    lambda dt: hnp.from_dtype(np.dtype(dt)).map(dt))
leaves = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**130), max_value=2**130),       # beyond int64 too
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),                                      # any characters: ".", "/", "\x00"
    arrays, numpy_scalars,
)
keys = st.one_of(st.text(max_size=6), st.integers(-5, 5))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=3),
    ),
    max_leaves=12,
)


def assert_identical(a, b):
    """Same types, structure, dtypes, shapes and bit-exact values (nan == nan)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for (ka, va), (kb, vb) in zip(a.items(), b.items()):
            assert type(ka) is type(kb)
            assert_identical(va, vb)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_identical(x, y)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or float.hex(a) == float.hex(b)
    else:
        assert a == b


@given(tree=trees)
def test_round_trip_of_nested_structures(tmp_path_factory, tree):
    path = tmp_path_factory.mktemp("ckpt") / "state.ckpt"
    save(tree, path)
    assert_identical(tree, load(path))


def test_round_trip_of_a_typical_checkpoint(tmp_path):
    rng = np.random.default_rng(0)
    ckpt = {
        "model": {"0.weight": rng.normal(size=(3, 2)).astype(np.float32), "0.bias": np.zeros(3)},
        "optimizer": {"state": {0: {"step": 10, "exp_avg": np.ones(3)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0]}]},
        "step": 1200, "rng": rng_state(rng), "note": None,
        "a.b": 1, "a": {"b": 2},          # keys that a "."-joined flattening would confuse
    }
    path = tmp_path / "ckpt.npz"
    save(ckpt, path)
    assert_identical(ckpt, load(path))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]     # exact name, no temp left


@pytest.mark.parametrize("make_bit_generator", [
    lambda: np.random.PCG64(7), lambda: np.random.MT19937(7), lambda: np.random.Philox(7),
    lambda: np.random.SFC64(7), lambda: np.random.PCG64DXSM(7),
])
def test_generator_state_round_trip_gives_identical_draws(tmp_path, make_bit_generator):
    rng = np.random.Generator(make_bit_generator())
    rng.normal(size=17)
    rng.integers(0, 10)                 # leaves a buffered uint32 for some generators
    save({"rng": rng_state(rng)}, tmp_path / "r.npz")
    restored = rng_from_state(load(tmp_path / "r.npz")["rng"])
    np.testing.assert_array_equal(restored.normal(size=5), rng.normal(size=5))
    assert restored.integers(0, 2**62, size=3).tolist() == rng.integers(0, 2**62, size=3).tolist()


def test_big_ints_are_stored_as_tagged_strings(tmp_path):
    big = 2**127 + 12345
    save({"x": big}, tmp_path / "b.npz")
    with np.load(tmp_path / "b.npz", allow_pickle=False) as f:
        manifest = json.loads(f[serialization.MANIFEST_KEY].tobytes().decode())
    key, value = manifest["root"]["items"][0]
    assert key == {"t": "str", "v": "x"} and value == {"t": "int", "v": str(big)}


def test_failure_during_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save({"version": 1}, path)
    old_bytes = path.read_bytes()

    def failing_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a file")          # something was written already
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="simulated"):
        save({"version": 2, "w": np.ones(1000)}, path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    monkeypatch.undo()
    assert load(path) == {"version": 1}


def _corrupt_middle(raw):
    middle = len(raw) // 2
    return raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1:]


@pytest.mark.parametrize("make_bad, message", [
    (lambda good: good[: len(good) // 2], "truncated or corrupt"),
    (lambda good: good[:10], "truncated or corrupt"),
    (lambda good: b"", "not an .npz"),
    (_corrupt_middle, "truncated or corrupt"),
    (lambda good: b"step,loss\n1,0.5\n", "not an .npz"),
])
def test_damaged_or_foreign_bytes_raise_value_error_naming_the_path(tmp_path, make_bad, message):
    save({"w": np.arange(4000.0), "step": 3}, tmp_path / "good.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(make_bad((tmp_path / "good.npz").read_bytes()))
    with pytest.raises(ValueError, match=message) as info:
        load(bad)
    assert str(bad) in str(info.value)


def test_foreign_npz_and_npy_files_raise_value_error(tmp_path):
    np.savez(tmp_path / "plain.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="without a '__scratchgen_manifest__'"):
        load(tmp_path / "plain.npz")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(ValueError, match="not an .npz"):
        load(tmp_path / "one.npy")
    manifest = np.frombuffer(b'{"format": "other", "version": 1}', dtype=np.uint8)
    np.savez(tmp_path / "other.npz", **{serialization.MANIFEST_KEY: manifest})
    with pytest.raises(ValueError, match="format"):
        load(tmp_path / "other.npz")
    manifest = np.frombuffer(b"{not json", dtype=np.uint8)
    np.savez(tmp_path / "nojson.npz", **{serialization.MANIFEST_KEY: manifest})
    with pytest.raises(ValueError, match="JSON"):
        load(tmp_path / "nojson.npz")
    text = json.dumps({"format": serialization.FORMAT, "version": 1, "n_arrays": 0,
                       "root": {"t": "array", "ref": 3}}).encode()
    np.savez(tmp_path / "badref.npz", **{serialization.MANIFEST_KEY: np.frombuffer(text, np.uint8)})
    with pytest.raises(ValueError, match="malformed manifest"):
        load(tmp_path / "badref.npz")


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.npz")


@pytest.mark.parametrize("obj", [
    {"x": np.array([object()], dtype=object)}, {"s": {1, 2}}, [1 + 2j],
    {(1, 2): 3}, {"rng": np.random.default_rng(0)},
])
def test_unsupported_values_raise_type_error_and_write_nothing(tmp_path, obj):
    with pytest.raises(TypeError, match="save"):
        save(obj, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_tensor_like_values_get_a_hint():
    class TensorLike:
        def numpy(self):
            return np.zeros(1)

    with pytest.raises(TypeError, match=r"\.numpy\(\)"):
        save({"w": TensorLike()}, "unused.npz")


def test_rng_helpers_validate_their_input():
    with pytest.raises(TypeError):
        rng_state(np.random.RandomState(0))
    with pytest.raises(ValueError, match="bit_generator"):
        rng_from_state({"bit_generator": "Nope"})


# --------------------------------------------------------------- hostile files (issue 13)
def _npz_with(path, members):
    """Write a zip of raw .npy members {name: bytes}."""
    import zipfile
    with zipfile.ZipFile(path, "w") as zf:
        for name, payload in members.items():
            zf.writestr(name + ".npy", payload)


def _npy_bytes(array):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _manifest_bytes(text):
    return _npy_bytes(np.frombuffer(text.encode("utf-8"), dtype=np.uint8))


def test_a_header_claiming_terabytes_is_refused_before_allocating(tmp_path):
    import io
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**12,)})
    manifest = json.dumps({"format": "scratchgen.checkpoint", "version": 1, "n_arrays": 1,
                           "root": {"t": "array", "ref": 0}})
    path = tmp_path / "big.npz"
    _npz_with(path, {"arr_0": header.getvalue() + b"\0" * 16,
                     "__scratchgen_manifest__": _manifest_bytes(manifest)})
    assert path.stat().st_size < 1000
    with pytest.raises(ValueError, match=r"big\.npz.*claims shape \(1000000000000,\)"):
        load(path)


def test_a_100000_deep_manifest_is_refused_without_recursion_error(tmp_path):
    depth = 100_000
    root = '{"t": "list", "items": [' * depth + '{"t": "none"}' + "]}" * depth
    text = '{"format": "scratchgen.checkpoint", "version": 1, "n_arrays": 0, "root": ' + root + "}"
    path = tmp_path / "deep.npz"
    _npz_with(path, {"__scratchgen_manifest__": _manifest_bytes(text)})
    with pytest.raises(ValueError, match=r"deep\.npz.*nested"):
        load(path)


def test_a_manifest_naming_a_missing_array_is_refused(tmp_path):
    manifest = json.dumps({"format": "scratchgen.checkpoint", "version": 1, "n_arrays": 2,
                           "root": {"t": "array", "ref": 1}})
    path = tmp_path / "short.npz"
    _npz_with(path, {"arr_0": _npy_bytes(np.zeros(2)), "__scratchgen_manifest__": _manifest_bytes(manifest)})
    with pytest.raises(ValueError, match="arr_1 is missing"):
        load(path)


def test_loading_a_directory_raises_the_documented_value_error(tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        load(tmp_path)


def test_self_referencing_and_very_deep_structures_are_refused_by_save(tmp_path):
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save({"a": loop}, tmp_path / "x.npz")
    deep = leaf = []
    for _ in range(3000):
        leaf.append([])
        leaf = leaf[0]
    with pytest.raises(ValueError, match="nested more than 100"):
        save(deep, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []
    shared = [1, 2]
    assert load(_saved(tmp_path, {"a": shared, "b": shared})) == {"a": [1, 2], "b": [1, 2]}  # not a cycle


def _saved(tmp_path, obj):
    save(obj, tmp_path / "ok.npz")
    return tmp_path / "ok.npz"
