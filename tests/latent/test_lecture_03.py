"""The latent-models lecture runs end to end in fast mode and saves its figures."""
FIGURES = ["03_latent_scatter.png", "03_reconstructions.png", "03_samples.png",
           "03_interpolation.png", "03_priors_over_codes.png", "03_mnist_reconstructions.png", "03_mnist_samples.png"]


def test_lecture_03_runs_in_fast_mode_and_saves_figures(run_lecture):
    ns = run_lecture("03_latent_models.py", FIGURES, readme=[
        r"^(PCA|PPCA|autoencoder|VAE) q=\d", r"^MNIST (PCA|autoencoder|VAE|PPCA)\b", r"(test MSE/pixel)",
        r"(L_K)", r"(land off the codes)", r"(sigma)"])
    n_test = len(ns["X_test"])
    assert all(Z.shape == (n_test, 2) for Z in ns["codes"].values())
    assert all(s.shape == (24, 64) for s in ns["samples"].values())
    assert all(s.shape == (10, 784) for s in ns["mnist_samples"])
