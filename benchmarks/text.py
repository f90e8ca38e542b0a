"""Text models: CharMLP training throughput (scratchgen vs PyTorch) and n-gram fitting time.

CharMLP step: batch 256 positions of the stories, context 16, embedding 16,
two ReLU layers of 512, softmax over the vocabulary, mean cross-entropy,
Adam (lr 1e-3), float32. The scratchgen version is ``CharMLP.train_step``
(what ``fit`` and ``scratchgen train charmlp`` run); the PyTorch version is
the same network (``nn.Embedding``, ``nn.Linear``, ``F.cross_entropy``,
``optim.Adam``) on the same minibatches, run in its own process (a second
BLAS/OpenMP runtime in one process distorts both), with the same thread
count. We report characters per second (batch x steps / seconds), the median
over ``--repeats`` repeats, and the ratio scratchgen / PyTorch (> 1 means
scratchgen is faster). The two processes run one after the other, twice
(scratchgen, torch, scratchgen, torch), so a change of load hits both.

n-gram fitting: ``NGramModel(order).fit`` on the whole training split
(about 1 M characters), Kneser-Ney and add-k, median of ``--repeats``.

    python benchmarks/text.py                       # PyTorch from --torch-python if given
    python benchmarks/text.py --torch-python /path/to/venv/bin/python
"""
KIND = "speed"  # medians over --repeats, side-by-side ratios (scratchgen bench runs these)

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

CONTEXT, EMBEDDING, HIDDEN, BATCH, LR = 16, 16, (512, 512), 256, 1e-3
_DEFAULT_TORCH = "/work/venv-torch/bin/python"


def minibatches(n_batches, seed=0):
    """The (contexts, targets) minibatches both versions train on: int64 (B, c), (B,)."""
    from scratchgen.datasets import load_stories
    from scratchgen.text import Vocabulary, context_windows
    text = load_stories(rng=0).text("train")
    vocab = Vocabulary.fit(text)
    ids = vocab.encode(text)
    windows = context_windows(ids, CONTEXT, vocab.boundary_id)
    rng = np.random.default_rng(seed)
    rows = [rng.integers(0, len(ids), BATCH) for _ in range(n_batches)]
    return len(vocab), [(np.ascontiguousarray(windows[r]), ids[r]) for r in rows]


def time_repeats(step, batches, steps, repeats):
    """Median characters per second over ``repeats`` runs of ``steps`` steps."""
    for contexts, targets in batches[:10]:  # warm up: JIT compilation, allocator
        step(contexts, targets)
    rates = []
    for r in range(repeats):
        start = time.perf_counter()
        for i in range(steps):
            step(*batches[(r * steps + i) % len(batches)])
        rates.append(BATCH * steps / (time.perf_counter() - start))
    return statistics.median(rates)


def scratchgen_rate(steps, repeats):
    from scratchgen.text import CharMLPNetwork, next_char_nll
    from scratchgen.optim import Adam
    V, batches = minibatches(50)
    net = CharMLPNetwork(V, CONTEXT, EMBEDDING, HIDDEN, rng=0)
    opt = Adam(list(net.parameters()), lr=LR)

    def step(contexts, targets):
        loss = next_char_nll(net, contexts, targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time_repeats(step, batches, steps, repeats)


def torch_worker(steps, repeats, threads):
    """Runs inside the PyTorch process (``--worker``): prints {"rate": chars/s}."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    V, batches = minibatches(50)
    layers, width = [], CONTEXT * EMBEDDING
    for h in HIDDEN:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    emb = torch.nn.Embedding(V, EMBEDDING)
    mlp = torch.nn.Sequential(*layers, torch.nn.Linear(width, V))
    opt = torch.optim.Adam(list(emb.parameters()) + list(mlp.parameters()), lr=LR)
    batches = [(torch.from_numpy(c), torch.from_numpy(t)) for c, t in batches]

    def step(contexts, targets):
        logits = mlp(emb(contexts).reshape(len(targets), -1))
        loss = torch.nn.functional.cross_entropy(logits, targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(json.dumps({"rate": time_repeats(step, batches, steps, repeats),
                      "version": torch.__version__}))


def torch_rate(python, steps, repeats, threads):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))] +
        [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([python, os.path.abspath(__file__), "--worker", "--steps", str(steps),
                           "--repeats", str(repeats), "--threads", str(threads)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"(PyTorch worker failed: {done.stderr.strip().splitlines()[-1:]})")
        return None, None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["rate"], result["version"]


def ngram_fit_seconds(repeats):
    from scratchgen.datasets import load_stories
    from scratchgen.text import NGramModel
    text = load_stories(rng=0).text("train")
    out = {}
    for order in (3, 5, 7):
        for smoothing in ("kneser-ney", "add-k"):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                NGramModel(order, smoothing).fit(text)
                times.append(time.perf_counter() - start)
            out[(order, smoothing)] = statistics.median(times)
    return len(text), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (default: 1)")
    parser.add_argument("--torch-python", default=None,
                        help=f"a Python with PyTorch (default: {_DEFAULT_TORCH} if it exists)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from scratchgen import set_num_threads
    set_num_threads(args.threads)
    if args.worker:
        return torch_worker(args.steps, args.repeats, args.threads)
    python = args.torch_python or (_DEFAULT_TORCH if os.path.exists(_DEFAULT_TORCH) else None)
    ours, theirs, version = [], [], None
    for _ in range(2):
        ours.append(scratchgen_rate(args.steps, args.repeats))
        if python:
            rate, version = torch_rate(python, args.steps, args.repeats, args.threads)
            if rate is not None:
                theirs.append(rate)
    print(f"CharMLP step (context {CONTEXT}, embedding {EMBEDDING}, hidden {HIDDEN}, batch {BATCH}, "
          f"float32, Adam), {args.threads} thread(s); median of {args.repeats} x {args.steps} steps, "
          f"two rounds")
    print(f"{'version':<22}{'characters/s':>14}")
    print(f"{'scratchgen':<22}{statistics.median(ours):>14,.0f}   rounds: "
          + ", ".join(f"{r:,.0f}" for r in ours))
    if theirs:
        print(f"{'PyTorch ' + version:<22}{statistics.median(theirs):>14,.0f}   rounds: "
              + ", ".join(f"{r:,.0f}" for r in theirs))
        print(f"ratio scratchgen / PyTorch: {statistics.median(ours) / statistics.median(theirs):.2f} "
              f"(> 1: scratchgen is faster)")
    else:
        print("(no PyTorch: give --torch-python PATH to a Python with torch installed)")
    n, seconds = ngram_fit_seconds(max(1, args.repeats // 2))
    print(f"\nn-gram fit on the training split ({n:,} characters), median seconds:")
    for (order, smoothing), s in seconds.items():
        print(f"  order {order} {smoothing:<11} {s:6.2f} s")


if __name__ == "__main__":
    sys.exit(main())
