"""Tests of the IDX (MNIST file format) reader and writer."""
import gzip
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scratchgen.datasets import read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.task("datasets.read_idx")
def test_reads_a_file_made_by_hand_with_struct(tmp_path):
    # Written independently of write_idx: magic 0x00000803 (ubyte, 3 dims), sizes
    # 2, 2, 3 as big-endian uint32, then 12 bytes in C order.
    data = bytes(range(12))
    raw = struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">III", 2, 2, 3) + data
    (tmp_path / "u.idx").write_bytes(raw)
    arr = read_idx(tmp_path / "u.idx")
    assert arr.dtype == np.uint8 and arr.shape == (2, 2, 3)
    np.testing.assert_array_equal(arr.ravel(), np.arange(12))


@pytest.mark.task("datasets.read_idx")
def test_reads_big_endian_floats_and_ints_made_by_hand(tmp_path):
    values = [1.5, -2.25, 1e300]
    raw = struct.pack(">BBBBI", 0, 0, 0x0E, 1, 3) + struct.pack(">3d", *values)
    (tmp_path / "f.idx").write_bytes(raw)
    arr = read_idx(tmp_path / "f.idx")
    assert arr.dtype == np.float64 and arr.dtype.isnative
    np.testing.assert_array_equal(arr, values)
    raw = struct.pack(">BBBBII", 0, 0, 0x0B, 2, 1, 2) + struct.pack(">2h", -300, 7)
    (tmp_path / "s.idx.gz").write_bytes(gzip.compress(raw))
    np.testing.assert_array_equal(read_idx(tmp_path / "s.idx.gz"), [[-300, 7]])


@pytest.mark.task("datasets.read_idx")
@given(dtype=st.sampled_from(DTYPES), data=st.data(), gz=st.booleans())
def test_write_then_read_round_trip(tmp_path_factory, dtype, data, gz):
    array = data.draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, max_side=4)))
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == array.shape
    assert back.tobytes() == array.tobytes()           # bit-exact, nan included
    with open(path, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == gz


def test_written_header_matches_the_format(tmp_path):
    write_idx(tmp_path / "a.idx", np.array([[1, 2, 3]], dtype=np.int32))
    raw = (tmp_path / "a.idx").read_bytes()
    assert raw == struct.pack(">BBBBII3i", 0, 0, 0x0C, 2, 1, 3, 1, 2, 3)


@pytest.mark.task("datasets.read_idx")
@pytest.mark.parametrize("raw, message", [
    (b"\x00\x00", "only 2 bytes"),
    (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "magic"),
    (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "type code 0x07"),
    (b"\x00\x00\x08\x02" + struct.pack(">I", 1), "truncated IDX header"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"\x00\x01", "truncated"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 1) + b"\x00\x01", "trailing"),
])
def test_bad_files_raise_value_error_naming_the_file(tmp_path, raw, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncated_gzip_raises_value_error(tmp_path):
    write_idx(tmp_path / "a.idx.gz", np.arange(1000, dtype=np.int32))
    raw = (tmp_path / "a.idx.gz").read_bytes()
    (tmp_path / "cut.idx.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="cut.idx.gz"):
        read_idx(tmp_path / "cut.idx.gz")


def test_unsupported_dtype_raises_and_writes_nothing(tmp_path):
    with pytest.raises(TypeError, match="int64"):
        write_idx(tmp_path / "a.idx", np.arange(3, dtype=np.int64))
    assert list(tmp_path.iterdir()) == []
