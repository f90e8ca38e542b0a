"""``SemiSupervisedGAN``: Salimans et al. 2016, "Improved techniques for training GANs", sec. 5.

A K-class classifier becomes the discriminator. Its network returns K logits
l_1(x) .. l_K(x); a (K+1)-th class "fake" gets the logit l_{K+1} = 0 (the
softmax is invariant to adding a constant to every logit, so fixing one at 0
loses nothing, sec. 5 of the paper). With Z(x) = sum_k exp l_k(x):

    p(y = k | x)      = exp l_k(x) / (Z(x) + 1),    k = 1..K
    p(y = fake | x)   = 1 / (Z(x) + 1)
    D(x) = 1 - p(fake | x) = Z / (Z + 1) = sigmoid(logsumexp_k l_k(x))

so logsumexp_k l_k(x) is the ordinary GAN's "real" logit. The discriminator
minimises L = L_supervised + w L_unsupervised:

    L_supervised   = -E_{(x, y) labelled} log p(y | x, y < K+1)
                   = E[logsumexp_k l_k(x) - l_y(x)]   (cross-entropy over the K classes)
    L_unsupervised = -E_{x unlabelled} log D(x) - E_z log(1 - D(G(z)))
                   = E_x softplus(-lse(x)) + E_z softplus(lse(G(z)))

(the paper's eq. with w = 1). The generator uses *feature matching* (sec.
3.1): with f(x) the activations of an intermediate layer of D,

    L_G = mean_j (E_x f(x)_j - E_z f(G(z))_j)^2

(the paper writes ||.||_2^2; the authors' code averages over the features,
as here, which keeps the scale independent of the layer's width).

Data: ``train(data, ...)`` takes the *unlabelled* images as ``data`` (the
loops of ``GAN`` draw the minibatches from it); the labelled images and
their labels are given to the constructor, and each discriminator step
draws m of them with the GAN's rng. Classify with ``predict``.
Only the losses are overridden (``discriminator_loss``, ``generator_loss``);
the loops are ``GAN``'s.
"""
import numbers

import numpy as np

from scratchgen import autodiff, kernels
from scratchgen.autodiff import functional as AF
from scratchgen.gan import losses
from scratchgen.gan.gan import GAN
from scratchgen.nn.loss_functions import cross_entropy
from scratchgen.nn.layers import GaussianNoise
from scratchgen.serialization import rng_from_state, rng_state
from scratchgen.validation import as_generator

__all__ = ["SemiSupervisedGAN", "semi_supervised_discriminator_loss", "feature_matching_loss",
           "balanced_labelled_subset", "check_label_budget", "build_semi_supervised_gan"]


def semi_supervised_discriminator_loss(labelled_logits, labels, unlabelled_logits, fake_logits,
                                       unsupervised_weight=1.0):
    """The K+1-class discriminator loss, from the K logits (the fake class's logit is 0).

    labelled_logits: (n_l, K) for labelled images with integer ``labels`` (n_l,);
    unlabelled_logits: (n_u, K); fake_logits: (n_f, K) for generated images.
    Returns (loss, supervised, unsupervised), scalar Tensors:

        supervised   = mean_i [logsumexp_k l_k(x_i) - l_{y_i}(x_i)]
        unsupervised = -mean log D(x_u) - mean log(1 - D(G(z))),  D = sigmoid(logsumexp_k l_k)
        loss         = supervised + unsupervised_weight * unsupervised

    Helpers: ``cross_entropy(logits, labels)`` (mean over rows);
    ``logits.logsumexp(axis=1)``; ``losses.value_from_logits(real, fake)`` = mean log D(real)
    + mean log(1 - D(fake)) from the real/fake logits.
    """
    # BEGIN SOLUTION task=gan.semi_supervised_loss
    supervised = cross_entropy(labelled_logits, labels)
    real = unlabelled_logits.logsumexp(axis=1)
    fake = fake_logits.logsumexp(axis=1)
    unsupervised = -losses.value_from_logits(real, fake)
    # END SOLUTION
    return supervised + unsupervised * unsupervised_weight, supervised, unsupervised


def feature_matching_loss(real_features, fake_features):
    """mean_j (mean_i f(x_i)_j - mean_i f(G(z_i))_j)^2 (Salimans et al. 2016, sec. 3.1).

    real_features: (n, h) array or Tensor; fake_features: (m, h) Tensor. A scalar Tensor.
    """
    if real_features.shape[1:] != fake_features.shape[1:]:
        raise ValueError(f"feature_matching_loss: real features {real_features.shape} and fake "
                         f"features {fake_features.shape} must have the same width")
    diff = real_features.mean(axis=0) - fake_features.mean(axis=0)
    return (diff * diff).mean()


