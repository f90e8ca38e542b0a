"""The coursework tasks: a table of ids, points, hints and dependencies.

Every ``# BEGIN SOLUTION task=<id>`` region in the package has one row in
:data:`TASKS`, and every row has at least one region; the library's own test
suite checks both directions (``tests/coursework/test_real_tree.py``). To add
a task: mark the region in the code, tag its tests with
``@pytest.mark.task("<id>")`` and add one ``Task(...)`` line below.
``scratchgen assignment check`` prints the rows that are missing, ready to
paste.

``depends_on`` lists tasks whose solution this task's tests need: when a
dependency fails, the grader reports the task "blocked" instead of "failed".
``order`` breaks ties in the suggested order (a topological order of the
dependencies, smaller ``order`` first).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from scratchgen.coursework.markers import (
    TASK_ID_PATTERN,
    SolutionRegion,
    parse_regions,
    task_matches,
)

__all__ = [
    "Task",
    "TASKS",
    "PACKAGE_DIR",
    "discover_markers",
    "check_table",
    "select_tasks",
    "dependency_order",
    "dependency_closure",
    "missing_rows",
]

#: The directory of the installed ``scratchgen`` package.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Task:
    """One gradable exercise: a task id and what a teacher needs to know about it."""

    id: str
    points: int
    hint: str
    depends_on: tuple[str, ...] = ()
    order: int = 1000

    def __post_init__(self):
        if not TASK_ID_PATTERN.match(self.id):
            raise ValueError(f"Task id {self.id!r} is not of the form <module>.<name>")
        if not isinstance(self.points, int) or self.points < 0:
            raise ValueError(f"Task {self.id}: points must be a non-negative int, got {self.points!r}")
        if isinstance(self.depends_on, str):
            raise TypeError(f"Task {self.id}: depends_on must be a tuple of ids, not a string")


def _table(rows: Iterable[Task]) -> dict[str, Task]:
    table: dict[str, Task] = {}
    for row in rows:
        if row.id in table:
            raise ValueError(f"Task {row.id} appears twice in the TASKS table")
        table[row.id] = row
    return table


#: The autodiff pieces nearly every gradient test goes through. Dependencies
#: below were measured with `scratchgen assignment verify --full`: the tasks
#: whose tests fail when that task's solution is removed.
_AD = ("autodiff.topological_sort", "autodiff.backward_add", "autodiff.backward_mul", "autodiff.backward_sum")

# fmt: off
#: id -> Task. One line per task; keep it in sync with the markers in the code.
TASKS: dict[str, Task] = _table([
    # --- autodiff: reverse mode -------------------------------------------------
    Task("autodiff.topological_sort", 3, "depth-first with an explicit stack: a node goes after all its inputs; no recursion", (), 10),
    Task("autodiff.backward_add", 1, "the gradient flows unchanged to both inputs; unbroadcast it to each input's shape", ("autodiff.topological_sort",), 11),
    Task("autodiff.backward_mul", 2, "product rule: d(ab)/da = b, d(ab)/db = a; then unbroadcast", ("autodiff.topological_sort", "autodiff.backward_add"), 12),
    Task("autodiff.backward_sum", 2, "broadcast the incoming gradient back over the summed axes", ("autodiff.topological_sort", "autodiff.backward_add"), 13),
    Task("autodiff.backward_relu", 1, "the gradient passes where the input was positive, 0 elsewhere", ("autodiff.topological_sort", "autodiff.backward_add"), 14),
    Task("autodiff.backward_matmul", 3, "dA = G @ B^T and dB = A^T @ G; mind 1-D operands and batch broadcasting", ("autodiff.topological_sort", "autodiff.backward_add"), 15),
    Task("autodiff.backward_getitem", 2, "scatter-add the gradient into zeros of the input's shape (np.add.at: repeated indices add up)", ("autodiff.topological_sort", "autodiff.backward_add"), 16),
    # --- kernels: the NumPy twins -----------------------------------------------
    Task("kernels.bias_act_backward", 2, "write act'(z) through y for each activation; grad_b sums over rows", (), 30),
    Task("kernels.bce_with_logits", 2, "max(l, 0) - l t + log1p(exp(-|l|)): exp never sees a positive argument", (), 31),
    Task("kernels.sgd_update", 2, "follow the docstring line by line; update momentum_buffer and param in place", (), 32),
    Task("kernels.adam_update", 3, "update exp_avg, exp_avg_sq (and max_exp_avg_sq) and param in place; bias corrections use step", (), 33),
    # --- nn: layers and losses --------------------------------------------------
    Task("nn.linear_forward", 2, "y = act(x W^T + b) with W of shape (out_features, in_features)", (), 40),
    Task("nn.linear_backward", 3, "grad_pre = grad * act'(z); dx = grad_pre W, dW = grad_pre^T x, db = sum of grad_pre over rows",
         ("nn.linear_forward",) + _AD + ("autodiff.backward_matmul",), 41),
    Task("nn.cross_entropy", 2, "log-sum-exp of the shifted logits minus the logit of the true class; keep softmax for backward",
         _AD, 42),
    Task("nn.batchnorm_forward", 2, "normalise with the batch mean and biased variance; update the running stats with the unbiased one",
         _AD, 43),
    # --- optim -------------------------------------------------------------------
    Task("optim.sgd_step", 2, "per parameter: keep the momentum buffer in self.state and call the in-place update",
         ("kernels.sgd_update",) + _AD, 50),
    Task("optim.adam_step", 2, "per parameter: lazily create step, exp_avg, exp_avg_sq in self.state, then the in-place update",
         ("kernels.adam_update",) + _AD, 51),
    # --- density: maximum likelihood --------------------------------------------
    Task("density.gaussian_log_prob", 3, "with the precision Cholesky P: log N(x) = -d/2 log 2pi + log|det P| - |(x - mu)^T P|^2 / 2",
         _AD + ("autodiff.backward_matmul", "autodiff.backward_getitem"), 60),
    Task("density.mixture_log_prob", 2, "logsumexp over components of log_softmax(logits) + component log-densities",
         ("density.gaussian_log_prob",) + _AD + ("autodiff.backward_matmul", "autodiff.backward_getitem"), 61),
    Task("density.nll", 1, "the mean negative log-likelihood of the data",
         ("density.gaussian_log_prob", "density.mixture_log_prob", "density.em_step") + _AD + ("autodiff.backward_matmul", "autodiff.backward_getitem"), 62),
    Task("density.em_step", 3, "M-step: N_k = sum of responsibilities; weights, means and covariances as responsibility-weighted averages", (), 59),
    Task("density.standard_errors", 2, "invert the observed information (Hessian of the NLL); standard errors are sqrt of its diagonal",
         _AD + ("autodiff.backward_getitem",), 64),
    # --- mcmc ---------------------------------------------------------------------
    Task("mcmc.acceptance_step", 3, "accept when log u < log p(x') - log p(x) + log q(x | x') - log q(x' | x)",
         ("mcmc.ess",), 74),
    Task("mcmc.mala_step", 3, "Langevin proposal x + h^2/2 grad log p + h noise; the Hastings correction needs q in both directions",
         ("mcmc.ess",) + _AD + ("autodiff.backward_matmul",), 75),
    Task("mcmc.rhat", 2, "split chains, rank-normalise; bulk R-hat on z, tail R-hat on |x - median|; report the larger", (), 70),
    Task("mcmc.ess", 3, "autocorrelations summed in pairs with Geyer's initial positive, then initial monotone sequence", (), 71),
    # --- latent: PCA, autoencoders, VAE ----------------------------------------
    Task("latent.pca_fit", 2, "centre the data, SVD; components are the top right-singular vectors, variances S^2 / (n - 1)", (), 80),
    Task("latent.reparameterize", 1, "z = mean + exp(log_var / 2) * eps",
         _AD, 81),
    Task("latent.kl_gaussian", 2, "KL(N(m, s^2) || N(0, 1)) = 1/2 sum (m^2 + s^2 - 1 - log s^2)",
         _AD, 82),
    Task("latent.elbo", 2, "E_q[log p(x | z)] with one reparameterised z, minus the KL to the prior",
         ("latent.reparameterize", "latent.kl_gaussian") + _AD + ("autodiff.backward_getitem",), 83),
    Task("latent.iwae", 2, "log (1/k) sum_i w_i computed as logsumexp(log w) - log k",
         ("latent.elbo", "latent.reparameterize", "latent.kl_gaussian") + _AD + ("autodiff.backward_getitem",), 84),
    # --- gan: Goodfellow et al. 2014, Algorithm 1 --------------------------------
    Task("gan.value_function", 2, "V(D, G) = E log D(x) + E log(1 - D(G(z))), from logits",
         _AD, 90),
    Task("gan.discriminator_step", 2, "sample m noise vectors, the discriminator loss on real and fake, zero_grad, backward, step",
         ("gan.value_function",) + _AD, 91),
    Task("gan.nonsaturating_loss", 1, "-log D(G(z)) = softplus(-logit), averaged",
         _AD, 92),
    Task("gan.generator_step", 2, "sample noise, the generator loss, zero_grad, backward, step (only the generator's optimizer)",
         ("gan.value_function", "gan.discriminator_step", "gan.nonsaturating_loss") + _AD, 93),
    Task("gan.gradient_penalty", 3, "the critic's gradient at the interpolates with create_graph=True; penalise (||grad|| - 1)^2",
         _AD + ("autodiff.backward_matmul",), 94),
    Task("gan.unrolled_generator_loss", 3, "take k differentiable discriminator steps (create_graph=True), then the generator loss against them",
         ("gan.nonsaturating_loss",) + _AD + ("autodiff.backward_matmul",), 95),
    Task("gan.mode_coverage", 2, "nearest mode per sample in units of its std; high quality below the threshold; count modes hit", (), 96),
    Task("gan.parzen", 2, "log mean of Gaussian kernels: logsumexp of -|x - s|^2 / 2 sigma^2 minus the normaliser", (), 97),
    Task("gan.frechet_distance", 2, "||mu_a - mu_b||^2 + Tr S_a + Tr S_b - 2 Tr (S_a S_b)^(1/2), the root's trace from the eigenvalues of S_a^(1/2) S_b S_a^(1/2)", (), 98),
    Task("gan.precision_recall", 2, "k-NN radius of every point in its own set; the share of the other set inside some ball, both ways", (), 99),
    Task("gan.simultaneous_step", 1, "both players' gradients at the same point first, then both move (the lecture's formula)",
         ("gan.nonsaturating_loss",) + _AD, 98),
    Task("gan.alternating_step", 1, "k steps of the maximiser, then the minimiser's gradient at the maximiser's new point",
         _AD, 98),
    Task("gan.extragradient_step", 2, "snapshot both players, take a simultaneous look-ahead step, take the gradients there, restore, move with them",
         _AD + ("gan.simultaneous_step",), 99),
    Task("gan.semi_supervised_loss", 2, "cross-entropy over the K classes on labelled images; logsumexp of the K logits is the real logit (the fake logit is 0): -V from those",
         ("nn.cross_entropy",) + _AD, 99),
    # --- text: character language models -------------------------------------------
    Task("text.ngram_counts", 2, "the distinct rows of the windows as integer keys and how often each occurs (np.unique)", (), 110),
    Task("text.add_k", 2, "(c(h w) + k) / (c(h) + k V); an unseen context with k = 0 gets 1 / V", ("text.ngram_counts",), 111),
    Task("text.char_mlp_nll", 2, "log-softmax of the logits, pick the log-probability of each target, mean, negate",
         _AD + ("autodiff.backward_getitem", "autodiff.backward_matmul"), 113),
    Task("text.temperature_sampling", 1, "divide log p by T, subtract the max, exponentiate, renormalise", ("text.ngram_counts",), 112),
    # --- datasets -------------------------------------------------------------------
    Task("datasets.read_idx", 2, "magic number (0, 0, type code, ndim), big-endian dimensions, then the raw bytes", (), 100),
])
# fmt: on


def discover_markers(package_dir: str | os.PathLike | None = None) -> dict[str, list[SolutionRegion]]:
    """Scan every ``*.py`` under ``package_dir`` (default: scratchgen) for solution regions.

    Returns task id -> regions (a task may have several regions, e.g. in a
    forward and a backward). Region filenames are relative to the parent of
    ``package_dir``. Raises :class:`MarkerError` on a malformed marker.
    """
    root = Path(package_dir) if package_dir is not None else PACKAGE_DIR
    if not root.is_dir():
        raise ValueError(f"package_dir: {str(root)!r} is not a directory")
    found: dict[str, list[SolutionRegion]] = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "SOLUTION" not in source:
            continue
        name = path.relative_to(root.parent).as_posix()
        for region in parse_regions(source, name):
            found.setdefault(region.task, []).append(region)
    return found


def dependency_closure(task_id: str, table: Mapping[str, Task] | None = None) -> set[str]:
    """Every task that ``task_id`` depends on, directly or through other tasks of ``table`` (default: TASKS).

    An id that is not in ``table`` ends its chain (it is still in the result).
    """
    table = TASKS if table is None else table
    seen: set[str] = set()
    stack = list(table[task_id].depends_on) if task_id in table else []
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(table[dep].depends_on if dep in table else ())
    seen.discard(task_id)
    return seen


def dependency_order(tasks: Iterable[Task], table: Mapping[str, Task] | None = None) -> list[Task]:
    """The tasks in an order where each comes after its dependencies (Kahn's algorithm).

    A task goes after every one of ``tasks`` that it depends on, directly or
    through tasks that are not in ``tasks`` (looked up in ``table``, default
    TASKS; the ``tasks`` themselves take precedence). Ties are broken by
    ``order`` then id. Raises ``ValueError`` on a cycle.
    """
    pending = {t.id: t for t in tasks}
    lookup = {**(TASKS if table is None else table), **pending}
    needs = {i: dependency_closure(i, lookup) & set(pending) for i in pending}
    done: list[Task] = []
    placed: set[str] = set()
    while pending:
        ready = [t for t in pending.values() if needs[t.id] <= placed]
        if not ready:
            raise ValueError(f"TASKS: dependency cycle among {sorted(pending)}")
        nxt = min(ready, key=lambda t: (t.order, t.id))
        done.append(nxt)
        placed.add(nxt.id)
        del pending[nxt.id]
    return done


def check_table(
    found: Mapping[str, list[SolutionRegion]],
    table: Mapping[str, Task] | None = None,
) -> list[str]:
    """Problems between the markers ``found`` and the ``table`` (empty list: in sync)."""
    table = TASKS if table is None else table
    problems = []
    for task_id in sorted(set(found) - set(table)):
        where = ", ".join(r.location for r in found[task_id])
        problems.append(f"task {task_id} is marked at {where} but has no row in TASKS")
    for task_id in sorted(set(table) - set(found)):
        problems.append(f"task {task_id} is in TASKS but no BEGIN SOLUTION region has it")
    for task in table.values():
        for dep in task.depends_on:
            if dep not in table:
                problems.append(f"task {task.id} depends on {dep}, which is not in TASKS")
    try:
        dependency_order(table.values(), table)
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def missing_rows(found: Mapping[str, list[SolutionRegion]], table: Mapping[str, Task] | None = None) -> str:
    """``Task(...)`` lines for the marked tasks that have no row yet, ready to paste."""
    table = TASKS if table is None else table
    rows = []
    for task_id in sorted(set(found) - set(table)):
        hint = next((r.hint for r in found[task_id] if r.hint), "TODO: one-line hint")
        rows.append(f"    Task({task_id!r}, 2, {hint!r}, (), 1000),")
    return "\n".join(rows)


def select_tasks(patterns: Iterable[str], table: Mapping[str, Task] | None = None) -> list[Task]:
    """The tasks whose id equals or glob-matches one of ``patterns``, in dependency order.

    ``ValueError`` names a pattern that matches no task.
    """
    table = TASKS if table is None else table
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns)
    if not patterns:
        raise ValueError("tasks: give at least one task id or pattern (e.g. 'autodiff.*' or '*')")
    for pattern in patterns:
        if not any(task_matches(t, [pattern]) for t in table):
            known = sorted(table)
            listing = ", ".join(known[:8]) + (f", ... ({len(known)} in all)" if len(known) > 8 else "")
            raise ValueError(
                f"tasks: {pattern!r} matches no task (known: {listing or 'none'}; "
                "`scratchgen assignment list` shows them all)"
            )
    return dependency_order((t for t in table.values() if task_matches(t.id, patterns)), table)

