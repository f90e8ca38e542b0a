"""Training jobs for ``scratchgen train autoencoder`` and ``scratchgen train vae``.

One step = one Adam update on the next minibatch of ``batch_size`` rows of
shuffled epochs over the training split: ``latent.training.MinibatchTrainer``,
the loop behind ``Autoencoder.fit`` and ``VAE.fit``, on the model's own
``training_loss``. So ``--steps`` = epochs x ceil(n_train / batch_size)
trains exactly as ``fit(X_train, epochs, batch_size, lr, rng)`` with the
same seed. The run's Generator draws the weights, the epochs' orders and
the VAE's reparameterisation noise; the state to resume is the model and
the trainer's (optimizer, Generator, position in the epoch).
"""
import time

import numpy as np

from scratchgen.commands import common
from scratchgen.commands.errors import UsageError

__all__ = ["LatentJob", "add_options", "config_from_args", "HELP", "EXAMPLES", "load_data", "DEFAULTS"]

HELP = {"autoencoder": "an MLP autoencoder (reconstruction loss), with a Gaussian prior fitted "
                       "to its codes to sample",
        "vae": "a variational autoencoder (ELBO), evaluated by the IWAE log-likelihood"}
EXAMPLES = {
    "autoencoder": """\
examples:
  scratchgen train autoencoder                         digits, 2-D codes, BCE loss
  scratchgen train autoencoder --latent-dim 8 --hidden 128 --steps 4000
  scratchgen train autoencoder --dataset moons --loss mse --latent-dim 1
""",
    "vae": """\
examples:
  scratchgen train vae                                 digits, 2-D latent, Bernoulli decoder
  scratchgen train vae --latent-dim 8 --steps 5000 --lr 2e-3
  scratchgen train vae --dataset ring --likelihood gaussian
""",
}
DATASETS = ("digits",) + common.TOY_DATASETS
DEFAULTS = {"steps": 2000, "batch_size": 64}
_QUICK = {"steps": 20, "batch_size": 32, "hidden": (16,)}


def add_options(p, model):
    p.add_argument("--dataset", default="digits", metavar="NAME",
                   help=f"training data: {', '.join(DATASETS)} (default: digits)")
    p.add_argument("--latent-dim", type=common.positive_int, default=2, help="code size (default: 2)")
    p.add_argument("--hidden", type=common.int_list, default=None, metavar="SIZES",
                   help="hidden layer sizes of the encoder, mirrored in the decoder (default: 64)")
    p.add_argument("--lr", type=common.positive_float, default=2e-3, help="Adam learning rate (default: 2e-3)")
    if model == "autoencoder":
        p.add_argument("--loss", choices=("bce", "mse"), default=None,
                       help="reconstruction loss (default: bce for digits, mse for 2-D sets)")
    else:
        p.add_argument("--likelihood", choices=("bernoulli", "gaussian"), default=None,
                       help="decoder p(x|z) (default: bernoulli for digits, gaussian for 2-D sets)")
        p.add_argument("--iwae-k", type=common.positive_int, default=None, metavar="K",
                       help="importance samples of the IWAE log-likelihood (default: 50)")


def config_from_args(args):
    if args.dataset not in DATASETS:
        raise UsageError(f"--dataset {args.dataset!r}: unknown data set, expected one of {', '.join(DATASETS)}")
    digits = args.dataset == "digits"
    config = {"dataset": args.dataset, "latent_dim": args.latent_dim, "hidden": list(args.hidden or (64,)),
              "lr": args.lr, "steps": args.steps or DEFAULTS["steps"],
              "batch_size": args.batch_size or DEFAULTS["batch_size"]}
    if args.quick:
        config.update(steps=args.steps or _QUICK["steps"], batch_size=args.batch_size or _QUICK["batch_size"],
                      hidden=list(args.hidden or _QUICK["hidden"]))   # --quick keeps a given --hidden
    if args.model == "autoencoder":
        config["loss"] = args.loss or ("bce" if digits else "mse")
        if config["loss"] == "bce" and not digits:
            raise UsageError(f"--loss bce needs data in [0, 1] (digits); {args.dataset} is real-valued, use --loss mse")
    else:
        config["likelihood"] = args.likelihood or ("bernoulli" if digits else "gaussian")
        if config["likelihood"] == "bernoulli" and not digits:
            raise UsageError(f"--likelihood bernoulli needs data in [0, 1] (digits); {args.dataset} "
                             "is real-valued, use --likelihood gaussian")
        config["iwae_k"] = args.iwae_k or (5 if args.quick else 50)   # --quick does not override a given K
    return config


def load_data(dataset, seed, quick=False):
    """(X_train, X_test, y_test) as float64; the split depends only on the seed."""
    from scratchgen.datasets import load_digits, train_test_split
    rng = np.random.default_rng([seed, 1])  # data stream apart from the training stream
    if dataset == "digits":
        d = load_digits()
        X, y = d.data, d.target
    else:
        X, y = common.toy_dataset(dataset, 400 if quick else 2000, rng), None
    X_train, X_test, *ys = train_test_split(X, y, test_size=0.2, rng=int(rng.integers(2**31)))
    y_test = ys[1] if ys else None
    if quick:
        X_train, X_test = X_train[:200], X_test[:100]
        y_test = None if y_test is None else y_test[:100]
    return X_train, X_test, y_test


