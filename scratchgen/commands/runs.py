"""Run folders: where every command writes its config, metrics, checkpoints and figures.

Layout of a run folder::

    runs/train-vae-20260125-141500/
        config.json       the command and its options (what made this run)
        metrics.jsonl     one JSON object per logged step: {"step": 100, "loss": 0.31, ...}
        summary.json      the final numbers
        checkpoint.npz    scratchgen.save of model, optimizer, rng state and step
        *.png             figures

No half-written folder: a new run is built in a hidden temporary folder next
to its target (``.train-vae-...-tmp-XXXX``) and renamed to its name only when
the command succeeded (``os.rename`` within one directory is atomic); on
failure the temporary folder is deleted. A resumed run (``--resume``) writes
into its existing folder, with atomic writes of each file.
"""
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from scratchgen.commands.errors import UsageError

__all__ = ["RunFolder", "default_run_name", "write_json", "read_json", "to_jsonable", "save",
           "usual_permissions"]


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


class RunFolder:
    """A run folder being written; use as a context manager.

    ``RunFolder.new(target)`` builds the run in a temporary sibling folder and
    renames it to ``target`` when the ``with`` block ends without an error
    (or when ``keep()`` is called; a ``resumable`` run is also kept after
    Ctrl-C, so that ``--resume`` can continue it); on an error the temporary
    folder is removed.
    ``RunFolder.existing(path)`` reopens a finished run (for ``--resume``).
    """

    def __init__(self, final, work, fresh, resumable=False):
        self.final = Path(final)
        self.path = Path(work)       # where files are written now
        self.fresh = fresh
        self.resumable = resumable   # keep it after Ctrl-C (it has checkpoints to resume from)
        self._done = not fresh

    @classmethod
    def new(cls, target, resumable=False):
        target = Path(target)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise UsageError(f"--out {target} already exists and is not an empty folder; "
                             "choose another name")
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            work = tempfile.mkdtemp(dir=parent, prefix=f".{target.name}-tmp-")
            usual_permissions(work, directory=True)
        except OSError as exc:
            raise UsageError(f"cannot create the run folder {target}: {exc.strerror or exc}") from None
        return cls(target, work, fresh=True, resumable=resumable)

    @classmethod
    def existing(cls, path):
        path = Path(path)
        if not path.is_dir():
            raise UsageError(f"--resume {path}: no such run folder")
        if not (path / "config.json").is_file():
            raise UsageError(f"--resume {path}: not a scratchgen run folder (no config.json)")
        return cls(path, path, fresh=False)

    # ------------------------------------------------------------- files
    def file(self, name):
        """Path of a file of this run (in its current, maybe temporary, place)."""
        return self.path / name

    def write_json(self, name, obj):
        write_json(self.file(name), obj)

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
            except (json.JSONDecodeError, AttributeError):
                continue  # a line cut by a crash
        tmp = path.with_name(".tmp-metrics.jsonl")
        tmp.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
        os.replace(tmp, path)

    def read_metrics(self):
        path = self.file("metrics.jsonl")
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

    # --------------------------------------------------------- lifecycle
    def keep(self):
        """Move the finished (or interrupted) run to its final name."""
        if self._done:
            return self.final
        os.rename(self.path, self.final) if not self.final.exists() else _replace_empty(self.path, self.final)
        self.path = self.final
        self._done = True
        return self.final

    def discard(self):
        if not self._done:
            shutil.rmtree(self.path, ignore_errors=True)
            self._done = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.keep()
        elif exc_type is KeyboardInterrupt and self.resumable and self.file("config.json").exists():
            self.keep()      # keep it so that --resume can continue from the last checkpoint
        else:
            self.discard()
        return False


def _replace_empty(work, final):
    # ``--out`` may name an existing empty folder: rename over it.
    final.rmdir()
    os.rename(work, final)
