"""The minibatch training loop shared by ``Autoencoder``, ``VAE`` and the CLI.

Both models minimise the mean of a per-example loss over the data set with
Adam on shuffled minibatches; only the loss differs (the reconstruction
error, or minus the ELBO). So the loop is written once, here:

    for epoch in 1..epochs:
        for x_b in shuffled minibatches of X:          # a new order every epoch
            loss = loss_fn(x_b, rng)                   # a scalar Tensor
            optimizer.zero_grad(); loss.backward(); optimizer.step()

``MinibatchTrainer.step`` is one pass of the inner body (it draws the next
epoch's order when an epoch ends) and can be checkpointed between any two
steps; ``fit_minibatches`` (behind ``Autoencoder.fit`` and ``VAE.fit``) runs
whole epochs of it, and ``scratchgen train autoencoder|vae`` runs it step
by step, so both train alike for the same seed.

``loss_fn`` receives the run's Generator so that a stochastic objective (the
VAE's reparameterised noise) draws from the same seeded stream as the
shuffling: one seed fixes the whole run.
"""
import numpy as np

from scratchgen.latent._checks import as_data_matrix, as_generator, check_int, check_positive
from scratchgen.validation import rng_from_seed_alias

__all__ = ["MinibatchTrainer", "fit_minibatches", "model_dtype"]


def model_dtype(model):
    """The float dtype of the model's parameters (data is cast to it)."""
    for p in model.parameters():
        return p.dtype
    raise ValueError(f"{type(model).__name__} has no parameters to train")


class MinibatchTrainer:
    """One optimizer step per minibatch of shuffled epochs over the rows of ``X``.

    model      : Module whose ``parameters()`` are trained
    loss_fn    : (x_batch ndarray (b, d), rng Generator) -> scalar Tensor
    X          : array (n, d), cast to the parameters' dtype
    batch_size : rows per step (the last batch of an epoch may be smaller)
    lr         : Adam's learning rate (ignored when ``optimizer`` is given)
    rng        : int or Generator for the shuffling and any noise in loss_fn
    optimizer  : an optimizer over model.parameters(); default
                 ``scratchgen.optim.Adam(params, lr=lr)``

    Epoch e visits the rows in the order ``rng.permutation(n)`` drawn when
    it starts, in batches ``order[b * batch_size:(b + 1) * batch_size]``
    (``datasets.DataLoader``'s order). ``state_dict`` holds the optimizer,
    the Generator and the position in the epoch, so a run resumed from it
    continues with the same batches.
    """

    def __init__(self, model, loss_fn, X, batch_size=64, lr=1e-3, rng=None, optimizer=None):
        from scratchgen.optim import Adam
        self.model, self.loss_fn = model, loss_fn
        self.X = as_data_matrix(X, dtype=model_dtype(model))
        self.batch_size = check_int(batch_size, "batch_size")
        self.rng = as_generator(rng, "rng")
        if optimizer is None:
            optimizer = Adam(list(model.parameters()), lr=check_positive(lr, "lr"))
        self.optimizer = optimizer
        self.batches_per_epoch = -(-len(self.X) // self.batch_size)
        self._order = None      # this epoch's order of the rows (drawn at its first step)
        self._next = 0          # the next batch of the epoch

    def next_batch(self):
        """The rows of the next step, (b, d); starts a new epoch when one ends."""
        if self._order is None or self._next == self.batches_per_epoch:
            self._order, self._next = self.rng.permutation(len(self.X)), 0
        b = self._next
        self._next += 1
        return self.X[self._order[b * self.batch_size:(b + 1) * self.batch_size]]

    def step(self):
        """One update on the next minibatch; returns ``(loss, batch rows)``."""
        xb = self.next_batch()
        if not self.model.training:
            self.model.train()
        loss = self.loss_fn(xb, self.rng)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.item()), len(xb)

    def epoch(self):
        """The rest of the current epoch (a whole one at an epoch boundary);
        returns the mean loss over its rows (batches weighted by size)."""
        total, rows = 0.0, 0
        while True:
            loss, b = self.step()
            total, rows = total + loss * b, rows + b
            if self._next == self.batches_per_epoch:
                return total / rows

    def state_dict(self):
        from scratchgen.serialization import rng_state
        order = np.zeros(0, dtype=np.int64) if self._order is None else self._order
        return {"optimizer": self.optimizer.state_dict(), "rng": rng_state(self.rng),
                "order": np.asarray(order, dtype=np.int64), "next_batch": self._next}

    def load_state_dict(self, state):
        from scratchgen.serialization import rng_from_state
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng = rng_from_state(state["rng"])
        order = np.asarray(state.get("order", np.zeros(0)), dtype=np.int64)
        self._order = order if len(order) else None
        self._next = int(state.get("next_batch", 0))
        return self


def fit_minibatches(model, loss_fn, X, epochs=50, batch_size=64, lr=1e-3, rng=None,
                    progress=False, optimizer=None, seed=None):
    """Train ``model`` for ``epochs`` epochs of ``MinibatchTrainer`` (see it for the arguments).

    progress: a bar over epochs. ``seed`` is the deprecated name of ``rng``.
    Returns the list of the mean training loss of every epoch (the mean
    over batches weighted by their sizes, with the parameters as they were
    during the epoch); the model is left in eval mode.
    """
    from scratchgen.progress import progress_bar
    rng = rng_from_seed_alias(rng, seed, "fit_minibatches")
    epochs = check_int(epochs, "epochs")
    trainer = MinibatchTrainer(model, loss_fn, X, batch_size=batch_size, lr=lr, rng=rng,
                               optimizer=optimizer)
    model.train()
    history = []
    for _ in progress_bar(enabled=progress, desc=type(model).__name__, iterable=range(epochs)):
        epoch_loss = trainer.epoch()
        if not np.isfinite(epoch_loss):
            raise FloatingPointError(
                f"training diverged: the mean loss of epoch {len(history) + 1} is "
                f"{epoch_loss}; lower lr (got {lr})")
        history.append(epoch_loss)
    model.eval()
    return history
