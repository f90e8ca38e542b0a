"""Save and load checkpoints: nested containers of arrays and scalars, one file.

``save(obj, path)`` writes ``obj`` -- nested dicts, lists and tuples of
NumPy arrays, NumPy scalars, Python ints (any size), floats, bools, strings
and None -- into one ``.npz`` file; ``load(path)`` gives it back with the
same structure, dtypes, shapes and values. Typical content::

    {"model": model.state_dict(), "optimizer": opt.state_dict(),
     "step": 1200, "rng": rng_state(rng)}

File layout (a plain NumPy ``.npz``, i.e. a zip of ``.npy`` files)
--------------------------------------------------------------------
* ``arr_0``, ``arr_1``, ...: the arrays, in the order a depth-first walk meets them.
* ``__scratchgen_manifest__``: a uint8 array holding UTF-8 JSON::

      {"format": "scratchgen.checkpoint", "version": 1, "n_arrays": N, "root": NODE}

  where NODE is one of
  ``{"t": "dict", "items": [[KEY, NODE], ...]}`` (KEY a str, int, bool or None node),
  ``{"t": "list"|"tuple", "items": [NODE, ...]}``,
  ``{"t": "array", "ref": i}`` (``arr_i``), ``{"t": "npscalar", "ref": i}``
  (a 0-d array given back as a NumPy scalar),
  ``{"t": "int", "v": "<decimal>"}``, ``{"t": "float", "v": "<float.hex>"}``,
  ``{"t": "bool", "v": true}``, ``{"t": "str", "v": "..."}``, ``{"t": "none"}``.

Why this design: the structure lives in the manifest, not in flattened key
names, so no dict key (whatever characters it holds) can collide with
another. Ints are decimal strings because a Generator's state holds 128-bit
integers that JSON readers outside Python would round; floats are
``float.hex`` strings, exact and able to say inf and nan.

Safety: ``save`` writes a temporary file in the target directory, fsyncs
it and renames it over ``path`` (``os.replace`` is atomic), so a crash
leaves either the old file or the new one. ``load`` uses
``allow_pickle=False`` and raises ``ValueError`` naming the path for a
truncated, corrupt or foreign file.
"""
import json
import numbers
import os
import struct
import zipfile
import zlib

import numpy as np

from scratchgen.files import atomic_write

__all__ = ["save", "load", "rng_state", "rng_from_state"]

FORMAT = "scratchgen.checkpoint"
VERSION = 1
MANIFEST_KEY = "__scratchgen_manifest__"
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


# --------------------------------------------------------------------------- encode
MAX_DEPTH = 100   # nested containers; a state_dict is < 10 deep (and JSON readers recurse)


def _encode(obj, arrays, where, path=()):
    """Return the manifest node of ``obj``; append its arrays to ``arrays``.

    path: the ids of the containers that hold ``obj`` (to refuse a structure
    that contains itself, which would otherwise recurse for ever).
    """
    if isinstance(obj, (dict, list, tuple)):
        if id(obj) in path:
            raise ValueError(f"save: {where} contains itself (a self-referencing structure); "
                             "expected a tree of containers")
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"save: obj is nested more than {MAX_DEPTH} containers deep (at "
                             f"{where[:80]}...); expected a shallow structure like a state_dict")
        path = path + (id(obj),)
    if obj is None:
        return {"t": "none"}
    if isinstance(obj, np.generic):
        # NumPy scalars (np.float32(1.5), np.bool_(True), ...) keep their dtype.
        return _encode_array(np.asarray(obj), arrays, "npscalar", where)
    # bool before int: bool is a subclass of int.
    if isinstance(obj, bool):
        return {"t": "bool", "v": obj}
    if isinstance(obj, numbers.Integral):
        return {"t": "int", "v": str(int(obj))}
    if isinstance(obj, float):
        return {"t": "float", "v": float.hex(obj)}
    if isinstance(obj, str):
        return {"t": "str", "v": obj}
    if isinstance(obj, np.ndarray):
        return _encode_array(obj, arrays, "array", where)
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not (key is None or isinstance(key, (str, bool)) or type(key) is int):
                raise TypeError(
                    f"save: dict keys must be str, int, bool or None; {where} has key "
                    f"{key!r} of type {type(key).__name__}"
                )
            items.append([_encode(key, arrays, where, path),
                          _encode(value, arrays, f"{where}[{key!r}]", path)])
        return {"t": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"t": kind, "items": [_encode(v, arrays, f"{where}[{i}]", path)
                                     for i, v in enumerate(obj)]}
    hint = ""
    if isinstance(obj, np.random.Generator):
        hint = " (save rng_state(rng) instead)"
    elif hasattr(obj, "numpy"):
        hint = " (save its .numpy() array, or a module's state_dict())"
    raise TypeError(
        f"save: cannot store {where} of type {type(obj).__name__}{hint}; expected nested "
        "dict/list/tuple of numpy arrays, numbers, str, bool or None"
    )


