# %% [markdown]
# # Lecture 24, part 7: English short stories, p(text) by closed-form and gradient MLE
#
# The lecture's third population: short stories. A character language model
# is a density over sequences,
#
#     p_theta(x_1 ... x_n) = prod_t p_theta(x_t | x_{t-c} ... x_{t-1}),
#
# fitted, like every model of the lecture, by maximum likelihood: in closed
# form for n-gram models (counts over context counts, then smoothed), by
# gradient descent on the mean negative log-likelihood for the neural model
# of Bengio et al. (2003). The held-out likelihood is the judge, reported as
# bits per character (-log2 p / n). Then p(x_new) flags lines that do not
# look like English stories, and sampling from p_theta writes new text.
#
# Run as plain Python (`python 07_text.py`, about two minutes of CPU, mostly
# the two MLP runs); figures go to `figures/`. `SCRATCHGEN_FAST=1` runs a small
# version in seconds; `SCRATCHGEN_FIGURES_DIR=<folder>` saves the figures
# elsewhere. The MLP at three times this budget, over three seeds, is
# `examples/text_seeds.py` (about 8 minutes of CPU; results in the lecture README).

# %%
import os
import time
from pathlib import Path

import numpy as np

from scratchgen import apply_thread_policy, datasets, viz
from scratchgen.density import anomaly_scores
from scratchgen.text import (CharMLP, Interpolation, Vocabulary, best_smoothing,
                             corrupt, corruption_aurocs)
apply_thread_policy()  # SCRATCHGEN_NUM_THREADS, else 1 BLAS thread (scratchgen/threads.py)

FAST = os.environ.get("SCRATCHGEN_FAST") == "1"
FIGURES = Path(os.environ.get("SCRATCHGEN_FIGURES_DIR")
               or Path(__file__).resolve().parent / "figures")
FIGURES.mkdir(parents=True, exist_ok=True)
ORDERS = (1, 2, 3) if FAST else (1, 2, 3, 5, 7)
MLP = (dict(context=8, embedding_dim=8, hidden=(64,)) if FAST
       else dict(context=16, embedding_dim=16, hidden=(512, 512)))
MLP_STEPS = 40 if FAST else 1500       # examples/text_seeds.py trains the same MLP for 6,000
SMALL_STEPS = 40 if FAST else 1500     # the overfitting run on 50,000 characters
EVAL_EVERY = 20 if FAST else 250
N_LINES = 60 if FAST else 1000          # held-out lines for anomaly detection
PROMPT = "Once upon a time"

# %% [markdown]
# ## The data: 399 stories, split by story
#
# Aesop, Andersen, Grimm and Kipling's Jungle Book (public domain, Project
# Gutenberg). Train / validation / test hold whole stories: the held-out
# numbers are on stories no model saw. The vocabulary is the set of
# characters of the training text, plus an unknown symbol.

# %%
stories = datasets.load_stories(rng=0)
train, validation, test = (stories.text(p) for p in ("train", "validation", "test"))
if FAST:
    train, validation, test = train[:30000], validation[:5000], test[:5000]
vocab = Vocabulary.fit(train)
print(f"{len(stories.train)} / {len(stories.validation)} / {len(stories.test)} stories; "
      f"{len(train):,} / {len(validation):,} / {len(test):,} characters; {len(vocab)} symbols")

# %% [markdown]
# ## 1. n-gram models: the closed-form MLE, smoothed
#
# p(w | h) = c(h w) / c(h) gives probability 0 to every n-gram not seen in
# training, so held-out text would be impossible. Add-k adds k to every count;
# interpolated Kneser-Ney subtracts a discount from each seen count and gives
# the mass to a lower-order model built from *continuation* counts. For each
# order we keep the smoothing with the best validation likelihood.

# %%
ngrams, validation_scores = {}, {}
start = time.perf_counter()
for order in ORDERS:
    ngrams[order], validation_scores[order] = best_smoothing(order, train, validation, vocabulary=vocab)
ngram_seconds = time.perf_counter() - start
print(f"{'order':>5} {'smoothing':>16} {'train':>7} {'valid':>7} {'test':>7}   (bits per character)")
for order, model in ngrams.items():
    label = min(validation_scores[order], key=validation_scores[order].get)
    print(f"{order:>5} {label:>16} {model.bits_per_char(train[:200000]):7.3f} "
          f"{validation_scores[order][label]:7.3f} {model.bits_per_char(test):7.3f}")
