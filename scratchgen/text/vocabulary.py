"""A character vocabulary: the finite alphabet a character language model is over.

A model of text p(x_1 ... x_n) = prod_t p(x_t | x_<t) is a distribution
over sequences of *symbols*; here a symbol is one character. The vocabulary
is fitted on the training text (its distinct characters, sorted) and gives
each symbol an integer id:

    id 0           the unknown symbol (any character not seen in training),
    id 1 .. V-1    the training characters in sorted order ("\\n" included).

Encoding maps unseen characters to id 0, so a held-out text always has a
probability; decoding shows id 0 as U+FFFD (the replacement character).
With ``lower=True`` the text is lower-cased before fitting and encoding
(fewer symbols, a coarser model).

Every model of ``scratchgen.text`` reads text as if it followed a line
break: the context before the first character is filled with ``"\\n"``
(``BOUNDARY``), the way every line of a story follows one.
"""
import numpy as np

__all__ = ["Vocabulary", "UNKNOWN", "BOUNDARY"]

#: How the unknown symbol (id 0) is decoded.
UNKNOWN = "\ufffd"
#: The symbol that fills the context before the start of a text.
BOUNDARY = "\n"


def check_text(text, name="text", allow_empty=False):
    """``text`` as a str; TypeError for anything else, ValueError when empty."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    if not text and not allow_empty:
        raise ValueError(f"{name} is empty; expected at least one character")
    return text


class Vocabulary:
    """Characters <-> integer ids (id 0: unknown; see the module docstring).

    Build with ``Vocabulary.fit(text, lower=False)`` or from a list of
    ``symbols`` (the characters of ids 1..V-1, as saved by ``state_dict``).

    Attributes: ``symbols`` (str, the known characters in id order),
    ``lower``; ``len(vocab)`` = V, the known characters plus the unknown symbol.
    """

    def __init__(self, symbols, lower=False):
        symbols = "".join(symbols)
        if len(set(symbols)) != len(symbols):
            raise ValueError("symbols must be distinct characters")
        if BOUNDARY not in symbols:
            raise ValueError(f"symbols must contain the boundary symbol {BOUNDARY!r}")
        if UNKNOWN in symbols:
            raise ValueError(f"symbols must not contain {UNKNOWN!r}, the unknown symbol's display")
        self.symbols = symbols
        self.lower = bool(lower)
        # A lookup table for characters below U+0100 (nearly all of English), a dict for the rest.
        self._ids = {ch: i + 1 for i, ch in enumerate(symbols)}
        self._table = np.zeros(256, dtype=np.int64)
        for ch, i in self._ids.items():
            if ord(ch) < 256:
                self._table[ord(ch)] = i

    @classmethod
    def fit(cls, text, lower=False):
        """The vocabulary of the distinct characters of ``text`` (plus ``"\\n"``)."""
        text = check_text(text)
        if lower:
            text = text.lower()
        return cls(sorted(set(text) | {BOUNDARY}), lower=lower)

    def __len__(self):
        return len(self.symbols) + 1

    def __repr__(self):
        return f"Vocabulary({len(self)} symbols, lower={self.lower})"

    @property
    def boundary_id(self):
        """The id of ``"\\n"``, which fills the context before a text."""
        return self._ids[BOUNDARY]

    def encode(self, text):
        """int64 ids (len(text),) of the characters of ``text``; unseen ones -> 0."""
        text = check_text(text, allow_empty=True)
        if self.lower:
            text = text.lower()
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        ids = self._table[np.minimum(codes, 255)]
        wide = codes >= 256
        if wide.any():
            ids[wide] = [self._ids.get(chr(c), 0) for c in codes[wide]]
        return ids

    def decode(self, ids):
        """The string of the ids (id 0 shows as U+FFFD)."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must be in [0, {len(self)}), got values from "
                             f"{ids.min()} to {ids.max()}")
        alphabet = UNKNOWN + self.symbols
        return "".join(alphabet[i] for i in ids)

    def unknown_characters(self, text):
        """The distinct characters of ``text`` that are not in the vocabulary, sorted."""
        text = check_text(text, allow_empty=True)
        if self.lower:
            text = text.lower()
        return sorted(set(text) - set(self.symbols))

    def state_dict(self):
        """Plain values that ``Vocabulary.from_state_dict`` turns back into this vocabulary."""
        return {"symbols": self.symbols, "lower": self.lower}

    @classmethod
    def from_state_dict(cls, state):
        return cls(state["symbols"], lower=bool(state["lower"]))

    def __eq__(self, other):
        return (isinstance(other, Vocabulary) and self.symbols == other.symbols
                and self.lower == other.lower)

    __hash__ = None
