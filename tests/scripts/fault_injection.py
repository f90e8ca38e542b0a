"""Faults that need real processes and signals (issue 13), too slow for the test suite.

    python tests/scripts/fault_injection.py

Each case starts ``python -m scratchgen`` in a subprocess, injects the fault,
and checks the outcome; it prints one line per case and exits 1 if any failed.
About a minute on 2 idle cores (more on a shared machine).

1. SIGKILL during training: the run is under its name (not hidden) and --resume finishes it.
2. SIGTERM during training: exit 130, a checkpoint at the step reached, resume finishes it.
3. Two concurrent --resume of one run: the second is refused in one line, exit 2.
4. SIGTERM to ``demo --jobs 2``: the parent exits and no worker process survives it.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
TRAIN = ["train", "autoencoder", "--quick", "--steps", "100000", "--checkpoint-every", "20",
         "--log-every", "10", "--no-figures", "--quiet"]


def start(args, cwd):
    return subprocess.Popen([sys.executable, "-m", "scratchgen", *map(str, args)], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, seconds=120.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def checkpoint_step(run):
    sys.path.insert(0, str(ROOT))
    import scratchgen as sg
    return int(sg.load(run / "checkpoint.npz")["step"])


def finish(run, cwd, steps):
    done = subprocess.run([sys.executable, "-m", "scratchgen", "train", "autoencoder", "--resume", str(run),
                           "--steps", str(steps), "--quiet"], cwd=cwd, env=ENV, capture_output=True, text=True)
    return done.returncode == 0 and json.loads((run / "summary.json").read_text())["step"] == steps


def case_sigkill(tmp):
    run = tmp / "killed"
    p = start([*TRAIN, "--out", run], tmp)
    ok = wait_for(lambda: (run / "checkpoint.npz").exists())
    p.kill()
    p.wait()
    hidden = [q.name for q in tmp.iterdir() if q.name.startswith(".")]
    step = checkpoint_step(run) if ok else None
    return ok and not hidden and finish(run, tmp, step + 20), f"visible={ok}, hidden={hidden}, step={step}"


def case_sigterm(tmp):
    run = tmp / "stopped"
    p = start([*TRAIN, "--out", run], tmp)
    ok = wait_for(lambda: (run / "checkpoint.npz").exists())
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    step = checkpoint_step(run)
    good = ok and p.returncode == 130 and f"interrupted at step {step}" in err and "--resume" in err
    return good and finish(run, tmp, step + 20), f"rc={p.returncode}, step={step}, stderr={err.strip()[:120]!r}"


def case_concurrent_resume(tmp):
    run = tmp / "shared"
    subprocess.run([sys.executable, "-m", "scratchgen", *TRAIN[:4], "20", "--no-figures", "--quiet", "--out",
                    str(run)], cwd=tmp, env=ENV, check=True, capture_output=True)
    first = start(["train", "autoencoder", "--resume", run, "--steps", "100000", "--quiet"], tmp)
    wait_for(lambda: checkpoint_step(run) > 20 if (run / "checkpoint.npz").exists() else False, 60)
    second = subprocess.run([sys.executable, "-m", "scratchgen", "train", "autoencoder", "--resume", str(run),
                             "--steps", "100000"], cwd=tmp, env=ENV, capture_output=True, text=True)
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=120)
    lines = second.stderr.splitlines()
    good = second.returncode == 2 and len(lines) == 1 and "another scratchgen process" in lines[0]
    return good, f"second: rc={second.returncode}, stderr={second.stderr.strip()[:120]!r}"


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def case_demo_workers(tmp):
    p = start(["demo", "--jobs", "2", "--no-figures", "--quiet", "--out", tmp / "demo"], tmp)
    wait_for(lambda: children(p.pid), 120)
    workers = children(p.pid)
    time.sleep(3)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=180)
    gone = wait_for(lambda: not any(alive(w) for w in workers), 30)
    return bool(workers) and gone, f"workers={workers}, parent rc={p.returncode}, all gone={gone}"


def main():
    failed = 0
    for case in (case_sigkill, case_sigterm, case_concurrent_resume, case_demo_workers):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            ok, detail = case(Path(tmp))
            print(f"{'ok  ' if ok else 'FAIL'} {case.__name__} ({time.perf_counter() - t0:.0f} s): {detail}",
                  flush=True)
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
