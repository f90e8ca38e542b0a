"""Character n-gram models: the closed-form maximum-likelihood estimate, smoothed.

An n-gram model (order n) assumes each character depends on the n - 1
before it, p(x_t | x_<t) = p(x_t | h), h = x_{t-n+1} ... x_{t-1}. Its
likelihood is maximised in closed form by relative frequencies,

    p_MLE(w | h) = c(h w) / c(h),        c(h) = sum_w c(h w),

the counts taken over the training text (read after n - 1 line breaks, see
vocabulary.py). The MLE gives probability 0 to every n-gram not seen in
training, and one such character makes a held-out text impossible
(log p = -inf), so the estimate is smoothed:

* ``"add-k"`` (Lidstone; k = 1 is Laplace): p(w | h) = (c(h w) + k) / (c(h) + k V);
  ``k=0`` is the unsmoothed MLE (an unseen context then gets 1 / V);
* ``"kneser-ney"``: interpolated Kneser-Ney (Kneser & Ney 1995; Chen &
  Goodman 1998, eq. 17), with one absolute discount D_m per order m:

      p_m(w | h) = max(c_m(h w) - D_m, 0) / c_m(h)  +  D_m N_m(h .) / c_m(h) * p_{m-1}(w | h'),

  h' = h without its first character; N_m(h .) = the number of distinct w
  with c_m(h w) > 0; a context with c_m(h) = 0 passes p_{m-1} through. At
  the highest order c_m are the counts; at lower orders they are
  *continuation counts* c_m(g) = N(. g), the number of distinct characters
  seen before g: a lower order is only used when the longer context was
  rare, and then what matters is in how many contexts w appears, not how
  often. The recursion ends in the uniform distribution 1 / V, so the
  unknown symbol keeps a little probability. Default discounts are Ney's
  estimate D_m = n1 / (n1 + 2 n2) from the numbers n1, n2 of m-grams seen
  once and twice (in the counts of that order).

The count tables are sorted arrays of integer keys: the m-gram
x_1 ... x_m has the key sum_i x_i V^(m-i), so the context of a key is
key // V and its last character key % V. References: Jurafsky & Martin,
Speech and Language Processing (3rd ed.), ch. 3; Chen & Goodman (1998),
"An empirical study of smoothing techniques for language modeling".
"""
import numpy as np

from scratchgen.text.language_model import LanguageModel, context_windows
from scratchgen.text.vocabulary import Vocabulary, check_text
from scratchgen.validation import check_choice, check_int, check_positive

__all__ = ["NGramModel", "ney_discount", "best_smoothing", "ADD_K_GRID"]

SMOOTHINGS = ("add-k", "kneser-ney")
_MAX_KEY = 2 ** 62  # keys must fit in int64


def _keys(windows, V):
    """Integer keys of the rows of ``windows`` (B..., m): sum_i x_i V^(m-1-i)."""
    key = np.zeros(windows.shape[:-1], dtype=np.int64)
    for i in range(windows.shape[-1]):
        key = key * V + windows[..., i]
    return key


class _Table:
    """Sorted keys with values; ``lookup`` gives the value of each query (0 if absent)."""

    def __init__(self, keys, values):
        self.keys, self.values = keys, values

    def lookup(self, queries):
        if len(self.keys) == 0:
            return np.zeros(np.shape(queries), dtype=self.values.dtype)
        where = np.minimum(np.searchsorted(self.keys, queries), len(self.keys) - 1)
        return np.where(self.keys[where] == queries, self.values[where], 0)


