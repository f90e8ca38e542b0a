"""Training job for ``scratchgen train gan``.

The settings come from the library's documented default recipe for the data
set (``scratchgen.gan.recipes.default_recipe``); options given on the
command line override single fields. The job is a loop over the library's
calls, the same as ``recipes.train_recipe`` makes: ``recipes.build_gan``
(per-player learning rates), ``recipes.recipe_data``, and per step
``recipes.set_learning_rates`` (the drops of ``recipes.lr_at``) then
``GAN.iteration(data)``, one iteration of Algorithm 1 (k discriminator
steps, one generator step). So a run's numbers equal the library's for the
same seed. The GAN's ``state_dict`` holds both networks, both optimizers,
its Generator and its counters, so a checkpoint resumes exactly.

Metrics (``evaluate``): ``recipes.score_samples`` -- on the Gaussian
mixtures (ring, grid) the PacGAN mode metrics of 2,500 samples (modes
captured, share of high-quality samples, reverse KL to uniform over the
modes); on digits the classes the shipped pretrained classifier
(``nn.pretrained``) reads in the samples, with their reverse KL, and the
Parzen-window log-likelihood of the held-out test digits of the fixed split
(bandwidth chosen on a third of them), as ``benchmarks/digits_gan.py`` does;
on MNIST all of ``gan.image_metrics`` (also the Frechet distance, precision
and recall in the MNIST classifier's features), as ``benchmarks/mnist_gan.py``.
"""
import time

import numpy as np

from scratchgen import datasets
from scratchgen.commands import common
from scratchgen.commands.errors import UsageError
from scratchgen.gan import recipes
from scratchgen.gan.gan import UPDATES
from scratchgen.gan.stacked_mnist import N_COUNTED

