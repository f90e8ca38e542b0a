"""Memory a command will need, estimated from its config before anything is allocated.

Sizes such as ``--n 100000000000000``, ``--dim 100000000`` or ``--batch-size
1000000000`` are valid numbers, only too big for the machine: NumPy would raise
a MemoryError deep inside (a traceback), or, worse, the allocation succeeds
lazily and the kernel's OOM killer ends the process minutes later. Each
``check_*`` below adds up the arrays the command creates (an upper-end
estimate: the arrays, their gradients, Adam's two moments and a few
temporaries) and refuses in one line, through
``scratchgen.validation.check_memory``, what does not fit in the memory
available now. The factors are deliberately generous: refusing a run that
would have fitted in 60% of memory is better than a run killed at 99%.

Every command calls its check on the config it is about to run, so that
``--resume`` and ``evaluate`` (configs read from config.json) are checked too.
"""
from scratchgen.validation import check_memory

__all__ = ["check_fit", "check_sample", "check_train", "mlp_bytes"]

_FLOAT64 = 8


def mlp_bytes(sizes, batch, itemsize=4):
    """An MLP with layer widths ``sizes`` trained on minibatches of ``batch`` rows.

    Weights and biases with their gradient and two Adam moments (4 copies),
    plus about 6 arrays of (batch, width) per layer (activations, their
    gradients, temporaries of the fused kernels).
    """
    params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return itemsize * (4 * params + 6 * batch * sum(sizes))


def check_fit(config, n_features=2):
    """``scratchgen fit``: the points of a built-in set, EM's responsibilities (n, K).

    (A data file is in memory once read; --n only sizes the built-in sets.)
    """
    from scratchgen.commands.common import TOY_DATASETS
    if config["data"] not in TOY_DATASETS:
        return
    n, k = int(config["n"]), int(config.get("components") or 25)
    need = _FLOAT64 * n * (12 * n_features + 6 * k)
    check_memory(need, f"--n {n}", "use a smaller --n")


def check_sample(config):
    """``scratchgen sample``: the stored draws (steps, chains, dim) and the target's arrays."""
    steps, tune = int(config["steps"]), int(config.get("tune") or 0)
    chains, dim = int(config["chains"]), int(config.get("dim") or 2)   # None: the target's own (2-D)
    draws = _FLOAT64 * (steps + tune) * chains * (dim + 2)            # draws, log p, acceptance
    per_step = _FLOAT64 * chains * dim * 40                           # proposals, temporaries, 8 ring modes
    target = _FLOAT64 * dim * dim * 4 if config.get("target") == "gaussian" else 0   # covariance, Cholesky
    check_memory(draws + per_step + target,
                 f"sampling {chains} chains x {steps + tune} steps in {dim} dimensions",
                 "use fewer --chains, --steps or --dim")


def check_train(config):
    """``scratchgen train``: the networks (weights, gradients, Adam moments), a minibatch, the evaluation."""
    if config["model"] not in ("gan", "autoencoder", "vae"):
        return   # other models (e.g. text's charmlp) size themselves
    if config["model"] == "gan":
        r = config["recipe"]
        d, latent, batch = int(r["data_dim"]), int(r["latent_dim"]), int(r["batch_size"])
        pack = int(r.get("pack") or 1)
        generator = [latent, *map(int, r["generator_hidden"]), d]
        discriminator = [d * pack, *map(int, r["discriminator_hidden"]), 1]
        need = (mlp_bytes(generator, max(batch * pack, 2500))
                + mlp_bytes(discriminator, batch) + 2 * 4 * batch * pack * (d + latent))
        what = (f"a GAN with --latent-dim {latent}, --hidden {','.join(map(str, generator[1:-1]))}, "
                f"--batch-size {batch}")
    else:
        d = 2 if config["dataset"] != "digits" else 64
        latent, batch = int(config["latent_dim"]), int(config["batch_size"])
        hidden = [int(h) for h in config["hidden"]]
        code = 2 * latent if config["model"] == "vae" else latent    # a VAE's encoder gives mean and log-variance
        k = int(config.get("iwae_k") or 1)
        # The evaluation passes the test split (<= 400 rows) at once, k importance samples each.
        evaluation = _FLOAT64 * 400 * k * (d + latent + sum(hidden)) * 2
        need = (mlp_bytes([d, *hidden, code], batch) + mlp_bytes([latent, *hidden[::-1], d], batch)
                + evaluation + 4 * batch * d)
        what = (f"{'an' if config['model'] == 'autoencoder' else 'a'} {config['model']} with --latent-dim {latent}, --hidden "
                f"{','.join(map(str, hidden))}, --batch-size {batch}" + (f", --iwae-k {k}" if k > 1 else ""))
    check_memory(need, what, "use smaller sizes")
