"""scratchgen.latent: latent-variable models.

- ``PCA``: principal components by the SVD (the best linear autoencoder);
- ``ProbabilisticPCA``: its linear-Gaussian model with the closed-form MLE
  and the exact log-likelihood (Tipping & Bishop 1999).
"""
from scratchgen.latent.pca import PCA
from scratchgen.latent.ppca import ProbabilisticPCA

__all__ = ["PCA", "ProbabilisticPCA"]
