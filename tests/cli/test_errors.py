"""Bad input: one line on stderr naming the problem, exit status 2, no run folder left."""
import numpy as np
import pytest


def check_clean_failure(r, tmp_path, *words):
    assert r.status == 2, r.err
    lines = r.err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {r.err!r}"
    assert lines[0].startswith("scratchgen: error:")
    assert "Traceback" not in r.err
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("data.csv", "data.npy", "badmod.py")]
    assert leftovers == [], f"left behind: {leftovers}"


def test_missing_file(cli, tmp_path):
    r = cli("fit", tmp_path / "nope.csv", "--out", tmp_path / "run")
    check_clean_failure(r, tmp_path, "nope.csv", "not found")


def test_unknown_dataset_names(cli, tmp_path):
    check_clean_failure(cli("fit", "spiral", "--out", tmp_path / "run"), tmp_path, "'spiral'", "ring")
    check_clean_failure(cli("train", "vae", "--dataset", "mnist", "--out", tmp_path / "run"), tmp_path, "'mnist'")
    check_clean_failure(cli("train", "gan", "--dataset", "moons", "--out", tmp_path / "run"), tmp_path, "'moons'")
    check_clean_failure(cli("sample", "donut", "--out", tmp_path / "run"), tmp_path, "'donut'")


@pytest.mark.parametrize("text, words", [
    ("x,y\n1,2\n3,abc\n", ["line 3", "'abc'"]),          # a value that is not a number
    ("1,2\n3,4,5\n", ["line 2", "3 columns"]),            # ragged rows
    ("", ["empty"]),
])
def test_malformed_csv(cli, tmp_path, text, words):
    path = tmp_path / "data.csv"
    path.write_text(text)
    check_clean_failure(cli("fit", path, "--out", tmp_path / "run"), tmp_path, "data.csv", *words)


def test_wrong_shapes(cli, tmp_path):
    np.save(tmp_path / "data.npy", np.zeros((4, 3, 2)))
    check_clean_failure(cli("fit", tmp_path / "data.npy", "--out", tmp_path / "run"), tmp_path, "(4, 3, 2)")


def test_too_many_components_for_the_data(cli, tmp_path):
    np.save(tmp_path / "data.npy", np.random.default_rng(0).normal(size=(20, 2)))
    check_clean_failure(cli("fit", tmp_path / "data.npy", "--components", "50", "--out", tmp_path / "run"),
                        tmp_path, "--components 50")


@pytest.mark.parametrize("argv, words", [
    (["train", "vae", "--steps", "0"], ["--steps", "'0'"]),
    (["fit", "ring", "--components", "many"], ["--components", "'many'"]),
    (["fit", "ring", "--anomalies", "1.5"], ["--anomalies", "1.5"]),
    (["train", "gan", "--variant", "bigan"], ["--variant", "'bigan'"]),
    (["train", "autoencoder", "--hidden", "64,x"], ["--hidden", "'64,x'"]),
    (["train", "autoencoder", "--dataset", "moons", "--loss", "bce"], ["--loss bce"]),
    (["sample", "ring", "--scale", "-1"], ["--scale", "'-1'"]),
])
def test_bad_option_values(cli, tmp_path, argv, words):
    check_clean_failure(cli(*argv, "--out", tmp_path / "run"), tmp_path, *words)


def test_user_log_density_problems(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "badmod.py").write_text("def log_p(x):\n    raise RuntimeError('boom')\n")
    check_clean_failure(cli("sample", "nomodule:f", "--out", "run"), tmp_path, "'nomodule'")
    check_clean_failure(cli("sample", "badmod:missing", "--out", "run"), tmp_path, "'missing'")
    check_clean_failure(cli("sample", "badmod:log_p", "--out", "run"), tmp_path, "boom")


def test_resume_problems(cli, tmp_path):
    check_clean_failure(cli("train", "vae", "--resume", tmp_path / "none"), tmp_path, "no such run folder")


def test_existing_output_folder_is_refused(cli, tmp_path):
    (tmp_path / "data.csv").mkdir()   # (named so that the leftover check ignores it)
    (tmp_path / "data.csv" / "x").write_text("keep me")
    r = cli("fit", "ring", "--quick", "--out", tmp_path / "data.csv")
    check_clean_failure(r, tmp_path, "already exists")
    assert (tmp_path / "data.csv" / "x").read_text() == "keep me"


def test_failure_before_any_checkpoint_leaves_nothing(cli, tmp_path, monkeypatch):
    # A library error in the middle of a run, before it saved anything of value, removes
    # the temporary folder (tests/cli/test_run_folders.py: after a checkpoint it is kept).
    from scratchgen.commands import fit

    def broken(*args, **kwargs):
        raise ValueError("fit failed on purpose")
    monkeypatch.setattr(fit, "fit_density", broken)
    check_clean_failure(cli("fit", "ring", "--quick", "--out", tmp_path / "run"), tmp_path, "on purpose")
