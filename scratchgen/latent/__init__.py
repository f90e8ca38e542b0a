"""scratchgen.latent: latent-variable models.

- ``PCA``: principal components by the SVD (the best linear autoencoder);
- ``ProbabilisticPCA``: its linear-Gaussian model with the closed-form MLE
  and the exact log-likelihood (Tipping & Bishop 1999);
- ``Autoencoder``: a nonlinear encoder/decoder trained on reconstruction
  error, with a density fitted to its codes (``fit_prior``) to sample;
- ``VAE``: the variational autoencoder trained on the ELBO, with the
  importance-weighted estimate of log p(x) (Burda et al. 2016);
- ``objectives``: reparameterize, kl_gaussian, iwae_bound and log-densities;
- ``fit_minibatches``: the training loop the two autoencoders share.
"""
from scratchgen.latent import objectives
from scratchgen.latent.autoencoder import Autoencoder
from scratchgen.latent.objectives import iwae_bound, kl_gaussian, reparameterize
from scratchgen.latent.pca import PCA
from scratchgen.latent.ppca import ProbabilisticPCA
from scratchgen.latent.training import fit_minibatches
from scratchgen.latent.vae import VAE

__all__ = ["PCA", "ProbabilisticPCA", "Autoencoder", "VAE", "fit_minibatches",
           "reparameterize", "kl_gaussian", "iwae_bound", "objectives"]
