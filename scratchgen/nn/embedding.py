"""``Embedding``: a table of learned vectors looked up by integer id (``torch.nn.Embedding``).

    E(i) = W[i],   W of shape (num_embeddings, embedding_dim)

For a batch of ids of any shape (...) the output is W[ids], (..., embedding_dim).
The lookup equals one-hot(i) @ W, so its gradient is one-hot^T @ G: the
gradient rows are *added* into the rows of W that were read,

    dL/dW[j] = sum over positions p with ids[p] == j of dL/dE[p],

a scatter-add (an id used twice in a batch receives two gradients; rows
never read receive zero). No new autodiff primitive is needed: the lookup is
the indexing op ``W[ids]`` (``GetItem``), whose backward is exactly that
scatter-add (``IndexAdd``, ``np.add.at``), and whose second derivative is the
lookup again (see scratchgen/autodiff/ops_shape.py). This layer adds the
id checks and PyTorch's names: the parameter is ``weight``, initialised
from N(0, 1) as in PyTorch. Bengio et al. (2003) call W the matrix C of
"distributed feature vectors" of the words.
"""
import numbers

import numpy as np

from scratchgen.autodiff.dtypes import get_default_dtype
from scratchgen.nn import init
from scratchgen.nn.functional import as_generator
from scratchgen.nn.layers import _count
from scratchgen.nn.module import Module, Parameter

__all__ = ["Embedding", "embedding"]


def _check_ids(ids, num_embeddings):
    data = getattr(ids, "data", ids)
    data = np.asarray(data)
    if data.dtype.kind not in "iu":
        if data.dtype.kind == "f" and data.size and np.all(data == np.round(data)):
            data = data.astype(np.int64)
        elif data.size:
            raise TypeError(f"Embedding: ids must be integers, got dtype {data.dtype}")
        else:
            data = data.astype(np.int64)
    if data.size and (data.min() < 0 or data.max() >= num_embeddings):
        raise ValueError(f"Embedding: ids must be in [0, {num_embeddings}), got values from "
                         f"{data.min()} to {data.max()}")
    return data.astype(np.intp, copy=False)


def embedding(input, weight):
    """weight[input]: ids (...) -> (..., embedding_dim) (``torch.nn.functional.embedding``)."""
    return weight[_check_ids(input, weight.shape[0])]


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``.

    Parameter: weight (num_embeddings, embedding_dim), default dtype, from N(0, 1).
    rng: Generator or seed for the initialisation.
    Input: integer ids of any shape (...) in [0, num_embeddings) (an ndarray,
    a list or an integer Tensor) -> output (..., embedding_dim).
    """

    def __init__(self, num_embeddings, embedding_dim, rng=None):
        super().__init__()
        self.num_embeddings = _count(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = _count(embedding_dim, "embedding_dim", "Embedding")
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim),
                                         get_default_dtype()))
        init.normal_(self.weight, 0.0, 1.0, rng=as_generator(rng))

    def forward(self, input):
        if isinstance(input, numbers.Integral):
            input = np.asarray(input)
        return embedding(input, self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"
