"""Atomic file writes, shared by checkpoints, IDX files, figures and run folders.

A file is written to a temporary name in the same directory, flushed to
disk, then renamed over the target with ``os.replace`` (atomic on POSIX and
Windows). A crash or an exception mid-write leaves either the old file or
the new one, never half of one, and no temporary file behind.
"""
import contextlib
import os
import tempfile

__all__ = ["atomic_write", "atomic_write_bytes"]


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Context manager giving a file object whose content replaces ``path``
    only when the block finishes without an exception.

        with atomic_write("model.npz") as f:
            np.savez(f, **arrays)
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(path) + "-")
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes owner-only files; give the usual 0666 minus umask.
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_directory(directory)


def atomic_write_bytes(path, payload):
    """Write ``payload`` (bytes) to ``path`` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(payload)


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_directory(directory):
    """Make the rename durable (POSIX); not possible on Windows, so best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
