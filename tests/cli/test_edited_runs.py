"""A run folder edited by hand or damaged: --resume and evaluate refuse it in one line
naming the file and the key (issue 13, sections 3 and 4), and --quick keeps --iwae-k."""
import json
import shutil

import numpy as np
import pytest

import scratchgen as sg


@pytest.fixture(scope="module")
def finished_vae(tmp_path_factory):
    from scratchgen.cli import main
    out = tmp_path_factory.mktemp("runs") / "vae"
    assert main(["train", "vae", "--quick", "--steps", "4", "--iwae-k", "7", "--no-figures",
                 "--quiet", "--out", str(out)]) == 0
    return out


def copy_of(run, tmp_path):
    target = tmp_path / "run"
    shutil.copytree(run, target)
    return target


def one_error_line(r):
    lines = r.err.splitlines()
    assert r.status == 2 and len(lines) == 1 and lines[0].startswith("scratchgen: error:"), r.err
    return lines[0]


def test_quick_does_not_override_a_given_iwae_k(finished_vae):
    assert json.loads((finished_vae / "config.json").read_text())["iwae_k"] == 7


CONFIG_EDITS = [
    (lambda c: {k: v for k, v in c.items() if k != "lr"}, ["config.json", "'lr'"]),
    (lambda c: [c], ["config.json", "got a list"]),
    (lambda c: {**c, "hidden": [1e9]}, ["config.json", "'hidden'", "integer"]),
    (lambda c: {**c, "hidden": [10**9]}, ["--hidden 1000000000", "memory"]),
    (lambda c: {**c, "lr": "0.1"}, ["config.json", "'lr'", "'0.1'"]),
    (lambda c: {**c, "steps": -5}, ["config.json", "'steps'"]),
]


@pytest.mark.parametrize("edit, words", CONFIG_EDITS)
@pytest.mark.parametrize("command", ["resume", "evaluate"])
def test_hand_edited_config_is_refused(cli, tmp_path, finished_vae, edit, words, command):
    run = copy_of(finished_vae, tmp_path)
    path = run / "config.json"
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))
    argv = (["train", "vae", "--resume", run, "--steps", "8"] if command == "resume"
            else ["evaluate", run, "--out", tmp_path / "ev"])
    line = one_error_line(cli(*argv))
    assert all(w in line for w in words), line
    assert not (tmp_path / "ev").exists()


def _complex_weight(state):
    model = state["job"]["model"]
    name = next(iter(model))
    model[name] = model[name].astype(np.complex64) + 1j
    return state


def _nan_weight(state):
    model = state["job"]["model"]
    name = next(iter(model))
    model[name] = model[name] * np.nan
    return state


CHECKPOINT_EDITS = [
    (lambda s: {**s, "step": -5}, ["step is -5"]),
    (lambda s: {**s, "step": 7.9}, ["step is 7.9"]),
    (lambda s: {k: v for k, v in s.items() if k != "job"}, ["'job'"]),
    (_complex_weight, ["complex"]),
    (_nan_weight, ["NaN"]),
]


@pytest.mark.parametrize("edit, words", CHECKPOINT_EDITS)
@pytest.mark.parametrize("command", ["resume", "evaluate"])
def test_bad_checkpoint_values_are_refused(cli, tmp_path, finished_vae, edit, words, command):
    run = copy_of(finished_vae, tmp_path)
    path = run / "checkpoint.npz"
    sg.save(edit(sg.load(path)), path)
    argv = (["train", "vae", "--resume", run, "--steps", "8"] if command == "resume"
            else ["evaluate", run, "--out", tmp_path / "ev"])
    line = one_error_line(cli(*argv))
    assert "checkpoint.npz" in line and all(w in line for w in words), line


def test_an_adam_step_counter_of_zero_is_refused(cli, tmp_path, finished_vae):
    run = copy_of(finished_vae, tmp_path)
    path = run / "checkpoint.npz"
    state = sg.load(path)
    optimizer = state["job"]["trainer"]["optimizer"] if "trainer" in state["job"] else state["job"]["optimizer"]
    optimizer["state"][0]["step"] = 0
    sg.save(state, path)
    line = one_error_line(cli("train", "vae", "--resume", run, "--steps", "8"))
    assert "checkpoint.npz" in line and "'step'" in line


@pytest.mark.parametrize("command, name, key", [(["fit", "ring"], "checkpoint.npz", "model"),
                                                (["sample", "ring"], "chain.npz", "draws")])
def test_evaluate_of_fit_and_sample_runs_matches_and_refuses_incomplete_checkpoints(cli, tmp_path,
                                                                                   command, name, key):
    run = tmp_path / "run"
    assert cli(*command, "--quick", "--no-figures", "--quiet", "--out", run).status == 0
    r = cli("evaluate", run, "--no-figures", "--out", tmp_path / "ev")
    assert r.status == 0 and "match the run's summary.json" in r.out, r.err
    state = sg.load(run / name)
    del state[key]
    sg.save(state, run / name)
    line = one_error_line(cli("evaluate", run, "--out", tmp_path / "ev2"))
    assert name in line and repr(key) in line