__all__ = ["GanJob", "add_options", "ring_steps", "config_from_args", "HELP", "EXAMPLES", "recipe_for",
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
  scratchgen train gan --dataset mnist                 WGAN-GP on the 8,000 MNIST training images
  scratchgen train gan --dataset mnist --variant semi-supervised --labels 100
                                                       Salimans et al. 2016: a classifier from 100 labels
  scratchgen train gan --dataset stacked-mnist         WGAN-GP on stacks of 3 MNIST digits (1000 modes)
  scratchgen train gan --update simultaneous          both players' gradients at the same point

summary.json holds, for ring and grid: modes_captured, n_modes,
high_quality_fraction, reverse_kl, seconds; for digits and stacked-digits:
classes_covered, n_classes, reverse_kl, parzen_log_likelihood, seconds; for
mnist also frechet (in the MNIST classifier's features), precision, recall;
for stacked-mnist: classes_covered (modes of 1000, counted on 10,000 samples),
n_classes, reverse_kl; for --variant semi-supervised: accuracy (on the 2,000 held-out images).
"""}
DATASETS = ("ring", "grid", "digits", "stacked-digits", "mnist", "stacked-mnist")
VARIANTS = ("gan", "pacgan", "unrolled", "wgan-gp", "semi-supervised")


def add_options(p, model):
    p.add_argument("--dataset", default="ring", metavar="NAME",
                   help=f"training data: {', '.join(DATASETS)} (default: ring)")
    p.add_argument("--variant", choices=VARIANTS, default=None,
                   help="GAN (Algorithm 1), PacGAN, unrolled GAN, WGAN-GP or the semi-supervised "
                        "GAN (mnist only; default: the recipe's)")
    p.add_argument("--labels", type=int, default=None, metavar="N",
                   help="semi-supervised: labelled training images, N/10 per class (default: 100)")
    p.add_argument("--latent-dim", type=common.positive_int, default=None, help="noise dimension")
    p.add_argument("--hidden", type=common.int_list, default=None, metavar="SIZES",
                   help="hidden sizes of both networks, e.g. 128,128")
    p.add_argument("--lr-g", type=common.positive_float, default=None, help="generator learning rate")
    p.add_argument("--lr-d", type=common.positive_float, default=None, help="discriminator learning rate")
    p.add_argument("--lr-decay-steps", type=common.int_list, default=None, metavar="STEPS",
                   help="steps after which both learning rates drop by the recipe's factor (default: "
                        f"the recipe's, e.g. {_ring_drops()} for ring; they do not move with --steps)")
    p.add_argument("--update", choices=UPDATES, default=None,
                   help="how D and G move each iteration (scratchgen.gan.dynamics): alternating "
                        "(Algorithm 1, the default), simultaneous (both gradients at the same "
                        "parameters), extragradient, optimistic; the last three need k = 1")


def _ring_drops():
    """The ring recipe's learning-rate drops, as --lr-decay-steps takes them (for the help)."""
    return ",".join(str(s) for s in recipes.RECIPES["ring"]["lr_decay_steps"]) or "none"


def ring_steps():
    """The ring recipe's iterations (for the help of --steps)."""
    return recipes.RECIPES["ring"]["n_steps"]


# --------------------------------------------------------------------- recipes
def recipe_for(dataset):
    """The library's default recipe for ``dataset`` (a plain dict; see scratchgen.gan.recipes)."""
    return _plain(recipes.default_recipe(dataset.replace("-", "_")))


def _plain(value):
    """Tuples as lists, so that the recipe survives config.json unchanged."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def apply_overrides(recipe, steps=None, variant=None, batch_size=None, latent_dim=None, hidden=None,
                    lr_g=None, lr_d=None, lr_decay_steps=None, update=None):
    """The recipe with command-line values in place of its own.

    steps: n_steps. The learning-rate drops stay at the recipe's steps
    (absolute, so that continuing a run with a larger --steps changes
    nothing before); give lr_decay_steps to move them.
    hidden: generator sizes; the discriminator gets them reversed.
    update: the GAN's update rule (``GAN(update=...)``).
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
    if update is not None:
        r["update"] = update
    r["lr_g"] = lr_g if lr_g is not None else r.get("lr_g", r["lr"])
    r["lr_d"] = lr_d if lr_d is not None else r.get("lr_d", r["lr"])
    return r


def config_from_args(args):
    if args.dataset not in DATASETS:
        raise UsageError(f"--dataset {args.dataset!r}: unknown data set for a GAN, expected one of "
                         f"{', '.join(DATASETS)}")
    steps, batch, hidden = args.steps, args.batch_size, args.hidden
    semi = args.variant == "semi-supervised"
    labels = getattr(args, "labels", None)
    if semi and args.dataset != "mnist":
        raise UsageError(f"--variant semi-supervised needs --dataset mnist, got {args.dataset!r}")
    if labels is not None and not semi:
        raise UsageError("--labels is for --variant semi-supervised only")
    if args.quick:
        steps, batch, hidden = steps or 30, batch or 32, hidden or (16,)
    recipe = apply_overrides(recipe_for("mnist-semi-supervised" if semi else args.dataset), steps=steps, variant=args.variant,
                             batch_size=batch, latent_dim=args.latent_dim, hidden=hidden,
                             lr_g=args.lr_g, lr_d=args.lr_d, lr_decay_steps=args.lr_decay_steps,
                             update=args.update)
    if semi and labels is not None:
        from scratchgen.gan.semi_supervised import check_label_budget
        try:  # the library's check, on the training split's labels, before anything is built
            check_label_budget(labels, recipes.recipe_labels(recipe, "train"), recipe["n_classes"])
        except ValueError as error:
            raise UsageError(f"--labels {labels}: {str(error).removeprefix('labels: ')}") from None
        recipe["labels"] = labels
    if args.quick and args.dataset == "stacked-digits":
        recipe["n_stacked"] = 500
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
        self.n_features = self.recipe["data_dim"]
        # The library's data and GAN for the recipe, with the streams of
        # train_recipe(recipe, rng=seed): the data's own [seed, 1], the GAN's seed.
        data_rng = np.random.default_rng([config["seed"], 1])
        self.data = recipes.recipe_data(self.recipe, data_rng)
        self.test = None if callable(self.data) else recipes.recipe_data(self.recipe, data_rng, split="test")
        self.gan = recipes.build_gan(self.recipe, np.random.default_rng(config["seed"]))
        self.snapshots, self.snapshot_steps = [], []
        # Fixed noise for the snapshots, from the GAN's own noise prior but a separate stream.
        self._noise = self.gan.sample_noise(500, rng=np.random.default_rng([config["seed"], 4]))

    # ------------------------------------------------------------- training
    def step(self):
        # The recipe's learning rates at this step (its drops, as in train_recipe).
        recipes.set_learning_rates(self.gan, self.recipe)
        record = self.gan.iteration(self.data)
        values = {k: record[k] for k in ("loss_d", "loss_g", "d_real", "d_fake")}
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
        start = time.perf_counter()
        n = 500 if self.config["quick"] else 2500
        if self.recipe["dataset"] == "stacked_mnist" and not self.config["quick"]:
            n = N_COUNTED  # 10 samples per mode, as benchmarks/mnist_stacked.py counts them
        self.samples = self.gan.sample(n, rng=np.random.default_rng([self.config["seed"], 2]))
        if self.recipe["variant"] == "semi_supervised":
            X_test, y_test = recipes.recipe_data(self.recipe, split="test"), recipes.recipe_labels(self.recipe, "test")
            return {"accuracy": self.gan.score(X_test, y_test), "eval_seconds": time.perf_counter() - start}
        out = recipes.score_samples(self.recipe, self.samples, test=self.test)
        out["eval_seconds"] = time.perf_counter() - start
        return out

    def describe(self, s):
        if "accuracy" in s:
            return (f"semi-supervised GAN on mnist, {self.recipe['labels']} labels: held-out accuracy "
                    f"{100 * s['accuracy']:.1f}%")
        if "modes_captured" in s:
            return (f"GAN ({self.config['variant']}) on {self.config['dataset']}: {s['modes_captured']}/"
                    f"{s['n_modes']} modes captured, {100 * s['high_quality_fraction']:.1f}% high-quality "
                    f"samples, reverse KL {s['reverse_kl']:.3f}")
        covered = "modes captured" if self.recipe["dataset"] == "stacked_mnist" else "classes covered"
        text = (f"GAN ({self.config['variant']}) on {self.config['dataset']}: {s['classes_covered']}/"
                f"{s['n_classes']} {covered}, reverse KL {s['reverse_kl']:.3f}")
        if "parzen_log_likelihood" in s:
            text += f", Parzen log-likelihood {s['parzen_log_likelihood']:.1f} nats"
        return text

    def figures(self, run_dir, metrics):
        from scratchgen import viz
        if metrics:
            viz.loss_curves({k: [m[k] for m in metrics] for k in ("step", "loss_d", "loss_g")},
                            smooth=max(1, len(metrics) // 50), path=run_dir.file("loss.png"))
        samples = getattr(self, "samples", None)
        if samples is None:
            samples = self.gan.sample(500, rng=np.random.default_rng([self.config["seed"], 2]))
        if self.n_features == 2:
            real = self.data(len(samples[:1000]), np.random.default_rng([self.config["seed"], 6]))
            viz.scatter_samples(real, samples[:1000], title=f"{self.config['variant']} samples, step {self.gan.step}", path=run_dir.file("samples.png"))
            centers, _ = recipes.mixture_modes(self.recipe)
            if self.snapshots:
                pairs = list(zip(self.snapshot_steps, self.snapshots))[-5:]
                if pairs[-1][0] != self.gan.step:
                    pairs.append((self.gan.step, self._generate(self._noise)))
                viz.ring_samples_over_training([(int(s), np.asarray(x)) for s, x in pairs], centers,
                                               ncols=len(pairs), path=run_dir.file("samples_over_training.png"))
        else:
            images, shape = samples[:32], (8, self.n_features // 8)
            if self.recipe["dataset"] == "mnist":
                shape = (28, 28)
            elif self.recipe["dataset"] == "stacked_mnist":
                images, shape = datasets.stacked_mnist_side_by_side(images), (28, 84)
            viz.image_grid(images, 4, 8, image_shape=shape, title=f"{self.config['variant']} samples, step {self.gan.step}",
                           path=run_dir.file("samples.png"))


def _one_two_five(step):
    """True for 1, 2, 5, 10, 20, 50, 100, ..."""
    while step % 10 == 0:
        step //= 10
    return step in (1, 2, 5)
