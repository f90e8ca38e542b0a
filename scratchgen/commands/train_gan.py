"""Training job for ``scratchgen train gan``.

The settings come from the library's documented default recipe for the data
set (``scratchgen.gan.recipes.default_recipe``); options given on the
command line override single fields. Each step is one iteration of
Algorithm 1 (k discriminator steps, one generator step) through
``GAN.train(data, 1)``; the GAN's ``state_dict`` holds both networks, both
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
_OVERRIDES = ("variant", "steps", "batch_size", "lr_g", "lr_d", "latent_dim", "hidden")


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


# --------------------------------------------------------------------- recipes
def _local_recipe(dataset):
    """Used only while ``scratchgen.gan.recipes`` is not available."""
    toy = {"variant": "gan", "latent_dim": 4, "hidden": [128, 128], "lr_g": 2e-3, "lr_d": 2e-3,
           "betas": [0.5, 0.999], "batch_size": 128, "loss": "nonsaturating", "k": 1}
    if dataset == "ring":
        return {**toy, "steps": 1200, "data": {"n_modes": 8, "radius": 2.0, "std": 0.05}}
    if dataset == "grid":
        return {**toy, "steps": 3000, "data": {"size": 5, "spacing": 2.0, "std": 0.05}}
    images = {"variant": "gan", "betas": [0.5, 0.999], "batch_size": 64, "loss": "nonsaturating",
              "k": 1, "lr_g": 1e-3, "lr_d": 1e-3, "data": {}}
    if dataset == "digits":
        return {**images, "latent_dim": 16, "hidden": [128, 128], "steps": 3000}
    return {**images, "latent_dim": 32, "hidden": [256, 256], "steps": 3000}


def recipe_for(dataset):
    """The default recipe of ``dataset`` as a plain dict (library's, else the local one)."""
    try:
        from scratchgen.gan.recipes import default_recipe
    except ImportError:
        return _local_recipe(dataset)
    recipe = default_recipe(dataset)
    return dict(recipe) if isinstance(recipe, dict) else _local_recipe(dataset)


def config_from_args(args):
    if args.dataset not in DATASETS:
        raise UsageError(f"--dataset {args.dataset!r}: unknown data set for a GAN, expected one of "
                         f"{', '.join(DATASETS)}")
    config = {"dataset": args.dataset, "recipe": recipe_for(args.dataset)}
    for key in _OVERRIDES:
        value = getattr(args, key, None)
        config[key] = list(value) if isinstance(value, tuple) else value
        if config[key] is None:
            config[key] = config["recipe"][key]
    if args.quick:
        config.update(steps=args.steps or 30, batch_size=args.batch_size or 32,
                      hidden=list(args.hidden or (16,)))
    return config


# ------------------------------------------------------------------ the job
class GanJob:
    """A GAN built from a config, its data, and the evaluation tools."""

    kind = "gan"

    def __init__(self, config):
        self.config = config
        self.recipe = config["recipe"]
        self._data(config)
        self.gan = self._build(np.random.default_rng(config["seed"]))
        self.snapshots, self.snapshot_steps = [], []
        self._noise = np.random.default_rng([config["seed"], 4]).standard_normal(
            (500, config["latent_dim"])).astype(self.gan.dtype)

    def _data(self, config):
        from scratchgen import datasets as ds
        d, rng = config["dataset"], np.random.default_rng([config["seed"], 1])
        p = self.recipe.get("data", {})
        if d == "ring":
            self.centers, self.std = ds.ring_centers(p["n_modes"], p["radius"]), p["std"]
            self.data = lambda m, r: ds.ring(m, p["n_modes"], p["radius"], p["std"], rng=r)
        elif d == "grid":
            self.centers, self.std = ds.grid_centers(p["size"], p["spacing"]), p["std"]
            self.data = lambda m, r: ds.grid(m, p["size"], p["spacing"], p["std"], rng=r)
        else:
            digits = ds.load_digits()
            X, y = digits.data, digits.target
            X_train, X_test, y_train, y_test = ds.train_test_split(X, y, test_size=0.2, seed=int(rng.integers(2**31)))
            self.digits_train = (X_train, y_train)
            if d == "digits":
                self.data, self.X_test = X_train, X_test
            else:
                self.data = ds.stacked_digits(5000 if not config["quick"] else 500, rng=rng,
                                              X=X_train, y=y_train, return_labels=False)
                self.X_test = ds.stacked_digits(500, rng=rng, X=X_test, y=y_test, return_labels=False)
            self.data = np.asarray(self.data, dtype=np.float64)
        self.n_features = 2 if d in ("ring", "grid") else self.data.shape[1]

    def _build(self, rng):
        from scratchgen import gan as G
        from scratchgen import nn, optim
        c = self.config
        variant, pack = c["variant"], 2 if c["variant"] == "pacgan" else 1
        images = c["dataset"] not in ("ring", "grid")
        gen = nn.MLP([c["latent_dim"], *c["hidden"], self.n_features], activation="relu",
                     output_activation="sigmoid" if images else None, rng=rng)
        disc = nn.MLP([self.n_features * pack, *c["hidden"][::-1], 1], activation="leaky_relu", rng=rng)
        betas = tuple(self.recipe.get("betas", (0.5, 0.999)))
        if variant == "wgan-gp":
            betas = (0.5, 0.9)
        opt_g = optim.Adam(gen.parameters(), lr=c["lr_g"], betas=betas)
        opt_d = optim.Adam(disc.parameters(), lr=c["lr_d"], betas=betas)
        common_kw = dict(batch_size=c["batch_size"], opt_g=opt_g, opt_d=opt_d, rng=rng)
        if variant == "wgan-gp":
            return G.WGANGP(gen, disc, c["latent_dim"], n_critic=self.recipe.get("n_critic", 5), **common_kw)
        kw = dict(common_kw, loss=self.recipe.get("loss", "nonsaturating"), k=self.recipe.get("k", 1))
        if variant == "pacgan":
            return G.PacGAN(gen, disc, c["latent_dim"], pack=2, **kw)
        if variant == "unrolled":
            return G.UnrolledGAN(gen, disc, c["latent_dim"], unroll_steps=self.recipe.get("unroll_steps", 5), **kw)
        return G.GAN(gen, disc, c["latent_dim"], **kw)

    # ------------------------------------------------------------- training
    def step(self):
        h = self.gan.train(self.data, 1)
        values = {k: h[k][-1] for k in ("loss_d", "loss_g", "d_real", "d_fake")}
        if not all(np.isfinite(v) for v in values.values()):
            raise FloatingPointError(f"GAN training diverged at step {self.gan.step} ({values}); "
                                     "lower --lr-g/--lr-d")
        return values

    def after_step(self, step):
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
                viz.ring_samples_over_training([(int(s), np.asarray(x)) for s, x in pairs],
                                               self.centers, path=run_dir.file("samples_over_training.png"))
        else:
            width = self.n_features // 8
            viz.image_grid(samples[:32], 4, 8, image_shape=(8, width), title="GAN samples",
                           path=run_dir.file("samples.png"))


def _one_two_five(step):
    """True for 1, 2, 5, 10, 20, 50, 100, ..."""
    while step % 10 == 0:
        step //= 10
    return step in (1, 2, 5)