def _encode_array(array, arrays, kind, where):
    if array.dtype.hasobject:
        raise TypeError(f"save: {where} is an object array; only plain dtypes can be stored")
    arrays.append(array)
    return {"t": kind, "ref": len(arrays) - 1}


# --------------------------------------------------------------------------- save
def save(obj, path):
    """Write ``obj`` to ``path`` (exactly that name; no suffix is added).

    ``obj``: nested dict (str/int/bool/None keys), list and tuple of NumPy
    arrays (no object dtype), NumPy scalars, int, float, bool, str, None.
    The write is atomic: temp file in the same directory, fsync, os.replace.
    Raises ``TypeError`` naming the first value that cannot be stored, and
    ``ValueError`` for a structure that contains itself or is nested more
    than ``MAX_DEPTH`` (100) containers deep.
    """
    path = os.fspath(path)
    arrays = []
    manifest = {"format": FORMAT, "version": VERSION, "n_arrays": 0,
                "root": _encode(obj, arrays, "obj")}
    manifest["n_arrays"] = len(arrays)
    text = json.dumps(manifest, ensure_ascii=False, allow_nan=False)
    members = {f"arr_{i}": a for i, a in enumerate(arrays)}
    members[MANIFEST_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with atomic_write(path) as f:
        # A file object, not a name: np.savez would append ".npz" to a name.
        np.savez(f, **members)  # object arrays were refused by _encode


# --------------------------------------------------------------------------- load
def load(path):
    """Read a file written by ``save`` and return the object.

    Raises ``FileNotFoundError`` when ``path`` does not exist and
    ``ValueError`` (naming ``path``) when it is a directory or not a complete
    scratchgen checkpoint: truncated, corrupt, or some other file (a text
    file, an ``.npz`` written by ``np.savez``), a member whose header claims
    more data than the member holds, a manifest nested more than
    ``MAX_DEPTH`` deep. Nothing is allocated before its size was checked
    against the file.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {path}")
    if os.path.isdir(path):
        raise ValueError(f"load: {path} is a directory, expected a checkpoint file "
                         f"(e.g. {os.path.join(path, 'checkpoint.npz')})")
    # Open the file ourselves so that it is closed even when numpy fails half way.
    with open(path, "rb") as f:
        head = f.read(4)
        if head[:2] != b"PK":
            # An .npz is a zip archive; anything else (text, .npy, pickle) is foreign.
            raise ValueError(
                f"load: {path} is not a valid scratchgen checkpoint: not an .npz (zip) "
                f"archive, it starts with bytes {head!r}"
            )
        f.seek(0)
        try:
            manifest, arrays = _read_archive(f)
        except ValueError as exc:
            raise ValueError(f"load: {path} is not a valid scratchgen checkpoint: {exc}") from exc
        except (zipfile.BadZipFile, zlib.error, struct.error, OSError, EOFError, KeyError,
                MemoryError) as exc:
            raise ValueError(
                f"load: {path} is not a valid scratchgen checkpoint: truncated or corrupt "
                f"({type(exc).__name__}: {exc})"
            ) from exc
    try:
        return _decode(manifest["root"], arrays)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        raise ValueError(
            f"load: {path} is not a valid scratchgen checkpoint: malformed manifest "
            f"({type(exc).__name__}: {exc})"
        ) from exc


def _read_archive(f):
    """(manifest, arrays) from an open .npz file; every array is read now."""
    with zipfile.ZipFile(f) as zf:
        _check_member_sizes(zf)
    f.seek(0)
    with np.load(f, allow_pickle=False) as archive:
        if MANIFEST_KEY not in archive.files:
            raise ValueError(
                f"it is an .npz without a '{MANIFEST_KEY}' entry (not written by scratchgen.save)"
            )
        manifest = _read_manifest(archive[MANIFEST_KEY])
        missing = [f"arr_{i}" for i in range(manifest["n_arrays"]) if f"arr_{i}" not in archive.files]
        if missing:
            raise ValueError(f"the manifest names {manifest['n_arrays']} arrays but {missing[0]} is missing")
        arrays = [archive[f"arr_{i}"] for i in range(manifest["n_arrays"])]
    return manifest, arrays


def _check_member_sizes(zf):
    """Refuse a member whose .npy header claims more bytes than the member holds.

    np.load allocates shape x itemsize from the header before reading: a
    100-byte file could ask for terabytes. The zip directory's uncompressed
    size is checked too (against memory: a zip bomb can claim any size).
    """
    from scratchgen.validation import check_memory
    total = 0
    for info in zf.infolist():
        if not info.filename.endswith(".npy"):
            continue
        total += info.file_size
        with zf.open(info) as member:
            try:
                version = np.lib.format.read_magic(member)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(member)
            except (ValueError, TypeError, SyntaxError):
                continue   # np.load reports a bad header itself
            header_bytes = member.tell()
        claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if claimed > info.file_size - header_bytes:
            raise ValueError(f"member {info.filename} claims shape {shape} of {dtype} "
                             f"({claimed} bytes) but holds only {info.file_size - header_bytes} bytes")
    check_memory(total, "loading it")


def _read_manifest(raw):
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ValueError(f"manifest must be a 1-D uint8 array, got {raw.dtype} {raw.shape}")
    try:
        manifest = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"manifest is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"manifest is nested too deeply (save writes at most {MAX_DEPTH} "
                         "containers deep)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"manifest format is not '{FORMAT}'")
    if manifest.get("version") != VERSION:
        raise ValueError(f"unsupported checkpoint version {manifest.get('version')!r}, expected {VERSION}")
    n = manifest.get("n_arrays")
    if type(n) is not int or n < 0:
        raise ValueError(f"manifest n_arrays must be an int >= 0, got {n!r}")
    return manifest


def _decode(node, arrays, depth=0):
    if depth > MAX_DEPTH + 1:
        raise ValueError(f"manifest is nested more than {MAX_DEPTH} containers deep")
    kind = node["t"]
    if kind == "none":
        return None
    if kind in ("bool", "str"):
        value = node["v"]
        if type(value) is not (bool if kind == "bool" else str):
            raise ValueError(f"{kind} node holds {value!r}")
        return value
    if kind == "int":
        return int(node["v"])
    if kind == "float":
        return float.fromhex(node["v"])
    if kind == "array":
        return arrays[node["ref"]]
    if kind == "npscalar":
        return arrays[node["ref"]][()]
    if kind == "list":
        return [_decode(item, arrays, depth + 1) for item in node["items"]]
    if kind == "tuple":
        return tuple(_decode(item, arrays, depth + 1) for item in node["items"])
    if kind == "dict":
        return {_decode(k, arrays, depth + 1): _decode(v, arrays, depth + 1) for k, v in node["items"]}
    raise ValueError(f"unknown node type {kind!r}")


# --------------------------------------------------------------------------- rng
def rng_state(rng):
    """The state of a ``numpy.random.Generator`` as a plain nested dict.

    It is ``rng.bit_generator.state`` (e.g. for PCG64: ``{"bit_generator":
    "PCG64", "state": {"state": <128-bit int>, "inc": <128-bit int>},
    "has_uint32": 0, "uinteger": 0}``), a copy that ``save`` can store and
    ``rng_from_state`` turns back into a Generator that makes the same draws.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng_state: rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return _copy(rng.bit_generator.state)


def rng_from_state(state):
    """A new ``numpy.random.Generator`` in the state given by ``rng_state``."""
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        got = state.get("bit_generator") if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"rng_from_state: state must be a dict from rng_state with 'bit_generator' one of "
            f"{_BIT_GENERATORS}, got {got!r}"
        )
    bit_generator = getattr(np.random, state["bit_generator"])()
    bit_generator.state = _copy(state)
    return np.random.Generator(bit_generator)


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.copy()
    return value
