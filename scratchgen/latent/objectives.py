"""The differentiable pieces of the VAE objective, on Tensors.

All log-densities are summed over the last axis (the features or latent
dimensions) and keep the leading axes, so a batch of n examples gives n
values and K importance samples of n examples give (K, n) values.

- ``reparameterize``: z = mu + sigma * eps (Kingma & Welling 2014, sec. 2.4);
- ``kl_gaussian``: KL(N(mu, diag sigma^2) || N(0, I)) in closed form
  (Kingma & Welling 2014, appendix B);
- ``log_normal``, ``gaussian_log_likelihood``, ``bernoulli_log_likelihood``:
  log-densities of the prior, the encoder and the two decoders;
- ``iwae_bound``: log (1/K) sum_k w_k from log-weights (Burda et al. 2016).
"""
import math

from scratchgen.autodiff import Tensor, exp, logsumexp, softplus

__all__ = ["reparameterize", "kl_gaussian", "log_normal", "gaussian_log_likelihood",
           "bernoulli_log_likelihood", "iwae_bound"]

_LOG_2PI = math.log(2.0 * math.pi)


def reparameterize(mean, log_var, eps):
    """z = mean + exp(log_var / 2) * eps, differentiable in mean and log_var.

    mean, log_var: Tensors (..., q); eps: standard normal noise broadcastable
    to them (an array or Tensor, e.g. (K, n, q) for K samples of n codes).
    Sampling eps outside the graph is the reparameterisation trick: the
    randomness no longer depends on the parameters, so the gradient of
    E_eps[f(z)] is E_eps[grad f(z)] (Kingma & Welling 2014).
    """
    # BEGIN SOLUTION task=latent.reparameterize
    sigma = exp(0.5 * log_var)
    return mean + sigma * eps
    # END SOLUTION


def kl_gaussian(mean, log_var):
    """KL(N(mean, diag exp(log_var)) || N(0, I)), summed over the last axis.

        KL = 1/2 sum_j (mean_j^2 + sigma_j^2 - 1 - log sigma_j^2)

    mean, log_var: Tensors (..., q); returns a Tensor (...,), >= 0, equal to 0
    exactly when mean = 0 and log_var = 0.
    """
    # BEGIN SOLUTION task=latent.kl_gaussian
    terms = mean * mean + exp(log_var) - 1.0 - log_var
    return 0.5 * terms.sum(axis=-1)
    # END SOLUTION


def log_normal(z, mean=None, log_var=None):
    """log N(z; mean, diag exp(log_var)) summed over the last axis; (...,).

    Without mean and log_var: the standard normal prior log N(z; 0, I).
    """
    if mean is None and log_var is None:
        return -0.5 * (z * z + _LOG_2PI).sum(axis=-1)
    return gaussian_log_likelihood(z, mean, log_var)


def gaussian_log_likelihood(x, mean, log_var):
    """log N(x; mean, diag exp(log_var)) summed over the last axis; (...,).

    log_var may be a scalar Tensor (one shared variance) or broadcast to x.
    """
    r = x - mean
    return -0.5 * (_LOG_2PI + log_var + r * r * exp(-log_var)).sum(axis=-1)


def bernoulli_log_likelihood(x, logits):
    """sum_j [x_j log p_j + (1 - x_j) log(1 - p_j)] with p = sigmoid(logits).

    Written stably as x * l - softplus(l) (log sigmoid(l) = l - softplus(l)).
    This is minus the binary cross-entropy with logits, summed over features;
    for x in [0, 1] not only {0, 1} it is the usual (unnormalised) VAE loss.
    """
    if not isinstance(logits, Tensor):
        logits = Tensor(logits)
    return (x * logits - softplus(logits)).sum(axis=-1)


def iwae_bound(log_weights):
    """The importance-weighted bound log (1/K) sum_k exp(log_weights[k]).

    log_weights: Tensor (K, ...) of log p(x, z_k) - log q(z_k | x) with
    z_k ~ q(z | x). K = 1 gives the ELBO; the bound increases with K towards
    log p(x) (Burda, Grosse & Salakhutdinov 2016, theorem 1). Computed with
    logsumexp so that weights exp(-300) do not underflow.
    """
    # BEGIN SOLUTION task=latent.iwae
    k = log_weights.shape[0]
    return logsumexp(log_weights, axis=0) - math.log(k)
    # END SOLUTION
