"""Anomaly detection on text: held-out story lines against corrupted copies of them.

A model of English stories should give a line from a story it never saw a
higher probability per character than the same line damaged. Four damages,
from the easiest to detect to the hardest:

- ``"random_characters"``: every character replaced by one drawn uniformly
  from the alphabet (letters, digits, punctuation of the vocabulary);
- ``"shuffled_characters"``: the characters of each word shuffled
  ("the cat sat" -> "eht tca ats"); same letters, broken spelling;
- ``"reversed"``: the line read backwards;
- ``"shuffled_words"``: the words of the line in a random order; every word
  is a real word, only the word order (and what spans word boundaries) is wrong.

A unigram model cannot see shuffles or reversals at all (the same
characters), which is the point of comparing orders.

The score and the metric are those of ``scratchgen.density``: the anomaly
score of a line is -score_samples (minus its mean log p per character,
``density.anomaly_scores``) and the detection quality the AUROC
(``density.roc_auc``): the probability that a corrupted line scores higher
than a real one.
"""
import numpy as np

from scratchgen.density.anomaly import anomaly_scores, roc_auc
from scratchgen.text.vocabulary import BOUNDARY
from scratchgen.validation import as_generator, check_choice

__all__ = ["CORRUPTIONS", "corrupt", "corruption_aurocs"]

CORRUPTIONS = ("shuffled_characters", "shuffled_words", "random_characters", "reversed")


def _shuffle_characters(line, rng, alphabet):
    return " ".join("".join(rng.permutation(list(word))) if len(word) > 1 else word
                    for word in line.split(" "))


def _shuffle_words(line, rng, alphabet):
    words = line.split(" ")
    return " ".join(words[i] for i in rng.permutation(len(words)))


def _random_characters(line, rng, alphabet):
    return "".join(rng.choice(alphabet, size=len(line)))


def _reverse(line, rng, alphabet):
    return line[::-1]


_DAMAGE = {"shuffled_characters": _shuffle_characters, "shuffled_words": _shuffle_words,
           "random_characters": _random_characters, "reversed": _reverse}


def corrupt(lines, kind, rng=None, alphabet=None):
    """The corrupted copy of each line (a list of str, same order and lengths).

    kind: one of ``CORRUPTIONS``; rng: Generator or seed; alphabet: the
    characters ``random_characters`` draws from (default: those of the lines,
    without the line break).
    """
    check_choice(kind, "kind", CORRUPTIONS)
    rng = as_generator(rng)
    lines = list(lines)
    if alphabet is None:
        alphabet = sorted(set("".join(lines)) - {BOUNDARY})
    alphabet = np.array(list(alphabet))
    return [_DAMAGE[kind](line, rng, alphabet) for line in lines]


def corruption_aurocs(model, lines, kinds=CORRUPTIONS, rng=None):
    """AUROC of -log p per character, real ``lines`` against each corruption.

    Lines that a corruption leaves unchanged (a one-word line shuffled by
    words, a palindrome reversed) are left out of that comparison.
    Returns {kind: AUROC} (1 = every corrupted line scores worse than every
    real one, 0.5 = chance).
    """
    rng = as_generator(rng)
    lines = list(lines)
    real_scores = anomaly_scores(model, lines)
    alphabet = model.vocabulary_.symbols.replace(BOUNDARY, "")
    result = {}
    for kind in kinds:
        damaged = corrupt(lines, kind, rng, alphabet=alphabet)
        changed = np.array([d != line for d, line in zip(damaged, lines)])
        fake_scores = anomaly_scores(model, [d for d, c in zip(damaged, changed) if c])
        scores = np.concatenate([real_scores[changed], fake_scores])
        labels = np.r_[np.zeros(int(changed.sum()), bool), np.ones(len(fake_scores), bool)]
        result[kind] = roc_auc(scores, labels)
    return result
