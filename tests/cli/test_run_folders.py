"""Run folders never lose or hide finished work (issue 13, section 2).

A run with a checkpoint is never deleted; a failed run is kept, marked failed
and says how to continue; SIGTERM/SIGHUP act like Ctrl-C; a run is visible
under its name from its first checkpoint; names never collide; a lock keeps a
second process out; symlinks as --out are handled before anything runs;
--resume refuses the options its config decides.
"""
import json
import os
import signal

import pytest

import scratchgen as sg
from scratchgen.commands import train_latent
from scratchgen.commands.runs import RunFolder, orphaned_runs

ARGS = ["--quick", "--steps", "20", "--checkpoint-every", "5", "--log-every", "1", "--no-figures"]


def hidden(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def one_error_line(r):
    lines = r.err.splitlines()
    assert r.status == 2 and len(lines) == 1 and lines[0].startswith("scratchgen: error:"), r.err
    return lines[0]


@pytest.fixture
def step_hook(monkeypatch):
    """step_hook(n, action): call action() after training step n of an autoencoder/VAE."""
    original = train_latent.LatentJob.step

    def install(n, action):
        calls = {"n": 0}

        def step(self):
            out = original(self)
            calls["n"] += 1
            if calls["n"] == n:
                action()
            return out
        monkeypatch.setattr(train_latent.LatentJob, "step", step)
    return install


def test_an_error_after_a_checkpoint_keeps_the_run_marked_failed(cli, tmp_path, step_hook):
    out = tmp_path / "run"

    def diverge():
        raise FloatingPointError("training diverged (loss nan); lower --lr (on purpose)")
    step_hook(13, diverge)
    line = one_error_line(cli("train", "vae", *ARGS, "--out", out))
    assert "diverged" in line and f"kept in {out}" in line
    assert f"scratchgen train vae --resume {out}" in line
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed" and "diverged" in summary["error"]
    assert sg.load(out / "checkpoint.npz")["step"] == 10    # the last checkpoint before the error
    assert hidden(tmp_path) == []


def test_a_failed_run_resumes_and_its_summary_is_then_the_real_one(cli, tmp_path, step_hook, monkeypatch):
    out = tmp_path / "run"
    step_hook(7, lambda: (_ for _ in ()).throw(ValueError("boom")))
    assert cli("train", "autoencoder", *ARGS, "--out", out).status == 2
    monkeypatch.undo()
    r = cli("train", "autoencoder", "--resume", out)
    assert r.status == 0, r.err
    summary = json.loads((out / "summary.json").read_text())
    assert "status" not in summary and summary["step"] == 20


def test_the_run_is_visible_under_its_name_from_its_first_checkpoint(cli, tmp_path, step_hook):
    out, seen = tmp_path / "run", {}

    def look():   # what a SIGKILL at this moment would leave
        seen["named"] = (out / "checkpoint.npz").exists()
        seen["hidden"] = hidden(tmp_path)
    step_hook(6, look)
    assert cli("train", "autoencoder", *ARGS, "--out", out).status == 0
    assert seen == {"named": True, "hidden": []}


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_like_ctrl_c(cli, tmp_path, step_hook, signame):
    out = tmp_path / "run"
    before = signal.getsignal(getattr(signal, signame))  # SIG_IGN under nohup, else SIG_DFL
    step_hook(13, lambda: os.kill(os.getpid(), getattr(signal, signame)))
    r = cli("train", "autoencoder", *ARGS, "--out", out)
    if before == signal.SIG_IGN:  # under nohup: an ignored signal stays ignored, the run goes on
        assert r.status == 0, r.err
        assert signal.getsignal(getattr(signal, signame)) == before
        return
    assert r.status == 130 and "interrupted at step 13" in r.err and "--resume" in r.err
    assert sg.load(out / "checkpoint.npz")["step"] == 13
    assert hidden(tmp_path) == []
    # the handlers are restored after main returns (the test process keeps its own)
    assert signal.getsignal(getattr(signal, signame)) == before


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_an_ignored_sighup_stays_ignored_as_under_nohup(cli, tmp_path, step_hook):
    out = tmp_path / "run"
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)      # what nohup does
    try:
        step_hook(13, lambda: os.kill(os.getpid(), signal.SIGHUP))
        r = cli("train", "autoencoder", *ARGS, "--out", out)
        assert r.status == 0, r.err                                # the run went on to the end
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_two_runs_with_one_name_both_survive(tmp_path, capsys):
    target = tmp_path / "train-vae-20260101-120000"    # what two runs in one second both pick
    first, second = RunFolder.new(target), RunFolder.new(target)
    for run in (first, second):
        run.write_json("config.json", {"command": "fit"})
    with first:
        pass
    with second:
        pass
    assert first.final == target and second.final == tmp_path / f"{target.name}-2"
    assert (second.final / "config.json").exists()
    assert "taken by another run" in capsys.readouterr().err
    assert hidden(tmp_path) == []


def test_a_second_process_cannot_resume_a_run_in_progress(cli, tmp_path):
    out = tmp_path / "run"
    assert cli("train", "autoencoder", "--quick", "--steps", "4", "--no-figures", "--out", out).status == 0
    holder = RunFolder.existing(out)        # another writer (flock: per open file, as for a process)
    try:
        line = one_error_line(cli("train", "autoencoder", "--resume", out, "--steps", "8"))
        assert "another scratchgen process" in line
    finally:
        holder.close()
    assert cli("train", "autoencoder", "--resume", out, "--steps", "8").status == 0


def test_a_dangling_symlink_as_out_is_refused_before_anything_runs(cli, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    line = one_error_line(cli("fit", "ring", "--quick", "--out", link))
    assert "symbolic link" in line and "nowhere" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"]


def test_a_symlink_to_an_empty_folder_as_out_receives_the_run(cli, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    r = cli("fit", "ring", "--quick", "--no-figures", "--out", tmp_path / "link")
    assert r.status == 0, r.err
    assert (real / "checkpoint.npz").exists() and (tmp_path / "link").is_symlink()
    assert hidden(tmp_path) == []


def test_a_hidden_folder_left_by_a_killed_run_is_reported(cli, tmp_path):
    orphan = tmp_path / ".fit-20260101-120000-tmp-abcd1234"
    orphan.mkdir()
    (orphan / "config.json").write_text("{}")
    assert orphaned_runs(tmp_path) == [orphan]
    r = cli("fit", "ring", "--quick", "--no-figures", "--out", tmp_path / "new")
    assert r.status == 0 and str(orphan) in r.err and "killed" in r.err
    live = RunFolder.new(tmp_path / "other")   # a run in progress holds its lock: not an orphan
    assert live.path not in orphaned_runs(tmp_path)
    live.discard()
    live.close()


@pytest.mark.parametrize("option", [["--lr", "1e-3"], ["--batch-size", "8"], ["--latent-dim", "3"],
                                    ["--seed", "4"], ["--dataset", "ring"], ["--hidden", "8"],
                                    ["--out", "elsewhere"]])
def test_resume_refuses_options_its_config_decides(cli, tmp_path, option):
    out = tmp_path / "run"
    assert cli("train", "vae", "--quick", "--steps", "2", "--no-figures", "--out", out).status == 0
    before = (out / "config.json").read_text()
    line = one_error_line(cli("train", "vae", "--resume", out, *option))
    assert option[0] in line and "--steps" in line        # names what was refused and what may be given
    assert (out / "config.json").read_text() == before
