"""Run folders: where every command writes its config, metrics, checkpoints and figures.

Layout of a run folder::

    runs/train-vae-20260125-141500/
        config.json       the command and its options (what made this run)
        metrics.jsonl     one JSON object per logged step: {"step": 100, "loss": 0.31, ...}
        summary.json      the final numbers
        checkpoint.npz    scratchgen.save of model, optimizer, rng state and step
        *.png             figures

Lifecycle (issue 13: never lose finished work, never hide it):

- A new run is built in a hidden temporary folder next to its target
  (``.train-vae-...-tmp-XXXX``) and renamed to its name (``os.rename`` within
  one directory is atomic) when the command succeeds -- or earlier, as soon
  as it holds its first checkpoint (``RunFolder.save``), so that a run killed
  by SIGKILL or the OOM killer is found under its name.
- A run that fails is deleted only if it holds no checkpoint (nothing of
  value); otherwise it is kept, its summary.json says ``"status": "failed"``
  with the error, and the command to continue it is printed.
- Names are unique: if another process took the name first (two runs started
  in the same second), the run moves to ``NAME-2``, ``NAME-3``, ... and says so.
- A lock (``flock`` on the folder itself, released when the process ends,
  however it ends) stops two processes from writing one run: a second
  ``--resume`` of a run in progress is refused in one line.
- A hidden folder that no live process holds is reported when a new run
  starts next to it (``orphaned_runs``): it is left from a killed process.
- A resumed run (``--resume``) writes into its existing folder, with atomic
  writes of each file.
"""
import errno
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from scratchgen.commands.errors import UsageError, one_line

try:
    import fcntl
except ImportError:  # Windows: no flock; runs are then not locked
    fcntl = None

__all__ = ["RunFolder", "default_run_name", "write_json", "read_json", "to_jsonable", "save",
           "usual_permissions", "orphaned_runs", "resume_command"]

_TMP_MARK = "-tmp-"