class LatentJob:
    """An Autoencoder or a VAE, its Adam optimizer, data and Generator."""

    def __init__(self, config):
        from scratchgen.latent import VAE, Autoencoder
        from scratchgen.latent.training import MinibatchTrainer
        self.config, self.kind = config, config["model"]
        self.X_train, self.X_test, self.y_test = load_data(config["dataset"], config["seed"], config["quick"])
        rng = np.random.default_rng(config["seed"])
        d, hidden = self.X_train.shape[1], tuple(config["hidden"])
        if self.kind == "autoencoder":
            self.model = Autoencoder.mlp(d, config["latent_dim"], hidden, loss=config["loss"], rng=rng)
        else:
            self.model = VAE.mlp(d, config["latent_dim"], hidden, likelihood=config["likelihood"], rng=rng)
        self.trainer = MinibatchTrainer(self.model, self.model.training_loss, self.X_train,
                                        batch_size=config["batch_size"], lr=config["lr"], rng=rng)

    # ------------------------------------------------------------- training
    def step(self):
        value, _ = self.trainer.step()
        if not np.isfinite(value):
            raise FloatingPointError(f"training diverged (loss {value}); lower --lr (got {self.config['lr']})")
        return {"loss": value}

    def after_step(self, step):
        pass

    def state_dict(self):
        return {"model": self.model.state_dict(), "trainer": self.trainer.state_dict()}

    def load_state_dict(self, state):
        self.model.load_state_dict(state["model"])
        # Checkpoints of earlier versions (batches drawn with replacement) hold the optimizer
        # and the Generator only: they resume at the start of a new epoch.
        self.trainer.load_state_dict(state.get("trainer") or {"optimizer": state["optimizer"],
                                                              "rng": state["rng"]})

    def parameters(self):
        """The model's parameters as a dict of arrays (for comparisons)."""
        return self.model.state_dict()

    # ----------------------------------------------------------- evaluation
    def evaluate(self):
        """Test metrics; uses its own Generator, never the training one."""
        start = time.perf_counter()
        self.model.eval()
        rng = np.random.default_rng([self.config["seed"], 2])
        X = self.X_test
        recon = self.model.reconstruct(X)
        out = {"test_reconstruction_mse": float(np.mean((recon - X) ** 2))}
        if self.kind == "autoencoder":
            out["test_loss"] = float(self.model.reconstruction_loss(X).item())
            self.model.fit_prior("gaussian", X=self.X_train)
        else:
            from scratchgen.autodiff import no_grad
            with no_grad():
                out["test_elbo"] = float(self.model.elbo(X, rng=rng).numpy().mean())
            out["test_iwae_log_likelihood"] = float(
                self.model.log_likelihood(X, k=self.config["iwae_k"], rng=rng).mean())
            out["iwae_k"] = self.config["iwae_k"]
        out["eval_seconds"] = time.perf_counter() - start
        return out

    def describe(self, s):
        text = f"{self.kind} on {self.config['dataset']}: test reconstruction MSE {s['test_reconstruction_mse']:.4f}"
        if self.kind == "vae":
            text += (f", ELBO {s['test_elbo']:.2f} nats, IWAE log-likelihood "
                     f"{s['test_iwae_log_likelihood']:.2f} nats (K={s['iwae_k']})")
        return text

    def figures(self, run_dir, metrics):
        from scratchgen import viz
        if metrics:
            viz.loss_curves({"training loss": [m["loss"] for m in metrics]}, steps=[m["step"] for m in metrics],
                            smooth=max(1, len(metrics) // 50), path=run_dir.file("loss.png"))
        rng = np.random.default_rng([self.config["seed"], 3])
        if self.kind == "autoencoder" and self.model.prior_ is None:
            self.model.fit_prior("gaussian", X=self.X_train)
        samples = self.model.sample(32, rng=rng)
        codes = self.model.encode(self.X_test)
        if codes.shape[1] >= 2:
            viz.latent_scatter(codes[:, :2], self.y_test, title=f"{self.kind} codes of test data",
                               path=run_dir.file("latent.png"))
        if self.X_test.shape[1] == 64:
            n = min(16, len(self.X_test))
            pairs = np.concatenate([self.X_test[:n], self.model.reconstruct(self.X_test[:n])])
            viz.image_grid(pairs, 2, n, title="test digits (top) and reconstructions",
                           path=run_dir.file("reconstructions.png"))
            viz.image_grid(samples, 4, 8, title=f"{self.kind} samples", path=run_dir.file("samples.png"))
        elif self.X_test.shape[1] == 2:
            viz.scatter_samples(self.X_test, self.model.sample(len(self.X_test), rng=rng),
                                path=run_dir.file("samples.png"))
