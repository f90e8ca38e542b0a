"""Lecture 07's CharMLP at its full budget, over seeds: test bits per character and the mixture.

The lecture (``lectures/.../07_text.py``) trains the CharMLP of Bengio et
al. (2003) at character level (context 16, embedding 16, ReLU 512-512) for
2,000 Adam steps to stay within its two-minute budget; this script trains
the same network for longer (default 6,000 steps of 256 characters, lr
1e-3, validation every 250 steps on 20,000 characters, the best weights
kept) with several seeds, mixes each with the 7-gram Kneser-Ney model
(weight by EM on validation, ``text.Interpolation``) and prints, per seed
and as mean +- sd, the bits per character of both on the training
(first 200,000 characters), validation and test stories. Each seed's
6,000 steps take 2-3 minutes of CPU (one BLAS thread).

    python examples/text_seeds.py                 # seeds 0 1 2, 6,000 steps
    python examples/text_seeds.py --seeds 0 --steps 2000

The results are in the lecture README (07_text.py section).
"""
import argparse
import sys
import time

import numpy as np

from scratchgen import apply_thread_policy, datasets
from scratchgen.text import CharMLP, Interpolation, NGramModel, Vocabulary

MLP = dict(context=16, embedding_dim=16, hidden=(512, 512))


def load():
    """(train, validation, test, vocabulary): the lecture's split of the stories (rng=0)."""
    stories = datasets.load_stories(rng=0)
    train, validation, test = (stories.text(p) for p in ("train", "validation", "test"))
    return train, validation, test, Vocabulary.fit(train)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--order", type=int, default=7, help="n-gram order of the mixture (Kneser-Ney)")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps: expected a positive number, got {args.steps}")
    apply_thread_policy()
    train, validation, test, vocab = load()
    ngram = NGramModel(args.order, smoothing="kneser-ney", vocabulary=vocab).fit(train)
    parts = (("train", train[:200000]), ("validation", validation), ("test", test))
    rows = {}
    for seed in args.seeds:
        start = time.process_time()
        mlp = CharMLP(**MLP, vocabulary=vocab, rng=seed).fit(
            train, validation, steps=args.steps, batch_size=256, lr=1e-3, eval_every=250, eval_chars=20000)
        cpu = time.process_time() - start
        mixture = Interpolation(mlp, ngram).fit_weight(validation)
        rows[seed] = {"CharMLP": [mlp.bits_per_char(t) for _, t in parts],
                      f"CharMLP + {args.order}-gram": [mixture.bits_per_char(t) for _, t in parts],
                      "weight": mixture.weight, "best_step": mlp.best_step_, "cpu": cpu}
        print(f"seed {seed}: CharMLP train/validation/test "
              + " / ".join(f"{b:.3f}" for b in rows[seed]["CharMLP"])
              + f"; mixture " + " / ".join(f"{b:.3f}" for b in rows[seed][f"CharMLP + {args.order}-gram"])
              + f" (MLP weight {mixture.weight:.3f}); best step {mlp.best_step_}; {cpu:.0f} s CPU", flush=True)
    print(f"\n{args.steps} steps, seeds {args.seeds}: test bits per character")
    for name in ("CharMLP", f"CharMLP + {args.order}-gram"):
        values = np.array([row[name][2] for row in rows.values()])
        sd = f", sd {values.std(ddof=1):.3f}" if len(values) > 1 else ""
        print(f"{name:>16}: " + ", ".join(f"{v:.3f}" for v in values) + f"; mean {values.mean():.3f}{sd}")
    print("MLP weights in the mixture: " + ", ".join(f"{row['weight']:.3f}" for row in rows.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
