"""Each command in quick mode writes its run folder: config, metrics, summary, checkpoint, figures."""
import json
import os
import re
import stat

import numpy as np
import pytest

import scratchgen as sg
from scratchgen.commands import fit


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert len(data) > 2000, f"{path} is suspiciously small ({len(data)} bytes)"


def run_files(path):
    return sorted(p.name for p in path.iterdir())


def mixture_log_density(X, weights, means, covs):
    """Independent NumPy log p(x) of a Gaussian mixture (slogdet and solve, no library code)."""
    out = []
    for w, m, c in zip(weights, means, covs):
        diff = X - m
        _, logdet = np.linalg.slogdet(c)
        maha = np.einsum("ij,ij->i", diff, np.linalg.solve(c, diff.T).T)
        out.append(np.log(w) - 0.5 * (maha + logdet + X.shape[1] * np.log(2 * np.pi)))
    out = np.array(out)
    top = out.max(axis=0)
    return top + np.log(np.exp(out - top).sum(axis=0))


def test_fit_on_a_csv_file(cli, tmp_path):
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(-2, 0.5, size=(60, 2)), rng.normal(2, 0.5, size=(60, 2))])
    path = tmp_path / "points.csv"
    path.write_text("a,b\n" + "\n".join(f"{x},{y}" for x, y in X))
    r = cli("fit", path, "--components", "2", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    run = tmp_path / "run"
    summary = json.loads((run / "summary.json").read_text())
    # EM on two far-apart blobs converges in a few iterations: no flat fit_history.png then.
    assert summary["iterations"] < fit.MIN_HISTORY_POINTS
    assert run_files(run) == ["checkpoint.npz", "config.json", "density.png", "metrics.jsonl", "summary.json"]
    r = cli("fit", path, "--components", "2", "--method", "gradient", "--out", tmp_path / "grad")
    assert r.status == 0, r.err
    assert json.loads((tmp_path / "grad" / "summary.json").read_text())["iterations"] >= fit.MIN_HISTORY_POINTS
    assert "fit_history.png" in run_files(tmp_path / "grad")
    params = sg.load(run / "checkpoint.npz")["model"]
    # The reported mean log-likelihood over all rows (train 80% + test 20%) equals the independent
    # formula on the saved parameters (up to float rounding in the library's Cholesky path).
    n_tr, n_te = summary["n_train"], summary["n_test"]
    reported = (n_tr * summary["train_log_likelihood"] + n_te * summary["test_log_likelihood"]) / (n_tr + n_te)
    direct = mixture_log_density(X, params["weights"], params["means"], params["covariances"]).mean()
    assert reported == pytest.approx(direct, rel=1e-9)
    # Two well separated blobs: the fitted means sit near -2 and +2 (4 std errors of 0.5/sqrt(48)).
    assert np.allclose(np.sort(params["means"][:, 0]), [-2, 2], atol=4 * 0.5 / np.sqrt(48))
    assert all("step" in rec and "log_likelihood" in rec for rec in read_jsonl(run / "metrics.jsonl"))
    assert_png(run / "density.png")
    # Built in private temporary places, the folder and files still get the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(run.stat().st_mode) == 0o777 & ~umask
    for name in ("checkpoint.npz", "config.json", "summary.json"):
        assert stat.S_IMODE((run / name).stat().st_mode) == 0o666 & ~umask


def test_fit_builtin_with_anomalies_and_default_folder(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("fit", "ring", "--quick", "--anomalies", "0.2", "--quiet", "--no-figures")
    assert r.status == 0, r.err
    (folder,) = (tmp_path / "runs").iterdir()
    assert re.fullmatch(r"fit-\d{8}-\d{6}", folder.name)
    assert r.out.strip() == str(folder.relative_to(tmp_path))   # --quiet: only the path
    summary = json.loads((folder / "summary.json").read_text())
    assert 0.5 < summary["anomaly_auroc"] <= 1.0  # uniform outliers around a tight ring: easy


def test_sample_ring(cli, tmp_path):
    r = cli("sample", "ring", "--quick", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    run = tmp_path / "run"
    assert {"chain.npz", "config.json", "metrics.jsonl", "summary.json", "trace.png",
            "autocorrelation.png", "samples.png"} <= set(run_files(run))
    chain = sg.load(run / "chain.npz")
    draws = chain["draws"]
    assert draws.shape == (300, 4, 2)
    # Independent check of the reported acceptance: with a continuous proposal a move is accepted
    # exactly when the state changes. Steps 2..300 are visible in the stored draws (299 per chain).
    moved = np.any(draws[1:] != draws[:-1], axis=2).mean(axis=0)
    assert np.allclose(moved, chain["acceptance_fraction"], atol=1.5 / 299)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["r_hat_max"] >= 1.0 - 1e-9 and summary["ess_bulk_min"] > 0
    assert_png(run / "trace.png")


def test_sample_user_function_from_cwd(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mytarget.py").write_text(
        "import numpy as np\n"
        "def log_p(x):\n    return -0.5 * float(np.sum((x - 3.0) ** 2))\n")
    r = cli("sample", "mytarget:log_p", "--dim", "3", "--quick", "--out", "run", "--no-figures")
    assert r.status == 0, r.err
    draws = sg.load(tmp_path / "run" / "chain.npz")["draws"]
    assert draws.shape == (300, 4, 3)
    # N(3, I): the mean of 1200 correlated draws is within 1.0 of 3 (ESS >= ~30, 5 sigma ~ 0.9).
    assert np.all(np.abs(draws.reshape(-1, 3).mean(axis=0) - 3.0) < 1.0)


@pytest.mark.parametrize("model, figures", [
    ("autoencoder", {"loss.png", "samples.png", "reconstructions.png", "latent.png"}),
    ("vae", {"loss.png", "samples.png", "reconstructions.png", "latent.png"}),
])
def test_train_latent_models(cli, tmp_path, model, figures):
    r = cli("train", model, "--quick", "--out", tmp_path / "run", "--log-every", "5")
    assert r.status == 0, r.err
    run = tmp_path / "run"
    assert {"config.json", "metrics.jsonl", "summary.json", "checkpoint.npz"} | figures <= set(run_files(run))
    records = read_jsonl(run / "metrics.jsonl")
    assert [rec["step"] for rec in records] == [5, 10, 15, 20]
    assert all(np.isfinite(rec["loss"]) for rec in records)
    state = sg.load(run / "checkpoint.npz")
    assert state["step"] == 20 and state["config"]["model"] == model
    summary = json.loads((run / "summary.json").read_text())
    assert summary["test_reconstruction_mse"] > 0 and summary["seconds"] > 0
    if model == "vae":
        # IWAE with K samples is a tighter bound than the ELBO in expectation (Burda et al. 2016);
        # with K=5 on 100 test points the gap is larger than its Monte-Carlo noise.
        assert summary["test_iwae_log_likelihood"] > summary["test_elbo"] - 1.0
    for name in figures:
        assert_png(run / name)


def test_train_gan_ring_summary_keys(cli, tmp_path):
    r = cli("train", "gan", "--dataset", "ring", "--quick", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    run = tmp_path / "run"
    summary = json.loads((run / "summary.json").read_text())
    assert {"modes_captured", "n_modes", "high_quality_fraction", "reverse_kl", "seconds"} <= set(summary)
    assert summary["n_modes"] == 8 and 0 <= summary["modes_captured"] <= 8
    assert {"samples.png", "samples_over_training.png", "loss.png", "checkpoint.npz"} <= set(run_files(run))
    records = read_jsonl(run / "metrics.jsonl")
    assert {"step", "loss_d", "loss_g", "d_real", "d_fake"} <= set(records[-1])
    config = json.loads((run / "config.json").read_text())
    assert config["recipe"]["n_steps"] == config["steps"] == 30


def test_train_gan_digits_summary_keys(cli, tmp_path):
    r = cli("train", "gan", "--dataset", "digits", "--quick", "--steps", "5", "--out", tmp_path / "run",
            "--no-figures")
    assert r.status == 0, r.err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert {"classes_covered", "reverse_kl", "parzen_log_likelihood", "seconds"} <= set(summary)
    assert 1 <= summary["classes_covered"] <= 10
    assert summary["n_classes"] == 10


def test_evaluate_recomputes_the_same_metrics(cli, tmp_path):
    assert cli("train", "vae", "--quick", "--no-figures", "--out", tmp_path / "run").status == 0
    assert not any(p.suffix == ".png" for p in (tmp_path / "run").iterdir())
    r = cli("evaluate", tmp_path / "run", "--out", tmp_path / "eval")
    assert r.status == 0, r.err
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    stored = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["matches_stored_summary"] is True
    assert summary["test_iwae_log_likelihood"] == stored["test_iwae_log_likelihood"]
    assert {"config.json", "metrics.jsonl", "summary.json", "samples.png"} <= set(run_files(tmp_path / "eval"))
    r = cli("evaluate", tmp_path / "run" / "checkpoint.npz", "--out", tmp_path / "eval2", "--quiet",
            "--no-figures")
    assert r.status == 0, r.err


def test_bench_runs_scripts_and_reports_missing_folder(cli, tmp_path):
    bench = tmp_path / "benchmarks"
    bench.mkdir()
    (bench / "toy.py").write_text('"""A speed benchmark."""\nKIND = "speed"\n\nimport sys\n'
                                  "print('op  ratio')\nprint('add', sys.argv[1:])\n")
    r = cli("bench", "--dir", bench, "--quick", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    assert "op  ratio" in r.out and "['--repeats', '3']" in r.out
    assert (tmp_path / "run" / "toy.txt").read_text().startswith("op  ratio")
    r = cli("bench", "--dir", tmp_path / "elsewhere")
    assert r.status == 2 and "no benchmark folder" in r.err


def test_bench_runs_studies_only_when_named_and_without_repeats(cli, tmp_path):
    # A study (here: a script without KIND) trains for minutes to hours and has no --repeats:
    # the default run skips it, and naming it runs it with no option added.
    bench = tmp_path / "benchmarks"
    bench.mkdir()
    (bench / "fast.py").write_text('KIND = "speed"\nimport sys\nprint("fast", sys.argv[1:])\n')
    (bench / "long.py").write_text("import sys\nprint('long', sys.argv[1:])\n")
    r = cli("bench", "--dir", bench, "--list")
    assert r.status == 0 and r.out.split() == ["fast", "speed", "long", "study"]
    r = cli("bench", "--dir", bench, "--quick", "--out", tmp_path / "default")
    assert r.status == 0, r.err
    assert "fast ['--repeats', '3']" in r.out and "=== long.py" not in r.out
    r = cli("bench", "long", "fast", "--dir", bench, "--quick", "--out", tmp_path / "named")
    assert r.status == 0, r.err
    assert "long []" in r.out and "fast ['--repeats', '3']" in r.out
    (bench / "fast.py").unlink()
    r = cli("bench", "--dir", bench, "--out", tmp_path / "none")
    assert r.status == 2 and "no speed benchmarks" in r.err and "long" in r.err


def test_demo_quick(cli, tmp_path):
    r = cli("demo", "--quick", "--jobs", "2", "--out", tmp_path / "demo")   # GAN in a worker process
    assert r.status == 0, r.err
    demo = tmp_path / "demo"
    summary = json.loads((demo / "summary.json").read_text())
    assert set(summary) >= {"1-mle", "2-mcmc", "3-autoencoder", "4-vae", "5-gan", "total_seconds"}
    assert {"anomaly_auroc", "test_log_likelihood"} <= set(summary["1-mle"])
    assert {"acceptance", "r_hat_max", "ess_bulk_min"} <= set(summary["2-mcmc"])
    assert "test_iwae_log_likelihood" in summary["4-vae"]
    assert {"modes_captured", "high_quality_fraction"} <= set(summary["5-gan"])
    for part in ("1-mle", "2-mcmc", "3-autoencoder", "4-vae", "5-gan"):
        assert {"config.json", "summary.json", "metrics.jsonl"} <= set(run_files(demo / part))
        assert any(name.endswith(".png") for name in run_files(demo / part))
    # The table: one line per part, and the folder path last.
    assert r.out.strip().splitlines()[-1] == str(demo)
    assert "modes captured" in r.out and "AUROC" in r.out


def test_train_gan_learning_rate_drops(cli, tmp_path):
    from scratchgen.gan.recipes import default_recipe
    recipe = default_recipe("ring")
    r = cli("train", "gan", "--quick", "--steps", "4", "--lr-decay-steps", "2", "--lr-g", "0.01",
            "--no-figures", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    state = sg.load(tmp_path / "run" / "checkpoint.npz")["job"]["gan"]
    # After step 2 both rates were multiplied once by the recipe's factor.
    assert state["opt_g"]["param_groups"][0]["lr"] == pytest.approx(0.01 * recipe["lr_decay"])
    assert state["opt_d"]["param_groups"][0]["lr"] == pytest.approx(recipe["lr"] * recipe["lr_decay"])
