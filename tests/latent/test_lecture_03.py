"""The latent-models lecture runs end to end in fast mode and saves its figures."""
import runpy
from pathlib import Path

SCRIPT = (Path(__file__).resolve().parents[2] / "lectures" / "lecture24_generative_modeling"
          / "03_latent_models.py")
FIGURES = ["03_latent_scatter.png", "03_reconstructions.png", "03_samples.png",
           "03_interpolation.png"]


def test_lecture_03_runs_in_fast_mode_and_saves_figures(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCRATCHGEN_FAST", "1")
    monkeypatch.setenv("SCRATCHGEN_FIGURES_DIR", str(tmp_path))
    ns = runpy.run_path(str(SCRIPT), run_name="__main__")
    for name in FIGURES:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 1000, name
    n_test = len(ns["X_test"])
    assert all(Z.shape == (n_test, 2) for Z in ns["codes"].values())
    assert all(s.shape == (24, 64) for s in ns["samples"].values())
    assert ns["ae"].history_[-1] < ns["ae"].history_[0]
    assert "L_K, K =  10" in capsys.readouterr().out
