"""The MLE lecture script runs end to end in fast mode and saves its figures."""
FIGURES = ["01_gaussian_density.png", "01_mixture_density.png", "01_log_likelihood.png",
           "01_anomalies.png"]


def test_lecture_01_runs_in_fast_mode_and_saves_figures(run_lecture):
    namespace = run_lecture("01_mle.py", FIGURES, readme=[
        r"(AUROC) \d", r"(precision) \d", r"(recall) \d", r"(gradient MLE)", r"mixture \(K=\d\), (EM):",
        r"(closed form)", r"(autodiff Hessian)", r"(mean log-lik)", r"^(Gaussian|mixture)\s*: AUROC"])
    # the gradient fit of one Gaussian reached the closed form (printed and checked)
    assert abs(namespace["gauss"].score(namespace["X_train"])
               - namespace["exact"].score(namespace["X_train"])) < 1e-6
