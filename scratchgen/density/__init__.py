"""scratchgen.density: maximum-likelihood density models and anomaly detection.

    theta_hat = argmin_theta -(1/n) sum_i log p_theta(x_i)

Modules, in reading order:

- ``log_density``: log N(x | mu, Sigma) with a precision Cholesky factor, and
  the mixture log-density by log-sum-exp (autodiff ops, differentiable);
- ``mle``: ``negative_log_likelihood`` and ``fit_mle``, the generic gradient
  fit for any differentiable log p_theta(x);
- ``closed_form``: the closed-form Gaussian MLE and the EM steps;
- ``gaussian``: ``Gaussian`` (full / diag / spherical covariance);
- ``kmeans_init``: k-means++ starts of the mixtures (weights are ``nn.init``);
  ``mixture``: ``GaussianMixture``;
- ``standard_errors``: se = sqrt(diag(H^-1)), H the Hessian of the NLL by
  second-order autodiff;
- ``anomaly``: -log p(x) scores, quantile thresholds, AUROC, precision/recall.

Models follow scikit-learn: ``fit(X)`` returns self, ``score_samples(X)`` is
log p(x) per row, ``score(X)`` the mean log-likelihood, ``sample(n, rng)``.
"""
from scratchgen.density._checks import ConvergenceWarning
from scratchgen.density.anomaly import (AnomalyDetector, anomaly_scores, average_ranks,
                                        fit_threshold, precision_recall, roc_auc,
                                        roc_curve)
from scratchgen.density.closed_form import e_step, em_step, gaussian_mle, m_step
from scratchgen.density.gaussian import Gaussian
from scratchgen.density.kmeans_init import kmeans_plusplus, random_from_data
from scratchgen.density.log_density import (component_log_probs, gaussian_log_prob,
                                            lower_triangular, mixture_log_prob)
from scratchgen.density.mixture import GaussianMixture
from scratchgen.density.mle import MLEResult, fit_mle, negative_log_likelihood
from scratchgen.density.standard_errors import (hessian, observed_information,
                                                standard_errors)

__all__ = [
    "Gaussian", "GaussianMixture", "fit_mle", "MLEResult", "negative_log_likelihood",
    "standard_errors", "observed_information", "hessian",
    "gaussian_log_prob", "mixture_log_prob", "component_log_probs", "lower_triangular",
    "gaussian_mle", "em_step", "e_step", "m_step", "kmeans_plusplus", "random_from_data",
    "anomaly_scores", "fit_threshold", "AnomalyDetector", "roc_auc", "roc_curve", "precision_recall",
    "average_ranks", "ConvergenceWarning",
]