class SemiSupervisedGAN(GAN):
    """A GAN whose discriminator is a K-class classifier (Salimans et al. 2016, sec. 5).

    Parameters (besides ``GAN``'s; ``loss`` and ``k`` keep their meaning for D's steps)
    ----------
    discriminator     : a Sequential/MLP, images (m, d) -> K logits (m, K)
    labelled          : (X_l (n_l, d), y_l (n_l,) integers in [0, K)), the labelled images
    feature_layer     : index into D's layers whose output f is matched by G
                        (default -2: the activation before the last Linear layer)
    unsupervised_weight : w in L = L_supervised + w L_unsupervised (default 1, the paper's)

    ``train(X_unlabelled, n_steps)`` then ``predict(X)`` (argmax of the K logits, D in eval mode).
    History adds nothing: "loss_d" is L, "d_real" / "d_fake" are mean D on unlabelled / fake.
    """

    def __init__(self, generator, discriminator, latent_dim, labelled, feature_layer=-2,
                 unsupervised_weight=1.0, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        X_l, y_l = labelled
        X_l, y_l = np.asarray(X_l, dtype=self.dtype), np.asarray(y_l)
        if y_l.dtype.kind not in "iu" or y_l.shape != (len(X_l),) or len(X_l) == 0:
            raise ValueError(f"SemiSupervisedGAN: labelled must be (X (n, d), y (n,) integer labels) "
                             f"with n >= 1, got X {X_l.shape} and y {y_l.shape} of dtype {y_l.dtype}")
        self.labelled_X, self.labelled_y = X_l, y_l.astype(np.int64)
        layers = list(discriminator)
        if isinstance(feature_layer, bool) or not isinstance(feature_layer, numbers.Integral) \
                or not -len(layers) <= feature_layer < len(layers) - 1:
            raise ValueError(f"SemiSupervisedGAN: feature_layer must index one of D's "
                             f"{len(layers)} layers before the last, got {feature_layer!r}")
        self.feature_layer = int(feature_layer) % len(layers)
        self.unsupervised_weight = float(unsupervised_weight)
        self._last_real = None

    def hidden_features(self, x):
        """f(x): the output of D's layers 0..feature_layer (with the graph)."""
        h = self._as_input(x)
        for module in list(self.discriminator)[:self.feature_layer + 1]:
            h = module(h)
        return h

    def discriminator_loss(self, x_real, z):
        """L = supervised + w unsupervised on m labelled, the m unlabelled x_real and m G(z)."""
        with autodiff.no_grad():
            fake = self.generator(self._as_input(z))
        self._last_real = x_real  # feature matching compares G's features with this batch's
        idx = self.rng.integers(0, len(self.labelled_X), size=len(x_real))
        # one pass of D over the three batches (its layers act row by row, so this is
        # the same as three passes, and a third of the Python overhead)
        batches = [self._as_input(self.labelled_X[idx]), self._as_input(x_real), fake]
        logits = self.discriminate(AF.concatenate(batches, axis=0))
        n_l, n_u = len(idx), len(x_real)
        labelled_logits, real_logits, fake_logits = (
            logits[:n_l], logits[n_l:n_l + n_u], logits[n_l + n_u:])
        loss, supervised, unsupervised = semi_supervised_discriminator_loss(
            labelled_logits, self.labelled_y[idx], real_logits, fake_logits, self.unsupervised_weight)
        # D(x) = sigmoid(logsumexp_k l_k(x)): the "real" logit of the K+1-class model
        d_real, d_fake = (kernels.sigmoid(kernels.logsumexp_rows(logits.data))
                          for logits in (real_logits, fake_logits))
        stats = {"d_real": float(np.mean(d_real)), "d_fake": float(np.mean(d_fake)),
                 "value": -unsupervised.item(), "supervised": supervised.item()}
        return loss, stats

    def generator_loss(self, z):
        """Feature matching against the last discriminator step's unlabelled minibatch."""
        if self._last_real is None:
            raise RuntimeError("SemiSupervisedGAN: the generator step needs a discriminator step first")
        with autodiff.no_grad():
            real = self.hidden_features(self._last_real)
        return feature_matching_loss(real, self.hidden_features(self.generator(self._as_input(z))))

    def _noise_layers(self):
        return [m for m in self.discriminator if isinstance(m, GaussianNoise)]

    def state_dict(self):
        """``GAN.state_dict`` plus the noise layers' rng states (an exact resume)."""
        state = super().state_dict()
        state["noise_rngs"] = {str(i): rng_state(m.rng) for i, m in enumerate(self._noise_layers())}
        return state

    def load_state_dict(self, state):
        super().load_state_dict(state)
        for i, m in enumerate(self._noise_layers()):
            if str(i) in state.get("noise_rngs", {}):
                m.rng = rng_from_state(state["noise_rngs"][str(i)])
        return self

    def predict(self, X, batch_size=1000):
        """Class predictions argmax_k l_k(x) (n,) with D in eval mode (no noise)."""
        X = np.asarray(X, dtype=self.dtype)
        was_training = getattr(self.discriminator, "training", False)
        self.discriminator.eval()
        try:
            with autodiff.no_grad():
                out = [self.discriminator(autodiff.tensor(X[i:i + batch_size])).numpy().argmax(axis=1)
                       for i in range(0, len(X), batch_size)]
        finally:
            self.discriminator.train(was_training)
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def score(self, X, y):
        """Accuracy of ``predict(X)`` against the labels y."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


def check_label_budget(n_labels, y, n_classes=10):
    """n_labels // n_classes, the images per class of a balanced labelled draw from labels y.

    Raises a one-line ValueError when n_labels is not a positive multiple of
    n_classes, or asks more images of a class than y has (the command line
    puts ``--labels`` in front of the message).
    """
    y = np.asarray(y)
    if isinstance(n_labels, bool) or not isinstance(n_labels, (int, np.integer)) or n_labels <= 0 \
            or n_labels % n_classes:
        raise ValueError(f"labels: expected a positive multiple of {n_classes} (a balanced draw "
                         f"over the {n_classes} classes), got {n_labels!r}")
    per_class = int(n_labels) // n_classes
    smallest = int(np.bincount(y, minlength=n_classes).min())
    if per_class > smallest:
        raise ValueError(f"labels: {n_labels} needs {per_class} images per class, but the smallest "
                         f"class of the {len(y)} training images has {smallest}: at most "
                         f"{n_classes * smallest}")
    return per_class


def balanced_labelled_subset(y, n_labels, rng=None, n_classes=10):
    """Indices of n_labels images, n_labels / n_classes of each class, drawn without replacement."""
    y = np.asarray(y)
    per_class = check_label_budget(n_labels, y, n_classes)
    rng = as_generator(rng)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                           for c in range(n_classes)])


def build_semi_supervised_gan(recipe, X, y, rng=None, make_opt=None):
    """A ``SemiSupervisedGAN`` from a recipe ("mnist_semi_supervised" in ``gan.recipes``).

    X, y: the training split; ``recipe["labels"]`` images of it (balanced, drawn
    with ``default_rng(recipe["label_seed"])``) keep their labels. Returns
    ``(gan, X_unlabelled)``: the other images, what ``gan.train`` takes.
    D: GaussianNoise(input_noise), then per hidden width Linear, ReLU,
    GaussianNoise(hidden_noise), then Linear(.., 10); G: MLP with a sigmoid output.
    make_opt(module, lr): the optimizer (default Adam(lr, betas)).
    """
    from scratchgen import nn, optim
    rng = as_generator(rng)
    if make_opt is None:
        def make_opt(module, lr):
            return optim.Adam(module.parameters(), lr=lr, betas=tuple(recipe["betas"]))
    X = np.asarray(X)
    idx = balanced_labelled_subset(y, recipe["labels"], recipe.get("label_seed", 0))
    rest = np.setdiff1d(np.arange(len(X)), idx)
    weight_norm = recipe.get("weight_norm", False)

    def dense(fan_in, fan_out, train_scale=True):
        if weight_norm:
            return nn.WeightNormLinear(fan_in, fan_out, train_scale=train_scale, rng=rng)
        return nn.Linear(fan_in, fan_out, rng=rng)
    layers = [GaussianNoise(recipe["input_noise"], rng=rng)]
    width = recipe["data_dim"]
    for h in recipe["discriminator_hidden"]:
        # the authors' hidden layers keep the length g of the data-dependent init;
        # recipe["train_hidden_scale"] trains it (torch.nn.utils.weight_norm's default)
        layers += [dense(width, h, train_scale=recipe.get("train_hidden_scale", False)), nn.ReLU(),
                   GaussianNoise(recipe["hidden_noise"], rng=rng)]
        width = h
    layers.append(dense(width, recipe["n_classes"]))
    D = nn.Sequential(*layers)
    if weight_norm:  # on the first images without labels, as the authors' code (500 of them)
        nn.data_dependent_init(D, X[rest[:recipe.get("init_batch", 500)]])
    G = _generator(recipe, dense, rng)
    gan = SemiSupervisedGAN(G, D, recipe["latent_dim"], labelled=(X[idx], np.asarray(y)[idx]),
                            feature_layer=recipe.get("feature_layer", -2),
                            unsupervised_weight=recipe.get("unsupervised_weight", 1.0),
                            noise=recipe.get("noise", "uniform"), batch_size=recipe["batch_size"],
                            opt_g=make_opt(G, recipe["lr"]), opt_d=make_opt(D, recipe["lr"]), rng=rng)
    return gan, X[rest]


def _generator(recipe, dense, rng):
    """G: per hidden width Linear, [BatchNorm1d], activation; then ``dense`` to data_dim, output activation."""
    from scratchgen import nn
    from scratchgen.nn.activations import make_activation
    layers, width = [], recipe["latent_dim"]
    for h in recipe["generator_hidden"]:
        layers.append(nn.Linear(width, h, rng=rng))
        if recipe.get("generator_batch_norm", False):
            layers.append(nn.BatchNorm1d(h))
        layers.append(make_activation(recipe["activation"]))
        width = h
    layers.append(dense(width, recipe["data_dim"]))
    if recipe.get("output_activation") is not None:
        layers.append(make_activation(recipe["output_activation"]))
    return nn.Sequential(*layers)
