"""Read and write IDX files, the format of the MNIST distribution.

An IDX file (LeCun et al., http://yann.lecun.com/exdb/mnist/) is::

    bytes 0-1   0x00 0x00
    byte  2     the element type: 0x08 ubyte, 0x09 byte, 0x0B int16,
                0x0C int32, 0x0D float32, 0x0E float64
    byte  3     the number of dimensions d
    then        d sizes, each a big-endian uint32
    then        the elements, big-endian, C order (last index fastest)

MNIST ships them gzipped (``train-images-idx3-ubyte.gz``); ``read_idx``
reads both forms (a gzipped file starts with the bytes 1f 8b).
"""
import gzip
import os

import numpy as np

from scratchgen.files import atomic_write_bytes

__all__ = ["read_idx", "write_idx"]

# type code -> big-endian dtype
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: corrupt or truncated gzip data ({exc})") from None
    return raw


def read_idx(path):
    """Read an IDX file (gzipped or not) into a NumPy array.

    Returns an array of the file's shape with the native-endian version of
    its element type (uint8 for MNIST images and labels).
    Raises ``ValueError`` naming the file on a bad magic number, an unknown
    type code, or a file shorter or longer than its header says.
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    # BEGIN SOLUTION task=datasets.read_idx
    if len(raw) < 4:
        raise ValueError(f"{path}: not an IDX file (only {len(raw)} bytes, a header needs 4)")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path}: not an IDX file (magic number starts with {raw[:2].hex()}, expected 0000)"
        )
    type_code, ndim = raw[2], raw[3]
    if type_code not in _IDX_DTYPES:
        raise ValueError(
            f"{path}: unknown IDX type code 0x{type_code:02X}; expected one of "
            + ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        )
    header_end = 4 + 4 * ndim
    if len(raw) < header_end:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, expected {header_end})")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header_end
    if got != expected:
        what = "truncated" if got < expected else "has trailing bytes"
        raise ValueError(
            f"{path}: IDX data {what}: shape {shape} of {dtype.name} needs "
            f"{expected} bytes after the header, the file has {got}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_end).reshape(shape)
    # END SOLUTION
    return data.astype(dtype.newbyteorder("="))


def write_idx(path, array, compress=None):
    """Write ``array`` to ``path`` in IDX format, atomically.

    The element type is taken from ``array.dtype`` (uint8, int8, int16,
    int32, float32 or float64). ``compress``: gzip the file; default True
    when ``path`` ends with ``.gz``. The file appears complete or not at all
    (written to a temporary file in the same directory, then renamed).
    """
    path = os.fspath(path)
    array = np.asarray(array)
    code = next(
        (c for c, dt in _IDX_DTYPES.items() if dt.newbyteorder("=") == array.dtype.newbyteorder("=")),
        None,
    )
    if code is None:
        raise TypeError(
            f"write_idx: array dtype {array.dtype} has no IDX type; expected one of "
            "uint8, int8, int16, int32, float32, float64"
        )
    if array.ndim > 255 or any(s >= 2**32 for s in array.shape):
        raise ValueError(f"write_idx: shape {array.shape} does not fit an IDX header")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(array, dtype=_IDX_DTYPES[code]).tobytes()
    if compress is None:
        compress = path.endswith(".gz")
    if compress:
        payload = gzip.compress(payload, mtime=0)
    atomic_write_bytes(path, payload)


