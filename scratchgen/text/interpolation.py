"""``Interpolation``: the mixture of two language models, p = w p_a + (1 - w) p_b.

    p(x_t | x_<t) = w p_a(x_t | x_<t) + (1 - w) p_b(x_t | x_<t),   0 <= w <= 1

A mixture of two distributions over the next character is a distribution,
so the result is a language model with the same interface. The weight is
fitted by maximum likelihood on held-out text (never on the training text,
where the model that memorised more would always win), by EM: with the
responsibilities r_t = w p_a(x_t) / p(x_t) of model a for each character,

    w <- (1/n) sum_t r_t,

which increases the held-out likelihood at every step and converges to the
maximiser (the log-likelihood is concave in w). Bengio et al. (2003)
reported their best results this way, their MLP mixed with a trigram.
"""
import numpy as np

from scratchgen.text.language_model import LanguageModel, context_windows
from scratchgen.validation import check_fraction, check_int, check_positive

__all__ = ["Interpolation"]


class Interpolation(LanguageModel):
    """p = w p_a + (1 - w) p_b for two fitted models over the same vocabulary.

    model_a, model_b : fitted ``LanguageModel`` objects (NGramModel, CharMLP, ...)
    weight           : w, the share of model_a (default 0.5; ``fit_weight`` sets it)
    """

    def __init__(self, model_a, model_b, weight=0.5):
        for name, model in (("model_a", model_a), ("model_b", model_b)):
            if not isinstance(model, LanguageModel):
                raise TypeError(f"{name} must be a LanguageModel, got {type(model).__name__}")
            model._check_fitted()
        if model_a.vocabulary_ != model_b.vocabulary_:
            raise ValueError("model_a and model_b must share one vocabulary (fit the second "
                             "with vocabulary=model_a.vocabulary_)")
        self.model_a, self.model_b = model_a, model_b
        self.weight = check_fraction(weight, "weight", open_right=False)
        self.vocabulary_ = model_a.vocabulary_
        self.context_size = max(model_a.context_size, model_b.context_size)

    def __repr__(self):
        return f"Interpolation({self.model_a!r}, {self.model_b!r}, weight={self.weight:.3f})"

    def _mix(self, log_a, log_b):
        with np.errstate(divide="ignore"):
            return np.logaddexp(np.log(self.weight) + log_a, np.log1p(-self.weight) + log_b)

    def _own(self, model, windows):
        return windows[:, windows.shape[1] - model.context_size:]

    def next_log_probs(self, contexts):
        contexts = self._check_contexts(contexts)
        return self._mix(self.model_a.next_log_probs(self._own(self.model_a, contexts)),
                         self.model_b.next_log_probs(self._own(self.model_b, contexts)))

    def _component_log_probs(self, windows, targets):
        return (self.model_a._log_probs_of_windows(self._own(self.model_a, windows), targets),
                self.model_b._log_probs_of_windows(self._own(self.model_b, windows), targets))

    def _log_probs_of_windows(self, windows, targets):
        return self._mix(*self._component_log_probs(windows, targets))

    def fit_weight(self, text, max_iter=200, tol=1e-10):
        """Set ``weight`` to the maximiser of the likelihood of ``text`` (EM); returns self.

        Each model scores the text once; the iterations only reweight.
        """
        max_iter = check_int(max_iter, "max_iter")
        tol = check_positive(tol, "tol")
        ids = self.encode(text)
        windows = context_windows(ids, self.context_size, self.vocabulary_.boundary_id)
        log_a, log_b = self._component_log_probs(windows, ids)
        w = 0.5
        for _ in range(max_iter):
            # responsibilities of model a, computed in log space (p_a may be tiny)
            resp = np.exp(np.log(w) + log_a - np.logaddexp(np.log(w) + log_a, np.log1p(-w) + log_b))
            new = float(np.clip(resp.mean(), 1e-12, 1 - 1e-12))
            if abs(new - w) < tol:
                w = new
                break
            w = new
        self.weight = w
        return self
