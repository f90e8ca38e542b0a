"""What every character language model of ``scratchgen.text`` offers, written once.

A character language model with a context of c characters is

    p(x_1 ... x_n) = prod_t p(x_t | x_{t-c} ... x_{t-1}),

the context before the start filled with ``"\\n"`` (see vocabulary.py). A
subclass defines ``next_log_probs(contexts)``: log p(. | context) for a
batch of contexts, ids (B, c) -> (B, V). From it this base class gives the
interface shared by ``NGramModel``, ``CharMLP`` and ``Interpolation``:

- ``char_log_probs(text)``: log p(x_t | x_<t) per character, (n,);
- ``log_prob(text)``: log p(text) = the sum of those (natural log);
- ``bits_per_char(text)``: -log2 p(text) / n, the cross-entropy in bits per
  character (what an ideal coder using the model would spend per character);
- ``score_samples(lines)``: the mean log-probability per character of each
  line, each line read on its own (a line of a story follows a line break);
  the density-model convention (log p per row, higher = more typical) that
  ``scratchgen.density.anomaly_scores`` and ``AnomalyDetector`` use;
- ``sample(n_chars, prompt, temperature, rng)``: ancestral sampling, one
  character at a time from p(. | context)^(1/T), renormalised.
"""
import numpy as np

from scratchgen.text.vocabulary import check_text
from scratchgen.validation import as_generator, check_fitted, check_int, check_positive

__all__ = ["LanguageModel", "context_windows", "temperature_probs"]

_CHUNK = 8192  # positions per call of next_log_probs when scoring (bounded memory)


def context_windows(ids, context_size, boundary_id):
    """The context of every position of ``ids``: int64 (n, context_size).

    Row t holds ids[t - c .. t - 1], with ``boundary_id`` before the start.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if context_size == 0:
        return np.zeros((len(ids), 0), dtype=np.int64)
    padded = np.concatenate([np.full(context_size, boundary_id, dtype=np.int64), ids])
    return np.lib.stride_tricks.sliding_window_view(padded[:-1], context_size)


def temperature_probs(log_probs, temperature):
    """p^(1/T) renormalised, from log p (..., V): T < 1 sharpens, T > 1 flattens.

    T -> 0 tends to the most probable symbol (greedy); T = 1 is the model itself.
    """
    # BEGIN SOLUTION task=text.temperature_sampling
    scaled = np.asarray(log_probs, dtype=np.float64) / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)   # exp never overflows
    probs = np.exp(scaled)
    probs /= probs.sum(axis=-1, keepdims=True)
    # END SOLUTION
    return probs


class LanguageModel:
    """Base class; subclasses set ``vocabulary_`` and ``context_size`` and define
    ``next_log_probs``. See the module docstring."""

    vocabulary_ = None
    context_size = 0

    def next_log_probs(self, contexts):
        """log p(. | context) for ids (B, context_size) -> float64 (B, V)."""
        raise NotImplementedError

    def _check_fitted(self):
        check_fitted(self, "vocabulary_", "fit(text)")

    def _check_contexts(self, contexts):
        """``contexts`` as int64 ids (B, context_size) of a fitted model."""
        self._check_fitted()
        contexts = np.asarray(contexts, dtype=np.int64)
        if contexts.ndim != 2 or contexts.shape[1] != self.context_size:
            raise ValueError(f"contexts must be ids of shape (B, {self.context_size}), "
                             f"got shape {contexts.shape}")
        return contexts

    def encode(self, text, name="text"):
        """Ids of ``text`` in the model's vocabulary (fitted models only)."""
        self._check_fitted()
        return self.vocabulary_.encode(check_text(text, name))

    def _log_probs_of_windows(self, windows, targets):
        """log p(target | window) per row, (n,); overridden where a model can
        score targets without computing the full distributions."""
        out = np.empty(len(targets))
        for start in range(0, len(targets), _CHUNK):
            stop = start + _CHUNK
            rows = self.next_log_probs(windows[start:stop])
            out[start:stop] = rows[np.arange(len(rows)), targets[start:stop]]
        return out

    def _log_probs_of_ids(self, ids):
        windows = context_windows(ids, self.context_size, self.vocabulary_.boundary_id)
        return self._log_probs_of_windows(windows, ids)

    def char_log_probs(self, text):
        """log p(x_t | x_<t) of every character of ``text`` (natural log), (n,)."""
        return self._log_probs_of_ids(self.encode(text))

    def log_prob(self, text):
        """log p(text) (natural log), the sum of ``char_log_probs``."""
        return float(self.char_log_probs(text).sum())

    def bits_per_char(self, text):
        """-log2 p(text) / len(text): bits per character (lower is better)."""
        return -float(self.char_log_probs(text).mean()) / np.log(2.0)

    def score_samples(self, lines):
        """Mean log p per character of each line (each read after a line break), (n,).

        The per-character mean makes lines of different lengths comparable;
        ``-score_samples`` is the anomaly score of ``scratchgen.density``.
        """
        if isinstance(lines, str):
            raise TypeError("lines must be a list of str (one score per line), got one str; "
                            "use log_prob(text) for a single text")
        lines = list(lines)
        if not lines:
            raise ValueError("lines is empty; expected at least one line")
        self._check_fitted()
        encoded = [self.vocabulary_.encode(check_text(line, f"lines[{i}]"))
                   for i, line in enumerate(lines)]
        # One batch for all lines: each line's windows start from the boundary.
        boundary = self.vocabulary_.boundary_id
        windows = np.concatenate([context_windows(e, self.context_size, boundary) for e in encoded])
        per_char = self._log_probs_of_windows(windows, np.concatenate(encoded))
        lengths = np.array([len(e) for e in encoded])
        return np.add.reduceat(per_char, np.r_[0, np.cumsum(lengths)[:-1]]) / lengths

    def sample(self, n_chars, prompt="", temperature=1.0, rng=None):
        """``prompt`` followed by ``n_chars`` characters drawn from the model.

        Each character is drawn from p(. | previous context_size characters)
        at ``temperature`` (see ``temperature_probs``); the unknown symbol is
        never drawn. rng: Generator or seed (the same seed, the same text).
        Characters of the prompt outside the vocabulary are an error.
        """
        self._check_fitted()
        n_chars = check_int(n_chars, "n_chars", minimum=0)
        temperature = check_positive(temperature, "temperature")
        prompt = check_text(prompt, "prompt", allow_empty=True)
        unknown = self.vocabulary_.unknown_characters(prompt)
        if unknown:
            raise ValueError(f"prompt has characters outside the vocabulary: "
                             f"{''.join(unknown)!r}; the model knows {self.vocabulary_.symbols!r}")
        rng = as_generator(rng)
        c = self.context_size
        history = [self.vocabulary_.boundary_id] * c + list(self.vocabulary_.encode(prompt))
        drawn = []
        for _ in range(n_chars):
            context = np.array(history[len(history) - c:] if c else [], dtype=np.int64)
            log_p = self.next_log_probs(context.reshape(1, c))[0]
            log_p[0] = -np.inf                                  # never the unknown symbol
            probs = temperature_probs(log_p, temperature)
            # inverse-CDF draw: one uniform per character, reproducible by seed
            symbol = int(min(np.searchsorted(np.cumsum(probs), rng.random(), side="right"),
                             len(probs) - 1))
            history.append(symbol)
            drawn.append(symbol)
        return prompt + self.vocabulary_.decode(drawn)
