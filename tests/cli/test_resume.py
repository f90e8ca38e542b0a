"""--resume continues a run exactly: the final parameters equal those of an uninterrupted run."""
import json
import os
import signal

import numpy as np
import pytest

import scratchgen as sg
from scratchgen.commands.run_checks import leaves


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def assert_same_checkpoints(a, b):
    fa, fb = dict(leaves(sg.load(a))), dict(leaves(sg.load(b)))
    assert fa.keys() == fb.keys()
    differ = [k for k in fa if not np.array_equal(np.asarray(fa[k]), np.asarray(fb[k]))]
    assert differ == [], f"differ after resume: {differ[:5]}"


@pytest.mark.parametrize("model", ["autoencoder", "vae", "gan"])
def test_interrupted_and_resumed_equals_uninterrupted(cli, tmp_path, model):
    full, part = tmp_path / "full", tmp_path / "part"
    common = ["--quick", "--checkpoint-every", "10", "--log-every", "2", "--no-figures"]
    assert cli("train", model, *common, "--steps", "20", "--out", full).status == 0
    assert cli("train", model, *common, "--steps", "10", "--out", part).status == 0
    r = cli("train", model, "--resume", part, "--steps", "20")
    assert r.status == 0, r.err
    assert "resuming" in r.out
    # Bit-identical: weights, optimizer moments, rng state, step, history.
    assert_same_checkpoints(full / "checkpoint.npz", part / "checkpoint.npz")
    assert read_jsonl(full / "metrics.jsonl") == read_jsonl(part / "metrics.jsonl")


def test_ctrl_c_saves_a_checkpoint_and_resume_finishes_identically(cli, tmp_path, monkeypatch):
    from scratchgen.commands import train_latent
    full, part = tmp_path / "full", tmp_path / "part"
    args = ["--quick", "--steps", "20", "--checkpoint-every", "8", "--log-every", "1", "--no-figures"]
    assert cli("train", "autoencoder", *args, "--out", full).status == 0

    original = train_latent.LatentJob.step
    calls = {"n": 0}

    def step_then_ctrl_c(self):
        out = original(self)
        calls["n"] += 1
        if calls["n"] == 13:
            os.kill(os.getpid(), signal.SIGINT)   # as if the user pressed Ctrl-C during step 13
        return out
    monkeypatch.setattr(train_latent.LatentJob, "step", step_then_ctrl_c)
    r = cli("train", "autoencoder", *args, "--out", part)
    monkeypatch.setattr(train_latent.LatentJob, "step", original)
    assert r.status == 130
    assert "interrupted at step 13" in r.err and "--resume" in r.err
    assert sg.load(part / "checkpoint.npz")["step"] == 13   # saved at the end of the step
    assert not (part / "summary.json").exists()

    assert cli("train", "autoencoder", "--resume", part).status == 0
    assert_same_checkpoints(full / "checkpoint.npz", part / "checkpoint.npz")
    assert read_jsonl(full / "metrics.jsonl") == read_jsonl(part / "metrics.jsonl")


def test_resume_of_another_model_is_refused(cli, tmp_path):
    assert cli("train", "autoencoder", "--quick", "--steps", "2", "--no-figures", "--out", tmp_path / "ae").status == 0
    r = cli("train", "vae", "--resume", tmp_path / "ae")
    assert r.status == 2 and "train autoencoder" in r.err and len(r.err.splitlines()) == 1
