"""Training job for ``scratchgen train gan``.

The settings come from the library's documented default recipe for the data
set (``scratchgen.gan.recipes.default_recipe``); options given on the
command line override single fields. Each step is one iteration of
Algorithm 1 (k discriminator steps, one generator step) through
``GAN.iteration(data)``; the GAN's ``state_dict`` holds both networks, both
optimizers, its Generator and its counters, so a checkpoint resumes exactly.

Metrics (``evaluate``): on the Gaussian mixtures (ring, grid) the PacGAN
mode metrics of 2,500 samples -- modes captured, share of high-quality
samples, reverse KL to uniform over the modes; on digits the classes a
digit classifier (softmax regression on pixels, trained here) finds in the
samples, with their reverse KL, and the Parzen-window log-likelihood of the
test digits (bandwidth chosen on a validation split).
"""
import time

import numpy as np

from scratchgen.commands import common
from scratchgen.commands.errors import UsageError

__all__ = ["GanJob", "add_options", "config_from_args", "HELP", "EXAMPLES", "recipe_for",
           "DATASETS", "VARIANTS"]

HELP = {"gan": "a GAN (Goodfellow et al. 2014, Algorithm 1) or a variant, with the default "
               "recipe of the data set"}
EXAMPLES = {"gan": """\
examples:
  scratchgen train gan                                 ring of 8 Gaussians, default recipe
  scratchgen train gan --dataset grid --variant pacgan --steps 4000
  scratchgen train gan --dataset ring --variant wgan-gp
  scratchgen train gan --dataset digits --hidden 256,256 --lr-g 5e-4 --lr-d 5e-4
  scratchgen train gan --dataset stacked-digits --variant unrolled

summary.json holds, for ring and grid: modes_captured, n_modes,
high_quality_fraction, reverse_kl, seconds; for digits and stacked-digits:
classes_covered, n_classes, reverse_kl, parzen_log_likelihood, seconds.
"""}
DATASETS = ("ring", "grid", "digits", "stacked-digits")
VARIANTS = ("gan", "pacgan", "unrolled", "wgan-gp")


def add_options(p, model):
    p.add_argument("--dataset", default="ring", metavar="NAME",
                   help=f"training data: {', '.join(DATASETS)} (default: ring)")
    p.add_argument("--variant", choices=VARIANTS, default=None,
                   help="GAN (Algorithm 1), PacGAN, unrolled GAN or WGAN-GP (default: the recipe's)")
    p.add_argument("--latent-dim", type=common.positive_int, default=None, help="noise dimension")
    p.add_argument("--hidden", type=common.int_list, default=None, metavar="SIZES",
                   help="hidden sizes of both networks, e.g. 128,128")
    p.add_argument("--lr-g", type=common.positive_float, default=None, help="generator learning rate")
    p.add_argument("--lr-d", type=common.positive_float, default=None, help="discriminator learning rate")
    p.add_argument("--lr-decay-steps", type=common.int_list, default=None, metavar="STEPS",
                   help="steps after which both learning rates drop by the recipe's factor (default: "
                        "the recipe's, e.g. 6000,8500 for ring; they do not move with --steps)")


# --------------------------------------------------------------------- recipes
# The data sets' own parameters (scratchgen.datasets defaults), which the mode metrics need.
_MIXTURES = {"ring": {"n_modes": 8, "radius": 1.0, "std": 0.01},
             "grid": {"size": 5, "spacing": 2.0, "std": 0.05}}


def _local_recipe(dataset):
    """Only used if ``scratchgen.gan.recipes`` cannot be imported (same format)."""
    images = dataset != "ring" and dataset != "grid"
    dim = {"ring": 2, "grid": 2, "digits": 64, "stacked_digits": 192}[dataset]
    return dict(dataset=dataset, data_dim=dim, variant="gan", pack=2, latent_dim=16 if images else 8,
                generator_hidden=[128, 128], discriminator_hidden=[128, 128], activation="relu",
                discriminator_activation="leaky_relu", output_activation="sigmoid" if images else None,
                loss="nonsaturating", optimizer="adam", lr=1e-3, betas=(0.5, 0.999),
                batch_size=128, k=1, n_steps=3000, lr_decay_steps=[], lr_decay=0.1)