def _grouped(keys, counts, V):
    """Per context (key // V) of sorted m-gram keys: (contexts, c(h), N(h .)) tables."""
    contexts, first, types = np.unique(keys // V, return_index=True, return_counts=True)
    totals = np.add.reduceat(counts, first) if len(keys) else counts[:0]
    return _Table(contexts, totals), _Table(contexts, types)


def ney_discount(counts):
    """D = n1 / (n1 + 2 n2) (Ney, Essen & Kneser 1994), clipped to [0.05, 0.95]."""
    n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    if n1 + 2 * n2 == 0:
        return 0.5
    return float(np.clip(n1 / (n1 + 2 * n2), 0.05, 0.95))


class NGramModel(LanguageModel):
    """A character n-gram model, p(x_t | x_{t-n+1} .. x_{t-1}), fitted in closed form.

    order      : n >= 1 (1 = unigram: no context)
    smoothing  : "kneser-ney" (default) or "add-k" (see the module docstring)
    k          : add-k's pseudo-count (>= 0; 0 = the unsmoothed MLE)
    discounts  : Kneser-Ney's D_1 .. D_n (a sequence of n numbers in (0, 1)),
                 or None for Ney's estimate from the counts
    lower      : lower-case the text (a smaller vocabulary)
    vocabulary : a fitted ``Vocabulary`` to use instead of one fitted on the text

    Fitted attributes: ``vocabulary_``, ``discounts_`` (Kneser-Ney), and the
    count tables. Methods: see ``LanguageModel`` (log_prob, score_samples,
    bits_per_char, sample) and ``next_log_probs``.
    """

    def __init__(self, order=3, smoothing="kneser-ney", k=1.0, discounts=None, lower=False,
                 vocabulary=None):
        self.order = check_int(order, "order", minimum=1)
        self.smoothing = check_choice(smoothing, "smoothing", SMOOTHINGS)
        self.k = check_positive(k, "k", allow_zero=True)
        if discounts is not None:
            discounts = [float(d) for d in discounts]
            if len(discounts) != self.order or not all(0 < d < 1 for d in discounts):
                raise ValueError(f"discounts must be {self.order} numbers in (0, 1) (one per "
                                 f"order), got {discounts!r}")
        self.discounts = discounts
        self.lower = bool(lower)
        self.vocabulary = vocabulary
        self.context_size = self.order - 1
        self.vocabulary_ = None

    def __repr__(self):
        return f"NGramModel(order={self.order}, smoothing={self.smoothing!r})"

    # ------------------------------------------------------------------ fit
    def fit(self, text):
        """Count the m-grams of ``text`` for m = 1 .. order; returns self."""
        text = check_text(text)
        vocab = self.vocabulary or Vocabulary.fit(text, lower=self.lower)
        V = len(vocab)
        if V ** self.order >= _MAX_KEY:
            raise ValueError(f"order {self.order} with {V} symbols overflows the int64 keys; "
                             f"use a lower order or lower=True")
        ids = vocab.encode(text)
        windows = np.concatenate(
            [context_windows(ids, self.context_size, vocab.boundary_id), ids[:, None]], axis=1)
        tables = {}
        for m in range(1, self.order + 1):
            keys, counts = self._count(windows[:, self.order - m:], V)
            if self.smoothing == "kneser-ney" and m < self.order:
                # continuation counts N(. g): distinct characters before g, from the (m+1)-grams
                longer, _ = self._count(windows[:, self.order - m - 1:], V)
                keys, counts = np.unique(longer % V ** m, return_counts=True)
            tables[m] = (keys, counts.astype(np.int64))
        discounts = None
        if self.smoothing == "kneser-ney":
            discounts = list(self.discounts or
                             [ney_discount(tables[m][1]) for m in range(1, self.order + 1)])
        self._set_tables(vocab, tables, discounts)
        return self

    def _set_tables(self, vocab, tables, discounts):
        V = len(vocab)
        self.grams_, self.context_totals_, self.context_types_ = {}, {}, {}
        for m, (keys, counts) in tables.items():
            self.grams_[m] = _Table(keys, counts)
            self.context_totals_[m], self.context_types_[m] = _grouped(keys, counts, V)
        self.discounts_ = discounts
        self.vocabulary_ = vocab

    def state_dict(self):
        """The settings, the vocabulary and the count tables (arrays) of a fitted model."""
        self._check_fitted()
        return {"config": {"order": self.order, "smoothing": self.smoothing, "k": self.k,
                           "lower": self.lower},
                "vocabulary": self.vocabulary_.state_dict(), "discounts": self.discounts_,
                "tables": {str(m): {"keys": t.keys, "counts": t.values} for m, t in self.grams_.items()}}

    @classmethod
    def from_state_dict(cls, state):
        """The model saved by ``state_dict`` (e.g. ``NGramModel.from_state_dict(sg.load(path))``)."""
        model = cls(**state["config"])
        tables = {int(m): (np.asarray(t["keys"], np.int64), np.asarray(t["counts"], np.int64))
                  for m, t in state["tables"].items()}
        discounts = None if state["discounts"] is None else [float(d) for d in state["discounts"]]
        model._set_tables(Vocabulary.from_state_dict(state["vocabulary"]), tables, discounts)
        return model

    @staticmethod
    def _count(windows, V):
        """Distinct rows of ``windows`` (n, m) as sorted keys, and their counts.

        Helper: ``_keys(windows, V)`` -> one integer key per row of ``windows``: sum_i x_i
        V^(m-1-i).
        """
        # BEGIN SOLUTION task=text.ngram_counts
        keys, counts = np.unique(_keys(windows, V), return_counts=True)
        # END SOLUTION
        return keys, counts.astype(np.int64)

    # -------------------------------------------------------- probabilities
    def _probs(self, contexts, targets):
        """p(target | context) for contexts (B, n-1) and targets (B,) or (B, V)."""
        V = len(self.vocabulary_)
        contexts = np.asarray(contexts, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        if targets.ndim == 1:
            targets = targets[:, None]
        if self.smoothing == "add-k":
            return self._add_k(contexts, targets, V)
        return self._kneser_ney(contexts, targets, V)

    def _add_k(self, contexts, targets, V):
        n = self.order
        h = _keys(contexts, V)[:, None]
        count = self.grams_[n].lookup(h * V + targets).astype(np.float64)
        total = self.context_totals_[n].lookup(h).astype(np.float64)
        # BEGIN SOLUTION task=text.add_k
        denominator = total + self.k * V
        with np.errstate(invalid="ignore", divide="ignore"):
            probs = (count + self.k) / denominator
        # k = 0 and an unseen context: no data, no preference (the limit of add-k)
        probs = np.where(denominator > 0, probs, 1.0 / V)
        # END SOLUTION
        return probs

    def _kneser_ney(self, contexts, targets, V):
        probs = np.full(targets.shape, 1.0 / V)                  # order 0: uniform
        for m in range(1, self.order + 1):
            h = _keys(contexts[:, contexts.shape[1] - (m - 1):], V)[:, None] if m > 1 \
                else np.zeros((len(targets), 1), dtype=np.int64)
            count = self.grams_[m].lookup(h * V + targets).astype(np.float64)
            total = self.context_totals_[m].lookup(h).astype(np.float64)
            types = self.context_types_[m].lookup(h).astype(np.float64)
            D = self.discounts_[m - 1]
            seen = total > 0
            safe = np.where(seen, total, 1.0)
            smoothed = (np.maximum(count - D, 0.0) + D * types * probs) / safe
            probs = np.where(seen, smoothed, probs)
        return probs

    def next_log_probs(self, contexts):
        """log p(. | context) for contexts ids (B, order - 1) -> (B, V)."""
        contexts = self._check_contexts(contexts)
        V = len(self.vocabulary_)
        targets = np.broadcast_to(np.arange(V), (len(contexts), V))
        with np.errstate(divide="ignore"):
            return np.log(self._probs(contexts, targets))

    def _log_probs_of_windows(self, windows, targets):
        with np.errstate(divide="ignore"):
            return np.log(self._probs(windows, targets)[:, 0])


#: add-k pseudo-counts tried by ``best_smoothing`` besides Kneser-Ney.
ADD_K_GRID = (1.0, 0.1, 0.01, 0.001)


def best_smoothing(order, train_text, validation_text, vocabulary=None, ks=ADD_K_GRID,
                   smoothings=SMOOTHINGS):
    """The n-gram model of ``order`` whose smoothing scores best on validation text.

    Fits Kneser-Ney (Ney's discounts) and add-k for each k of ``ks`` (those
    of ``smoothings`` that are asked for) on ``train_text`` and keeps the one
    with the fewest bits per character on ``validation_text`` (the held-out
    likelihood is the judge; the test text is not looked at). Returns
    (model, {label: validation bits per char}), labels "kneser-ney" and "add-k (k=...)".
    """
    vocabulary = vocabulary or Vocabulary.fit(check_text(train_text, "train_text"))
    if isinstance(smoothings, str):
        smoothings = (smoothings,)
    for smoothing in smoothings:
        check_choice(smoothing, "smoothings", SMOOTHINGS)
    candidates = {}
    if "kneser-ney" in smoothings:
        candidates["kneser-ney"] = NGramModel(order, "kneser-ney", vocabulary=vocabulary)
    if "add-k" in smoothings:
        for k in ks:
            candidates[f"add-k (k={k:g})"] = NGramModel(order, "add-k", k=k, vocabulary=vocabulary)
    if not candidates:
        raise ValueError("smoothings must name at least one of 'kneser-ney', 'add-k'")
    scores = {label: model.fit(train_text).bits_per_char(validation_text)
              for label, model in candidates.items()}
    best = min(scores, key=scores.get)
    return candidates[best], scores