print(f"({len(ORDERS) * 5} n-gram fits and validation scores in {ngram_seconds:.0f} s)")
best_order = min(ngrams, key=lambda o: min(validation_scores[o].values()))
add_k_best = {o: min(v for k, v in s.items() if k.startswith("add-k")) for o, s in validation_scores.items()}
add_k_order = min(add_k_best, key=add_k_best.get)
add_k_model, _ = best_smoothing(add_k_order, train, validation, vocabulary=vocab, smoothings="add-k")
print(f"best n-gram on validation: order {best_order}; best add-k: order {add_k_order}, "
      f"add-k (k={add_k_model.k:g}), {add_k_best[add_k_order]:.3f} bits/char on validation")

# %%
fig = viz.new_figure((5.5, 4))
ax = fig.add_subplot()
ax.plot(ORDERS, [validation_scores[o]["kneser-ney"] for o in ORDERS], "o-", label="Kneser-Ney")
ax.plot(ORDERS, [add_k_best[o] for o in ORDERS], "s-", label="add-k (best k)")
ax.plot(ORDERS, [ngrams[o].bits_per_char(train[:200000]) for o in ORDERS], "^--", color="grey",
        label="chosen model, on training text")
ax.set_xlabel("n-gram order")
ax.set_ylabel("bits per character")
ax.set_title("held-out (validation) bits per character")
ax.legend()
viz.save_figure(fig, FIGURES / "07_bits_vs_order.png")

# %% [markdown]
# The training bits keep falling with the order, the held-out bits do not:
# a 7-gram has seen most 7-grams of its training text once, and
# memorising them is what maximum likelihood does.
#
# ## 2. CharMLP: Bengio et al. (2003) at character level, by gradient MLE
#
# Each of the c previous characters is looked up in an embedding table
# C (V x d); the c vectors, concatenated, go through ReLU layers to a
# softmax over the V symbols. Adam minimises the mean NLL (cross-entropy) on
# minibatches of 256 positions; every few hundred steps the validation bits
# are measured and the best weights kept (early stopping).

# %%
mlp = CharMLP(**MLP, vocabulary=vocab, rng=0)
start = time.perf_counter()
mlp.fit(train, validation, steps=MLP_STEPS, batch_size=256, lr=1e-3, eval_every=EVAL_EVERY,
        eval_chars=20000)
mlp_seconds = time.perf_counter() - start
history = mlp.history_
print(f"CharMLP {MLP}: {mlp.network_.num_parameters():,} parameters, {MLP_STEPS} steps in "
      f"{mlp_seconds:.0f} s ({MLP_STEPS * 256 / mlp_seconds:,.0f} characters/s on this machine)")
print(f"best validation {mlp.best_validation_bpc_:.3f} bits/char at step {mlp.best_step_}")

# %%
fig = viz.new_figure((6, 4))
ax = fig.add_subplot()
ax.plot(history["step"], np.array(history["train_nll"]) / np.log(2), label="training (running mean)")
ax.plot(history["step"], history["validation_bpc"], label="validation")
ax.axhline(validation_scores[best_order]["kneser-ney"], color="grey", ls="--",
           label=f"Kneser-Ney order {best_order}, validation")
ax.axhline(min(add_k_best.values()), color="grey", ls=":", label="best add-k, validation")
ax.axvline(mlp.best_step_, color="k", lw=0.6)
ax.set_xlabel("Adam step (256 characters each)")
ax.set_ylabel("bits per character")
ax.set_ylim(top=min(4.0, max(history["validation_bpc"]) + 0.1))
ax.legend()
viz.save_figure(fig, FIGURES / "07_bits_vs_mlp_steps.png")

# %% [markdown]
# ### Where maximum likelihood starts to overfit
#
# On the million training characters the MLP above was still improving when
# the step budget ran out. With less data the turning point comes early: the
# same network on the first 50,000 training characters. The training NLL
# keeps falling; the validation bits turn up once the network starts
# memorising its small corpus; early stopping keeps the best weights.

# %%
small = train[:5000] if FAST else train[:50000]
small_mlp = CharMLP(**MLP, vocabulary=vocab, rng=0).fit(
    small, validation, steps=SMALL_STEPS, batch_size=256, lr=1e-3,
    eval_every=EVAL_EVERY, eval_chars=20000)
small_history = small_mlp.history_
print(f"CharMLP on {len(small):,} characters: best validation {small_mlp.best_validation_bpc_:.3f} "
      f"bits/char at step {small_mlp.best_step_}; at the last step {small_history['validation_bpc'][-1]:.3f} "
      f"(training running mean {small_history['train_nll'][-1] / np.log(2):.3f})")