def usual_permissions(path, directory=False):
    """Give ``path`` the permissions of a normally created file/folder (0666/0777 minus umask).

    Temporary files and folders (mkstemp, mkdtemp) are private (0600/0700) and keep that
    mode when renamed; run folders are meant to be shared like any other output.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if directory else 0o666) & ~umask)


def save(obj, path):
    """``scratchgen.save`` (atomic) with the usual permissions."""
    import scratchgen as sg
    sg.save(obj, path)
    usual_permissions(path)


def default_run_name(prefix, parent="runs"):
    """``parent/prefix-YYYYmmdd-HHMMSS``, with ``-2``, ``-3``... if that exists."""
    base = Path(parent) / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = Path(f"{base}-{n}")
    return path


def to_jsonable(value):
    """Numbers, arrays and paths as plain JSON values (NaN/inf become null)."""
    import math

    import numpy as np
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path, obj):
    """Write ``obj`` as indented JSON, atomically (temp file + os.replace)."""
    path = Path(path)
    text = json.dumps(to_jsonable(obj), indent=2, sort_keys=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        usual_permissions(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_json(path):
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path} not found (is this a scratchgen run folder?)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON ({exc})") from None


def resume_command(config, path):
    """The command that continues the run of ``config`` in ``path`` (None if it cannot be resumed)."""
    if isinstance(config, dict) and config.get("command") == "train" and config.get("model"):
        return f"scratchgen train {config['model']} --resume {path}"
    return None


def _lock(path):
    """An open descriptor of folder ``path`` holding an exclusive flock, or None if another holds it."""
    fd = os.open(path, os.O_RDONLY)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def orphaned_runs(parent):
    """Hidden temporary run folders in ``parent`` that no live process holds (left by a kill)."""
    found = []
    try:
        entries = sorted(Path(parent).iterdir())
    except OSError:
        return found
    for entry in entries:
        if not (entry.name.startswith(".") and _TMP_MARK in entry.name and entry.is_dir()):
            continue
        try:
            fd = _lock(entry)
        except OSError:
            continue
        if fd is not None:
            os.close(fd)
            found.append(entry)
    return found


def _report_orphans(parent):
    for entry in orphaned_runs(parent)[:5]:
        what = ("it holds a checkpoint: rename it to resume it" if any(entry.rglob("*.npz"))
                else "it has no checkpoint: delete it")
        print(f"scratchgen: note: {entry} is an unfinished run left by a process that was "
              f"killed ({what})", file=sys.stderr)


class RunFolder:
    """A run folder being written; use as a context manager.

    ``RunFolder.new(target)`` builds the run in a locked temporary sibling
    folder and renames it to ``target`` at its first checkpoint (``save``) or
    when the ``with`` block ends without an error (or when ``keep()`` is
    called). When the block ends with an error, a folder holding a checkpoint
    (any ``.npz``) is kept and marked failed in its summary.json, and one
    without is removed (a ``resumable`` run is also kept after Ctrl-C once
    it has its config.json, so that ``--resume`` can continue it).
    ``RunFolder.existing(path)`` reopens a run (for ``--resume``; it takes the
    lock unless ``lock=False``, e.g. only to read it).
    """

    def __init__(self, final, work, fresh, resumable=False, lock_fd=None):
        self.final = Path(final)
        self.path = Path(work)       # where files are written now
        self.fresh = fresh
        self.resumable = resumable   # keep it after Ctrl-C (it has checkpoints to resume from)
        self._published = not fresh  # at its final name
        self._finished = False
        self._lock_fd = lock_fd

    @classmethod
    def new(cls, target, resumable=False):
        target = _out_target(Path(target))
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _report_orphans(parent)
            work = tempfile.mkdtemp(dir=parent, prefix=f".{target.name}{_TMP_MARK}")
            usual_permissions(work, directory=True)
            lock_fd = _lock(work)
        except OSError as exc:
            raise UsageError(f"cannot create the run folder {target}: {exc.strerror or exc}") from None
        return cls(target, work, fresh=True, resumable=resumable, lock_fd=lock_fd)

    @classmethod
    def existing(cls, path, lock=True):
        path = Path(path)
        if not path.is_dir():
            raise UsageError(f"--resume {path}: no such run folder")
        if not (path / "config.json").is_file():
            raise UsageError(f"--resume {path}: not a scratchgen run folder (no config.json)")
        lock_fd = None
        if lock:
            lock_fd = _lock(path)
            if lock_fd is None:
                raise UsageError(f"--resume {path}: another scratchgen process is writing this run; "
                                 "wait until it ends (or stop it), then resume")
        return cls(path, path, fresh=False, lock_fd=lock_fd)

    # ------------------------------------------------------------- files
    def file(self, name):
        """Path of a file of this run (in its current, maybe temporary, place)."""
        return self.path / name

    def write_json(self, name, obj):
        write_json(self.file(name), obj)

    def save(self, obj, name):
        """``scratchgen.save`` ``obj`` as file ``name`` of the run (a checkpoint).

        A new run becomes visible under its name at its first checkpoint: from
        then on a kill, however brutal, leaves it where the user looks.
        """
        save(obj, self.file(name))
        self.publish()

    def log(self, record):
        """Append one JSON object (one line) to metrics.jsonl."""
        with open(self.file("metrics.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(to_jsonable(record)) + "\n")

    def truncate_metrics(self, last_step):
        """Keep only the records with step <= last_step (those a checkpoint covers)."""
        path = self.file("metrics.jsonl")
        if not path.exists():
            return
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line).get("step", 0) <= last_step:
                    kept.append(line)
            except (json.JSONDecodeError, AttributeError, TypeError):
                continue  # a line cut by a crash
        tmp = path.with_name(".tmp-metrics.jsonl")
        tmp.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
        os.replace(tmp, path)

    def read_metrics(self):
        path = self.file("metrics.jsonl")
        if not path.exists():
            return []
        records = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a kill
        return [r for r in records if isinstance(r, dict)]

    # --------------------------------------------------------- lifecycle
    def publish(self):
        """Move a new run from its hidden folder to its name (once); returns the name.

        If another process took the name meanwhile, the run goes to the first
        free ``NAME-2``, ``NAME-3``, ... and says so on stderr.
        """
        if self._published:
            return self.final
        wanted, n = self.final, 1
        while True:
            try:
                if self.final.is_dir() and not self.final.is_symlink() and not any(self.final.iterdir()):
                    self.final.rmdir()   # --out named an existing empty folder: take its place
                os.rename(self.path, self.final)
                break
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                    raise
                n += 1
                self.final = wanted.with_name(f"{wanted.name}-{n}")
        if n > 1:
            print(f"scratchgen: note: {wanted} was taken by another run meanwhile; this run is "
                  f"in {self.final}", file=sys.stderr)
        self.path = self.final
        self._published = True
        return self.final

    def keep(self):
        """Move the finished (or interrupted) run to its final name."""
        return self.publish()

    def holds_checkpoint(self):
        return any(self.path.rglob("*.npz"))

    def discard(self):
        if not self._published:
            shutil.rmtree(self.path, ignore_errors=True)
            self._published = self._finished = True

    def mark_failed(self, exc):
        """summary.json says the run failed, and why; tell the user where it is and how to go on.

        After Ctrl-C (a KeyboardInterrupt that stopped the run mid-step) the
        run is not failed, only unfinished: the summary is left alone.
        """
        interrupted = isinstance(exc, KeyboardInterrupt)
        summary = {}
        try:
            old = json.loads(self.file("summary.json").read_text(encoding="utf-8"))
            summary = old if isinstance(old, dict) else {}
        except (OSError, ValueError):
            pass
        config = None
        try:
            config = json.loads(self.file("config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        command = resume_command(config, self.final)
        if not interrupted:
            summary.update(status="failed", error=one_line(exc), resume_command=command)
            try:
                self.write_json("summary.json", summary)
            except OSError:
                pass  # e.g. the disk is full: the checkpoints are still there
        how = f"; continue it with: {command}" if command else ""
        # cli prints it at the end of the error's one line
        exc.scratchgen_note = f"the run so far (with its checkpoints) is kept in {self.final}{how}"

    def close(self):
        """Release the lock (also released when the process ends)."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.publish()
            elif self.holds_checkpoint() or self._published:
                self.publish()
                self.mark_failed(exc)
            elif exc_type is KeyboardInterrupt and self.resumable and self.file("config.json").exists():
                self.publish()   # --resume can start it again from its config
            else:
                self.discard()   # no checkpoint: nothing of value in it
        finally:
            self._finished = True
            self.close()
        return False


def _out_target(target):
    """The folder a new run will take: ``target``, or where ``target`` links to.

    Checked up front, before anything runs: an existing non-empty folder or a
    file is refused; a symlink to an empty folder means that folder; a
    dangling symlink is refused.
    """
    if target.is_symlink():
        real = Path(os.path.realpath(target))
        if not real.exists():
            raise UsageError(f"--out {target} is a symbolic link to {real}, which does not exist; "
                             "create that folder or give another name")
        target = real
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"--out {target} already exists and is not an empty folder; "
                         "choose another name")
    return target
