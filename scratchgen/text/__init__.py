"""scratchgen.text: character language models of English short stories.

    p(x_1 ... x_n) = prod_t p(x_t | x_{t-c} ... x_{t-1})

Modules, in reading order:

- ``vocabulary``: ``Vocabulary``, characters <-> ids (id 0: unknown);
- ``language_model``: ``LanguageModel``, the interface every model shares
  (``log_prob``, ``score_samples``, ``bits_per_char``, ``sample``);
- ``ngram``: ``NGramModel``, closed-form MLE with add-k or interpolated
  Kneser-Ney smoothing;
- ``char_mlp``: ``CharMLP``, Bengio et al.'s (2003) neural probabilistic
  language model at character level, fitted by gradient MLE;
- ``interpolation``: ``Interpolation``, p = w p_a + (1 - w) p_b with w by
  maximum likelihood on validation text;
- ``corruptions``: damaged copies of lines and the AUROC of -log p per
  character against them (through ``scratchgen.density``'s anomaly API).

The data: ``scratchgen.datasets.load_stories``.
"""
from scratchgen.text.char_mlp import CharMLP, CharMLPNetwork, next_char_nll
from scratchgen.text.corruptions import CORRUPTIONS, corrupt, corruption_aurocs
from scratchgen.text.interpolation import Interpolation
from scratchgen.text.language_model import LanguageModel, context_windows, temperature_probs
from scratchgen.text.ngram import ADD_K_GRID, NGramModel, best_smoothing, ney_discount
from scratchgen.text.vocabulary import BOUNDARY, UNKNOWN, Vocabulary

__all__ = ["Vocabulary", "UNKNOWN", "BOUNDARY", "LanguageModel", "context_windows",
           "temperature_probs", "NGramModel", "ney_discount", "best_smoothing", "ADD_K_GRID",
           "CharMLP", "CharMLPNetwork", "next_char_nll", "Interpolation",
           "CORRUPTIONS", "corrupt", "corruption_aurocs"]
