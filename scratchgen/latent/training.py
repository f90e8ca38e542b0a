"""The minibatch training loop shared by ``Autoencoder`` and ``VAE``.

Both models minimise the mean of a per-example loss over the data set with
Adam on shuffled minibatches; only the loss differs (the reconstruction
error, or minus the ELBO). So the loop is written once, here:

    for epoch in 1..epochs:
        for x_b in shuffled minibatches of X:
            loss = loss_fn(x_b, rng)       # a scalar Tensor
            optimizer.zero_grad(); loss.backward(); optimizer.step()

``loss_fn`` receives the run's Generator so that a stochastic objective (the
VAE's reparameterised noise) draws from the same seeded stream as the
shuffling: one seed fixes the whole run.
"""
import numpy as np

from scratchgen.latent._checks import as_data_matrix, as_generator, check_int, check_positive

__all__ = ["fit_minibatches", "model_dtype"]


def model_dtype(model):
    """The float dtype of the model's parameters (data is cast to it)."""
    for p in model.parameters():
        return p.dtype
    raise ValueError(f"{type(model).__name__} has no parameters to train")


def _progress_bar(iterable, total, enabled, desc):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm  # optional dependency of the display only
    return tqdm(iterable, total=total, desc=desc)


def fit_minibatches(model, loss_fn, X, epochs=50, batch_size=64, lr=1e-3, seed=None,
                    progress=False, optimizer=None):
    """Train ``model`` by minimising ``loss_fn`` over minibatches of ``X``.

    model      : Module whose ``parameters()`` are trained
    loss_fn    : (x_batch ndarray (b, d), rng Generator) -> scalar Tensor
    X          : array (n, d), cast to the parameters' dtype
    epochs     : passes over the data; batch_size: rows per step
    lr         : Adam's learning rate (ignored when ``optimizer`` is given)
    seed       : int or Generator for the shuffling and any noise in loss_fn
    progress   : show a tqdm bar over epochs
    optimizer  : an optimizer over model.parameters(); default
                 ``scratchgen.optim.Adam(params, lr=lr)``

    Returns the list of the mean training loss of every epoch (the mean
    over batches weighted by their sizes, with the parameters as they were
    during the epoch).
    """
    from scratchgen.datasets import DataLoader
    from scratchgen.optim import Adam

    X = as_data_matrix(X, dtype=model_dtype(model))
    epochs = check_int(epochs, "epochs")
    batch_size = check_int(batch_size, "batch_size")
    rng = as_generator(seed, "seed")
    if optimizer is None:
        optimizer = Adam(list(model.parameters()), lr=check_positive(lr, "lr"))
    loader = DataLoader(X, batch_size=batch_size, shuffle=True, rng=rng)
    model.train()
    history = []
    for _ in _progress_bar(range(epochs), epochs, progress, type(model).__name__):
        total = 0.0
        for xb in loader:
            loss = loss_fn(xb, rng)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.item()) * len(xb)
        epoch_loss = total / len(X)
        if not np.isfinite(epoch_loss):
            raise FloatingPointError(
                f"training diverged: the mean loss of epoch {len(history) + 1} is "
                f"{epoch_loss}; lower lr (got {lr})")
        history.append(epoch_loss)
    model.eval()
    return history