fig = viz.new_figure((6, 4))
ax = fig.add_subplot()
ax.plot(small_history["step"], np.array(small_history["train_nll"]) / np.log(2), label="training (running mean)")
ax.plot(small_history["step"], small_history["validation_bpc"], label="validation")
ax.axvline(small_mlp.best_step_, color="k", lw=0.6, label="early stopping")
ax.set_xlabel(f"Adam step (256 characters each), {len(small):,} training characters")
ax.set_ylabel("bits per character")
ax.legend()
viz.save_figure(fig, FIGURES / "07_overfitting.png")

# %% [markdown]
# ## 3. The mixture: p = w p_MLP + (1 - w) p_n-gram
#
# The two models err differently (the n-gram model remembers exact long
# strings, the MLP generalises across similar contexts), so their average
# can beat both. w is fitted by maximum likelihood on the validation text (EM).

# %%
mixture = Interpolation(mlp, ngrams[best_order]).fit_weight(validation)
models = {f"{o}-gram": ngrams[o] for o in ORDERS}
models.update({f"{add_k_order}-gram add-k": add_k_model, "CharMLP": mlp,
               f"CharMLP + {best_order}-gram": mixture})
bits = {name: {part: model.bits_per_char(text) for part, text in
               (("train", train[:200000]), ("validation", validation), ("test", test))}
        for name, model in models.items()}
print(f"mixture weight of the MLP: {mixture.weight:.3f}")
print(f"{'model':>18} {'train':>7} {'valid':>7} {'test':>7}   (bits per character; train: "
      f"its first 200,000 characters)")
for name, row in bits.items():
    print(f"{name:>18} {row['train']:7.3f} {row['validation']:7.3f} {row['test']:7.3f}")
test_bits = {name: row["test"] for name, row in bits.items()}

# %% [markdown]
# ### How much of this is the seed, and of the budget?
#
# The MLP's initial weights and minibatches come from its seed; the n-gram
# models have none. `python examples/text_seeds.py` trains the same network
# for 6,000 steps with seeds 0, 1 and 2 and mixes each with the 7-gram: the
# spread over seeds is a few thousandths of a bit, the extra steps are worth
# much more (the lecture README has both).

# %% [markdown]
# ## 4. Sampling: text from p_theta
#
# One character at a time from p(. | the previous characters) (temperature 1:
# the model itself). A good p_theta writes text that looks like the population.

# %%
sample_models = {name: models[name] for name in ("1-gram", "2-gram", f"{ORDERS[-1]}-gram",
                                                 "CharMLP", f"CharMLP + {best_order}-gram")}
samples = {name: model.sample(200 if not FAST else 60, prompt=PROMPT, rng=0)
           for name, model in sample_models.items()}
for name, text in samples.items():
    print(f"--- {name}\n{text}\n")

# %% [markdown]
# ## 5. Anomalies: does this line look like a story?
#
# Held-out lines of the test stories (at least 30 characters) against
# copies damaged four ways. The anomaly score is -log p per character
# (`density.anomaly_scores`), the metric the AUROC (`density.roc_auc`).

# %%
lines = stories.lines("test", min_chars=30)
if FAST:
    lines = [line for line in lines if set(line) <= set(vocab.symbols)]
rng = np.random.default_rng(0)
lines = [lines[i] for i in np.sort(rng.choice(len(lines), size=min(N_LINES, len(lines)), replace=False))]
aurocs = {name: corruption_aurocs(model, lines, rng=1) for name, model in models.items()
          if "add-k" not in name}
kinds = list(next(iter(aurocs.values())))
print(f"AUROC on {len(lines)} held-out lines")
print(f"{'model':>18} " + " ".join(f"{k:>19}" for k in kinds))
for name, row in aurocs.items():
    print(f"{name:>18} " + " ".join(f"{row[k]:19.3f}" for k in kinds))

# %%
best = models[f"CharMLP + {best_order}-gram"]
fig = viz.new_figure((6.5, 4))
ax = fig.add_subplot()
real = -anomaly_scores(best, lines)
bins = np.linspace(-8, 0, 65)
ax.hist(real, bins=bins, alpha=0.6, label="held-out story lines")
for kind in ("shuffled_words", "shuffled_characters", "random_characters"):
    ax.hist(-anomaly_scores(best, corrupt(lines, kind, rng=1, alphabet=vocab.symbols.replace("\n", ""))),
            bins=bins, alpha=0.45, label=kind.replace("_", " "))
ax.set_xlabel("mean log p per character (nats), CharMLP + n-gram mixture")
ax.set_ylabel("lines")
ax.legend()
viz.save_figure(fig, FIGURES / "07_line_log_prob.png")
