"""``CharMLP``: the neural probabilistic language model of Bengio et al. (2003), per character.

    e_t    = [C(x_{t-c}), ..., C(x_{t-1})]            c embeddings of size d, concatenated (c d)
    h      = relu(W_1 e_t + b_1), ..., relu(W_L h + b_L)   hidden layers
    p(x_t = w | x_<t) = softmax(U h + b)_w               V outputs

C is an ``nn.Embedding`` (V, d) learned with the rest (Bengio et al.'s
"distributed feature vectors"); the rest is an ``nn.MLP``. Unlike an n-gram
model, similar contexts share statistical strength through C and the
hidden layers, so a long context (c = 16) does not need its exact 16-gram
to have been seen.

Fitting is gradient maximum likelihood: minimise the mean negative
log-likelihood of the next character (the cross-entropy, in nats)

    NLL(theta) = -(1/B) sum_b log p_theta(x_{t_b} | x_{t_b - c} .. x_{t_b - 1})

on minibatches of B positions drawn uniformly from the training text, with
an optimizer of ``scratchgen.optim`` (Adam by default, with optional L2
weight decay) and optional dropout. Every ``eval_every`` steps the model is
scored on validation characters; with ``restore_best`` the weights of the
best validation score are kept (early stopping: on a million characters a
network this size starts to overfit within minutes). ``state_dict`` holds
everything needed to continue (weights, optimizer, generator, step,
history), for ``sg.save`` / ``sg.load`` and ``CharMLP.from_state_dict``.

Reference: Y. Bengio, R. Ducharme, P. Vincent, C. Jauvin (2003), "A Neural
Probabilistic Language Model", JMLR 3, 1137-1155 (words there, characters here).
"""
import time

import numpy as np

from scratchgen.autodiff import functional as AF
from scratchgen.autodiff import no_grad
from scratchgen.nn.containers import MLP
from scratchgen.nn.embedding import Embedding
from scratchgen.nn.module import Module
from scratchgen.progress import progress_bar
from scratchgen.serialization import rng_from_state, rng_state
from scratchgen.text.language_model import LanguageModel, context_windows
from scratchgen.text.vocabulary import Vocabulary, check_text
from scratchgen.validation import as_generator, check_fraction, check_int, check_positive

__all__ = ["CharMLP", "CharMLPNetwork", "next_char_nll"]


class CharMLPNetwork(Module):
    """Embedding (V, d) -> flatten (c d) -> MLP [c d, *hidden, V] -> logits (B, V).

    State dict keys: ``embedding.weight`` (V, d), ``mlp.0.weight``, ``mlp.0.bias``, ...
    (``torch.nn.Embedding`` and ``torch.nn.Sequential`` of the same layers).
    """

    def __init__(self, vocab_size, context, embedding_dim, hidden, dropout=0.0, rng=None):
        super().__init__()
        rng = as_generator(rng)
        self.context = context
        self.embedding = Embedding(vocab_size, embedding_dim, rng=rng)
        self.mlp = MLP([context * embedding_dim, *hidden, vocab_size], activation="relu",
                       dropout=dropout, rng=rng)

    def forward(self, contexts):
        """contexts: ids (B, c) -> logits (B, V)."""
        e = self.embedding(contexts)                       # (B, c, d)
        return self.mlp(e.reshape(e.shape[0], -1))         # (B, V)


def next_char_nll(network, contexts, targets):
    """The mean negative log-likelihood (nats) of ``targets`` (B,) after ``contexts`` (B, c).

    Helper: ``network(inputs)`` -> the logits (n, V) of the next character.
    """
    # BEGIN SOLUTION task=text.char_mlp_nll
    log_p = AF.log_softmax(network(contexts), axis=-1)     # log p(. | context), (B, V)
    nll = -log_p[np.arange(len(targets)), targets].mean()
    # END SOLUTION
    return nll