def recipe_for(dataset):
    """The library's default recipe for ``dataset`` (a plain dict; see scratchgen.gan.recipes)."""
    name = dataset.replace("-", "_")
    try:
        from scratchgen.gan.recipes import default_recipe
    except ImportError:
        return _local_recipe(name)
    return _plain(default_recipe(name))


def _plain(value):
    """Tuples as lists, so that the recipe survives config.json unchanged."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def apply_overrides(recipe, steps=None, variant=None, batch_size=None, latent_dim=None, hidden=None,
                    lr_g=None, lr_d=None, lr_decay_steps=None):
    """The recipe with command-line values in place of its own.

    steps: n_steps. The learning-rate drops stay at the recipe's steps
    (absolute, so that continuing a run with a larger --steps changes
    nothing before); give lr_decay_steps to move them.
    hidden: generator sizes; the discriminator gets them reversed.
    """
    r = dict(recipe)
    if steps is not None:
        r["n_steps"] = steps
    if lr_decay_steps is not None:
        r["lr_decay_steps"] = sorted(lr_decay_steps)
    if variant is not None:
        r["variant"] = variant.replace("-", "_")
        if r["variant"] == "pacgan":
            r["pack"] = r.get("pack") if r.get("pack", 1) > 1 else 2
        if r["variant"] == "wgan_gp":
            r["betas"] = [0.5, 0.9]  # Gulrajani et al. 2017
    if batch_size is not None:
        r["batch_size"] = batch_size
    if latent_dim is not None:
        r["latent_dim"] = latent_dim
    if hidden is not None:
        r["generator_hidden"], r["discriminator_hidden"] = list(hidden), list(hidden)[::-1]
    r["lr_g"] = lr_g if lr_g is not None else r.get("lr_g", r["lr"])
    r["lr_d"] = lr_d if lr_d is not None else r.get("lr_d", r["lr"])
    return r


def config_from_args(args):
    if args.dataset not in DATASETS:
        raise UsageError(f"--dataset {args.dataset!r}: unknown data set for a GAN, expected one of "
                         f"{', '.join(DATASETS)}")
    steps, batch, hidden = args.steps, args.batch_size, args.hidden
    if args.quick:
        steps, batch, hidden = steps or 30, batch or 32, hidden or (16,)
    recipe = apply_overrides(recipe_for(args.dataset), steps=steps, variant=args.variant,
                             batch_size=batch, latent_dim=args.latent_dim, hidden=hidden,
                             lr_g=args.lr_g, lr_d=args.lr_d, lr_decay_steps=args.lr_decay_steps)
    return gan_config(args.dataset, recipe)


def gan_config(dataset, recipe):
    """A train-gan config: the recipe, and its main values at the top for people to read."""
    return {"dataset": dataset, "variant": recipe["variant"].replace("_", "-"), "steps": recipe["n_steps"],
            "batch_size": recipe["batch_size"], "lr_g": recipe["lr_g"], "lr_d": recipe["lr_d"],
            "latent_dim": recipe["latent_dim"], "recipe": recipe}


# ------------------------------------------------------------------ the job
class GanJob:
    """A GAN built from a config by the recipe, its data, and the evaluation tools."""

    kind = "gan"

    def __init__(self, config):
        self.config = config
        self.recipe = config["recipe"]
        self._data(config)
        self.gan = self._build(np.random.default_rng(config["seed"]))
        self.snapshots, self.snapshot_steps = [], []
        # Fixed noise for the snapshots, from the GAN's own noise prior but a separate stream.
        self._noise = self.gan.sample_noise(500, rng=np.random.default_rng([config["seed"], 4]))

    def _data(self, config):
        from scratchgen import datasets as ds
        d, rng = config["dataset"], np.random.default_rng([config["seed"], 1])
        if d in _MIXTURES:
            p = _MIXTURES[d]
            if d == "ring":
                self.centers = ds.ring_centers(p["n_modes"], p["radius"])
                self.data = lambda m, r: ds.ring(m, p["n_modes"], p["radius"], p["std"], rng=r).astype(np.float32)
            else:
                self.centers = ds.grid_centers(p["size"], p["spacing"])
                self.data = lambda m, r: ds.grid(m, p["size"], p["spacing"], p["std"], rng=r).astype(np.float32)
            self.std, self.n_features = p["std"], 2
            return
        # Digits: train on 80%, keep 20% for the test metrics (never seen in training).
        digits = ds.load_digits()
        X_train, X_test, y_train, y_test = ds.train_test_split(
            digits.data, digits.target, test_size=0.2, seed=int(rng.integers(2**31)))
        self.digits_train = (X_train, y_train)
        if d == "digits":
            data, self.X_test = X_train, X_test
        else:
            n = 500 if config["quick"] else self.recipe.get("n_stacked", 20000)
            data = ds.stacked_digits(n, rng=rng, X=X_train, y=y_train, return_labels=False)
            self.X_test = ds.stacked_digits(500, rng=rng, X=X_test, y=y_test, return_labels=False)
        self.data = np.asarray(data, dtype=np.float32)
        self.n_features = self.data.shape[1]

    def _build(self, rng):
        recipe = {**self.recipe, "data_dim": self.n_features}
        try:
            from scratchgen.gan.recipes import build_gan
        except ImportError:
            build_gan = _build_gan_locally
        gan = build_gan(recipe, rng)
        for opt, lr in ((gan.opt_g, recipe["lr_g"]), (gan.opt_d, recipe["lr_d"])):
            for group in opt.param_groups:
                group["lr"] = lr
        return gan

    # ------------------------------------------------------------- training
    def step(self):
        record = self.gan.iteration(self.data)
        values = {k: record[k] for k in ("loss_d", "loss_g", "d_real", "d_fake")}
        if not all(np.isfinite(v) for v in values.values()):
            raise FloatingPointError(f"GAN training diverged at step {self.gan.step} ({values}); "
                                     "lower --lr-g/--lr-d")
        return values

    def after_step(self, step):
        # The recipe's learning-rate drops (as scratchgen.gan.recipes.train_recipe does them);
        # the optimizers' state dicts keep the current lr, so a resumed run continues with it.
        if step in self.recipe.get("lr_decay_steps", []) and step < self.recipe["n_steps"]:
            for opt in (self.gan.opt_g, self.gan.opt_d):
                for group in opt.param_groups:
                    group["lr"] *= self.recipe["lr_decay"]
        # At steps 1, 2, 5, 10, 20, 50, ... (the same whatever the total, so that a resumed
        # run has the same snapshots), from fixed noise of its own stream: snapshots never
        # touch the training Generator.
        if self.n_features == 2 and _one_two_five(step):
            self.snapshots.append(self._generate(self._noise))
            self.snapshot_steps.append(step)

    def _generate(self, z):
        import scratchgen as sg
        with sg.no_grad():
            return self.gan.generator(sg.tensor(z)).numpy().astype(np.float64)

    def state_dict(self):
        snaps = np.array(self.snapshots) if self.snapshots else np.zeros((0, 500, self.n_features))
        return {"gan": self.gan.state_dict(), "snapshots": snaps,
                "snapshot_steps": np.array(self.snapshot_steps, dtype=np.int64)}

    def load_state_dict(self, state):
        self.gan.load_state_dict(state["gan"])
        self.snapshots = list(state.get("snapshots", []))
        self.snapshot_steps = [int(s) for s in state.get("snapshot_steps", [])]

    def parameters(self):
        return {**{f"G.{k}": v for k, v in self.gan.generator.state_dict().items()},
                **{f"D.{k}": v for k, v in self.gan.discriminator.state_dict().items()}}

    # ----------------------------------------------------------- evaluation
    def evaluate(self):
        from scratchgen.gan import class_coverage, mode_coverage, parzen_log_likelihood, select_parzen_sigma
        start = time.perf_counter()
        rng = np.random.default_rng([self.config["seed"], 2])
        n = 500 if self.config["quick"] else 2500
        samples = self.gan.sample(n, rng=rng).astype(np.float64)
        self.samples = samples
        if self.n_features == 2:
            m = mode_coverage(samples, self.centers, self.std)
            out = {"modes_captured": int(m.modes_captured), "n_modes": int(m.n_modes),
                   "high_quality_fraction": float(m.high_quality_fraction), "reverse_kl": float(m.reverse_kl)}
        else:
            n_digits = self.n_features // 64
            classify = self._digit_classifier(n_digits)
            c = class_coverage(samples, classify, 10 ** n_digits)
            half = len(self.X_test) // 2
            sigma, _ = select_parzen_sigma(samples, self.X_test[:half])
            out = {"classes_covered": int(c.classes_covered), "n_classes": int(c.n_classes),
                   "reverse_kl": float(c.reverse_kl),
                   "parzen_log_likelihood": parzen_log_likelihood(samples, self.X_test[half:], sigma),
                   "parzen_sigma": sigma}
        out["eval_seconds"] = time.perf_counter() - start
        return out

    def _digit_classifier(self, n_digits):
        from scratchgen.gan import LinearProbe
        X, y = self.digits_train
        probe = LinearProbe(10, n_steps=60 if self.config["quick"] else 300,
                            rng=np.random.default_rng([self.config["seed"], 5])).fit(X, y)

        def classify(S):
            labels = np.zeros(len(S), dtype=np.int64)
            images = S.reshape(len(S), 8, n_digits, 8)
            for j in range(n_digits):
                labels = 10 * labels + probe.predict(images[:, :, j, :].reshape(len(S), 64))
            return labels
        return classify

    def describe(self, s):
        if "modes_captured" in s:
            return (f"GAN ({self.config['variant']}) on {self.config['dataset']}: {s['modes_captured']}/"
                    f"{s['n_modes']} modes captured, {100 * s['high_quality_fraction']:.1f}% high-quality "
                    f"samples, reverse KL {s['reverse_kl']:.3f}")
        return (f"GAN ({self.config['variant']}) on {self.config['dataset']}: {s['classes_covered']}/"
                f"{s['n_classes']} classes covered, reverse KL {s['reverse_kl']:.3f}, Parzen "
                f"log-likelihood {s['parzen_log_likelihood']:.1f} nats")

    def figures(self, run_dir, metrics):
        from scratchgen import viz
        if metrics:
            viz.loss_curves({k: [m[k] for m in metrics] for k in ("loss_d", "loss_g")},
                            smooth=max(1, len(metrics) // 50), path=run_dir.file("loss.png"))
        samples = getattr(self, "samples", None)
        if samples is None:
            samples = self.gan.sample(500, rng=np.random.default_rng([self.config["seed"], 2]))
        if self.n_features == 2:
            real = self.data(len(samples[:1000]), np.random.default_rng([self.config["seed"], 6]))
            viz.scatter_samples(real, samples[:1000], title="GAN samples", path=run_dir.file("samples.png"))
            if self.snapshots:
                pairs = list(zip(self.snapshot_steps, self.snapshots))[-5:]
                if pairs[-1][0] != self.gan.step:
                    pairs.append((self.gan.step, self._generate(self._noise)))
                viz.ring_samples_over_training([(int(s), np.asarray(x)) for s, x in pairs], self.centers,
                                               ncols=len(pairs), path=run_dir.file("samples_over_training.png"))
        else:
            width = self.n_features // 8
            viz.image_grid(samples[:32], 4, 8, image_shape=(8, width), title="GAN samples",
                           path=run_dir.file("samples.png"))


def _one_two_five(step):
    """True for 1, 2, 5, 10, 20, 50, 100, ..."""
    while step % 10 == 0:
        step //= 10
    return step in (1, 2, 5)


def _build_gan_locally(recipe, rng):
    from scratchgen import gan as G
    from scratchgen import nn, optim
    pack = recipe.get("pack", 2) if recipe["variant"] == "pacgan" else 1
    gen = nn.MLP([recipe["latent_dim"], *recipe["generator_hidden"], recipe["data_dim"]],
                 activation=recipe["activation"], output_activation=recipe.get("output_activation"), rng=rng)
    disc = nn.MLP([recipe["data_dim"] * pack, *recipe["discriminator_hidden"], 1],
                  activation=recipe["discriminator_activation"], rng=rng)
    kw = dict(batch_size=recipe["batch_size"], rng=rng,
              opt_g=optim.Adam(gen.parameters(), lr=recipe["lr"], betas=tuple(recipe["betas"])),
              opt_d=optim.Adam(disc.parameters(), lr=recipe["lr"], betas=tuple(recipe["betas"])))
    if recipe["variant"] == "wgan_gp":
        return G.WGANGP(gen, disc, recipe["latent_dim"], **kw)
    kw.update(loss=recipe["loss"], k=recipe["k"])
    if recipe["variant"] == "pacgan":
        return G.PacGAN(gen, disc, recipe["latent_dim"], pack=pack, **kw)
    if recipe["variant"] == "unrolled":
        return G.UnrolledGAN(gen, disc, recipe["latent_dim"], **kw)
    return G.GAN(gen, disc, recipe["latent_dim"], **kw)