class CharMLP(LanguageModel):
    """A character-level neural probabilistic language model (see the module docstring).

    context       : c, characters of context (default 16)
    embedding_dim : d, size of each character's vector (default 16)
    hidden        : sizes of the ReLU hidden layers (default (512, 512))
    dropout       : dropout probability after each hidden layer (default 0)
    lower, vocabulary : as in ``NGramModel``
    rng           : Generator or seed for the weights, the minibatches and the dropout masks

    Fitted attributes: ``vocabulary_``, ``network_`` (a ``CharMLPNetwork``),
    ``optimizer_``, ``step_``, ``history_`` (dict of lists: "step",
    "train_nll" (running mean over the last eval_every steps, nats),
    "validation_bpc", "seconds"), ``best_step_`` and ``best_validation_bpc_``.
    """

    def __init__(self, context=16, embedding_dim=16, hidden=(512, 512), dropout=0.0, lower=False,
                 vocabulary=None, rng=None):
        self.context_size = self.context = check_int(context, "context", minimum=1)
        self.embedding_dim = check_int(embedding_dim, "embedding_dim")
        self.hidden = tuple(check_int(h, "hidden sizes") for h in hidden)
        self.dropout = check_fraction(dropout, "dropout")
        self.lower = bool(lower)
        self.vocabulary = vocabulary
        self.rng = rng
        self.vocabulary_ = None
        self.network_ = self.optimizer_ = None

    def __repr__(self):
        return (f"CharMLP(context={self.context}, embedding_dim={self.embedding_dim}, "
                f"hidden={self.hidden})")

    def _config(self):
        return {"context": self.context, "embedding_dim": self.embedding_dim,
                "hidden": list(self.hidden), "dropout": self.dropout, "lower": self.lower}

    def _build(self, vocabulary, lr, weight_decay):
        from scratchgen.optim import Adam
        self.vocabulary_ = vocabulary
        self.rng_ = as_generator(self.rng)
        self.network_ = CharMLPNetwork(len(vocabulary), self.context, self.embedding_dim,
                                       self.hidden, self.dropout, rng=self.rng_)
        self.optimizer_ = Adam(list(self.network_.parameters()), lr=lr, weight_decay=weight_decay)
        self.step_ = 0
        self.history_ = {"step": [], "train_nll": [], "validation_bpc": [], "seconds": []}
        self.best_step_, self.best_validation_bpc_, self._best_state = None, None, None

    # ------------------------------------------------------------------ fit
    def fit(self, text, validation_text=None, steps=1000, batch_size=256, lr=1e-3, weight_decay=0.0,
            eval_every=200, eval_chars=20000, restore_best=True, progress=False, callback=None,
            max_seconds=None):
        """Train for ``steps`` more minibatch steps on ``text``; returns self.

        The first call builds the vocabulary, the network and the optimizer
        (``lr``, ``weight_decay``); later calls (or a model restored with
        ``from_state_dict``) continue training where it stopped.
        validation_text : scored every ``eval_every`` steps on ``eval_chars``
                          evenly spaced positions (bits per character)
        restore_best    : at the end, keep the weights of the best validation score
        callback        : called as callback(model) after every evaluation (e.g. to checkpoint)
        max_seconds     : stop after this much training time (checked every step)
        progress        : a tqdm bar over the steps
        """
        steps = check_int(steps, "steps", minimum=0)
        eval_every = check_int(eval_every, "eval_every")
        data = self.training_data(text, validation_text, eval_chars, lr, weight_decay)
        bar = progress_bar(steps, desc="CharMLP") if progress else None
        start, running, counted = time.perf_counter(), 0.0, 0
        seconds_before = self.history_["seconds"][-1] if self.history_["seconds"] else 0.0
        for i in range(steps):
            running, counted = running + self.train_step(data, batch_size), counted + 1
            if bar is not None:
                bar.update(1)
            out_of_time = max_seconds is not None and time.perf_counter() - start >= max_seconds
            if self.step_ % eval_every == 0 or i == steps - 1 or out_of_time:
                self.record(data, running / counted, seconds_before + time.perf_counter() - start)
                running, counted = 0.0, 0
                if callback is not None:
                    callback(self)
            if out_of_time:
                break
        if bar is not None:
            bar.close()
        self.network_.eval()
        if restore_best:
            self.use_best_weights()
        return self

    def use_best_weights(self):
        """Load the weights of the best validation score so far (if any were measured)."""
        if self._best_state is not None:
            self.network_.load_state_dict(self._best_state)
        self.network_.eval()
        return self

    def training_data(self, text, validation_text=None, eval_chars=20000, lr=1e-3, weight_decay=0.0):
        """What ``train_step`` and ``record`` read: a dict of the training windows (n, c)
        and targets (n,), and the validation windows and targets at ``eval_chars``
        evenly spaced positions (or None). Builds the vocabulary, network and
        optimizer (``lr``, ``weight_decay``) on first use."""
        text = check_text(text)
        eval_chars = check_int(eval_chars, "eval_chars")
        if self.network_ is None:
            vocab = self.vocabulary or Vocabulary.fit(text, lower=self.lower)
            self._build(vocab, check_positive(lr, "lr"),
                        check_positive(weight_decay, "weight_decay", allow_zero=True))
        ids = self.vocabulary_.encode(text)
        data = {"windows": context_windows(ids, self.context, self.vocabulary_.boundary_id),
                "targets": ids, "held_out": None}
        if validation_text is not None:
            val_ids = self.vocabulary_.encode(check_text(validation_text, "validation_text"))
            spaced = np.unique(np.linspace(0, len(val_ids) - 1, min(eval_chars, len(val_ids))).astype(int))
            val_windows = context_windows(val_ids, self.context, self.vocabulary_.boundary_id)
            data["held_out"] = (val_windows[spaced], val_ids[spaced])
        return data

    def train_step(self, data, batch_size=256):
        """One Adam step on ``batch_size`` positions drawn uniformly; returns the NLL (nats)."""
        batch_size = check_int(batch_size, "batch_size")
        self.network_.train()
        rows = self.rng_.integers(0, len(data["targets"]), size=batch_size)
        loss = next_char_nll(self.network_, data["windows"][rows], data["targets"][rows])
        self.optimizer_.zero_grad()
        loss.backward()
        self.optimizer_.step()
        self.step_ += 1
        value = float(loss.item())
        if not np.isfinite(value):
            raise FloatingPointError(f"training diverged at step {self.step_} (loss {value}); lower lr")
        return value

    def record(self, data, train_nll, seconds):
        """Append one row to ``history_`` (validation bits on ``data``'s held-out
        positions); remember the weights when validation improved. Returns the bits."""
        bpc = np.nan
        if data["held_out"] is not None:
            self.network_.eval()
            bpc = -float(np.mean(self._log_probs_of_windows(*data["held_out"]))) / np.log(2.0)
            if self.best_validation_bpc_ is None or bpc < self.best_validation_bpc_:
                self.best_step_, self.best_validation_bpc_ = self.step_, bpc
                self._best_state = self.network_.state_dict()
        for key, value in (("step", self.step_), ("train_nll", train_nll), ("validation_bpc", bpc),
                           ("seconds", seconds)):
            self.history_[key].append(value)
        return bpc

    # -------------------------------------------------------- probabilities
    def next_log_probs(self, contexts):
        """log p(. | context) for ids (B, context) -> float64 (B, V)."""
        contexts = self._check_contexts(contexts)
        with no_grad():
            logits = self.network_(contexts).data.astype(np.float64)
        shifted = logits - logits.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    # ---------------------------------------------------------- checkpoints
    def state_dict(self):
        """Everything ``from_state_dict`` needs to score, sample and continue training."""
        self._check_fitted()
        return {"config": self._config(), "vocabulary": self.vocabulary_.state_dict(),
                "network": self.network_.state_dict(), "optimizer": self.optimizer_.state_dict(),
                "rng": rng_state(self.rng_), "step": self.step_,
                "history": {k: list(v) for k, v in self.history_.items()},
                "best": {"step": self.best_step_, "validation_bpc": self.best_validation_bpc_,
                         "network": self._best_state}}

    @classmethod
    def from_state_dict(cls, state):
        """The model saved by ``state_dict`` (e.g. ``CharMLP.from_state_dict(sg.load(path))``)."""
        config = dict(state["config"])
        config["hidden"] = tuple(config["hidden"])
        model = cls(**config)
        group = state["optimizer"]["param_groups"][0]
        model._build(Vocabulary.from_state_dict(state["vocabulary"]), group["lr"], group["weight_decay"])
        model.network_.load_state_dict(state["network"])
        model.optimizer_.load_state_dict(state["optimizer"])
        model.rng_ = rng_from_state(state["rng"])
        for layer in model.network_.modules():
            if hasattr(layer, "p") and hasattr(layer, "rng"):  # dropout masks: the saved stream
                layer.rng = model.rng_
        model.step_ = int(state["step"])
        model.history_ = {k: list(v) for k, v in state["history"].items()}
        best = state["best"]
        model.best_step_, model.best_validation_bpc_ = best["step"], best["validation_bpc"]
        model._best_state = best["network"]
        model.network_.eval()
        return model
