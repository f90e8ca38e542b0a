"""Text in the existing commands: ``fit stories --model ngram``, ``train charmlp``, ``sample RUN_DIR``.

    scratchgen fit stories --model ngram --order 5       closed-form MLE, Kneser-Ney or add-k
    scratchgen train charmlp --steps 3000                Bengio et al. (2003), resumable
    scratchgen sample runs/train-charmlp-... --prompt "Once upon a time" --chars 300

The data is ``stories`` (``scratchgen.datasets.load_stories``, split by
story) or a UTF-8 text file, split at line breaks into its first 80% (train),
next 10% (validation) and last 10% (test) of characters. Every number comes
from ``scratchgen.text``; this module only reads options, data and run folders.
"""
import os
import time

import numpy as np

from scratchgen.commands import common
from scratchgen.commands.errors import UsageError

__all__ = ["load_text", "add_fit_options", "run_fit", "HELP", "EXAMPLES", "DEFAULTS", "add_options",
           "config_from_args", "CharMLPJob", "add_sample_options", "is_text_run", "run_sample"]

_QUICK_CHARS = (20000, 3000, 3000)   # --quick: the first characters of each part


# --------------------------------------------------------------------------- data
def _read_text_file(path):
    if not os.path.isfile(path):
        raise UsageError(f"{path!r} is neither a built-in text ('stories') nor a file")
    with open(path, "rb") as f:
        raw = f.read()
    if b"\x00" in raw:
        raise UsageError(f"{path}: looks like a binary file (it holds NUL bytes); expected UTF-8 text")
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    if not text.strip():
        raise UsageError(f"{path}: the file is empty; expected text to fit")
    return text


def _split_file_text(text, path):
    lines = text.split("\n")
    ends = np.cumsum([len(line) + 1 for line in lines])
    cut1, cut2 = (int(np.searchsorted(ends, share * len(text))) + 1 for share in (0.8, 0.9))
    parts = ["\n".join(lines[a:b]) for a, b in ((0, cut1), (cut1, cut2), (cut2, len(lines)))]
    if not all(p.strip() for p in parts):
        raise UsageError(f"{path}: too short to split into train / validation / test by lines "
                         f"({len(lines)} lines); give at least 10 lines of text")
    return parts


def load_text(source, seed=0, quick=False):
    """(train, validation, test) texts of ``source``: 'stories' or a text file path."""
    if source == "stories":
        from scratchgen.datasets import load_stories
        split = load_stories(rng=seed)
        parts = [split.text(p) for p in ("train", "validation", "test")]
    else:
        parts = _split_file_text(_read_text_file(source), source)
    if quick:
        parts = [p[:n] for p, n in zip(parts, _QUICK_CHARS)]
    return parts


def _summary_of(model, parts, prompt, seed):
    train, validation, test = parts
    sample = model.sample(200, prompt=prompt if not model.vocabulary_.unknown_characters(prompt) else "",
                          rng=seed)
    return {"vocabulary_size": len(model.vocabulary_), "train_chars": len(train),
            "validation_chars": len(validation), "test_chars": len(test),
            "train_bits_per_char": model.bits_per_char(train[:200000]),
            "validation_bits_per_char": model.bits_per_char(validation),
            "test_bits_per_char": model.bits_per_char(test), "sample": sample}


# ---------------------------------------------------------------------- fit ngram
def add_fit_options(p):
    """The n-gram options of ``scratchgen fit`` (with --model ngram)."""
    p.add_argument("--order", type=common.positive_int, default=5, metavar="N",
                   help="n-gram order, --model ngram (default: 5)")
    p.add_argument("--smoothing", choices=("best", "kneser-ney", "add-k"), default="best",
                   help="--model ngram: Kneser-Ney, add-k, or the best of both on the "
                        "validation text (default: best)")
    p.add_argument("--k", type=float, default=None,
                   help="add-k's pseudo-count (default: the best of 1, 0.1, 0.01, 0.001 on validation)")


def run_fit(args):
    """``scratchgen fit DATA --model ngram``: fit, score the three parts, save, sample."""
    from scratchgen.commands.runs import RunFolder, default_run_name, save
    from scratchgen.text import NGramModel, Vocabulary, best_smoothing
    if args.k is not None and not (np.isfinite(args.k) and args.k >= 0):
        raise UsageError(f"--k must be a number >= 0, got {args.k}")
    parts = load_text(args.data, args.seed, args.quick)
    config = {"command": "fit", "data": args.data, "model": "ngram", "order": args.order,
              "smoothing": args.smoothing, "k": args.k, "seed": args.seed, "quick": args.quick}
    start = time.perf_counter()
    vocab = Vocabulary.fit(parts[0])
    candidates = {}
    if args.smoothing == "kneser-ney" or (args.smoothing == "add-k" and args.k is not None):
        model = NGramModel(args.order, args.smoothing, k=args.k or 0.0, vocabulary=vocab).fit(parts[0])
    else:
        smoothings = ("kneser-ney", "add-k") if args.smoothing == "best" else ("add-k",)
        ks = {"ks": (args.k,)} if args.k is not None else {}
        model, candidates = best_smoothing(args.order, parts[0], parts[1], vocabulary=vocab,
                                           smoothings=smoothings, **ks)
    seconds = time.perf_counter() - start
    summary = _summary_of(model, parts, "Once upon a time", args.seed)
    summary.update(model=repr(model), k=model.k if model.smoothing == "add-k" else None,
                   validation_bits_by_smoothing=candidates, fit_seconds=seconds)
    with RunFolder.new(args.out or default_run_name("fit")) as run_dir:
        run_dir.write_json("config.json", config)
        save({"model": model.state_dict(), "config": config}, run_dir.file("checkpoint.npz"))
        run_dir.write_json("summary.json", summary)
    if not args.quiet:
        print(f"{summary['model']}: bits per character train {summary['train_bits_per_char']:.3f}, "
              f"validation {summary['validation_bits_per_char']:.3f}, test {summary['test_bits_per_char']:.3f}")
        print(f"sample: {summary['sample']!r}")
    print(run_dir.final)
    return 0


# ------------------------------------------------------------------ train charmlp
HELP = {"charmlp": "a character-level neural language model (Bengio et al. 2003) on short stories "
                   "or a text file"}
EXAMPLES = {"charmlp": """\
examples:
  scratchgen train charmlp                              stories, context 16, two ReLU layers of 512
  scratchgen train charmlp --steps 6000 --out runs/c    ... later:
  scratchgen train charmlp --resume runs/c --steps 9000
  scratchgen train charmlp --data mybook.txt --context 8 --hidden 256
  scratchgen sample runs/c --prompt "Once upon a time" --chars 300
"""}
DEFAULTS = {"steps": 3000, "batch_size": 256}
_QUICK = {"steps": 20, "batch_size": 32, "context": 4, "embedding_dim": 4, "hidden": (16,)}


def add_options(p, model):
    p.add_argument("--data", default="stories", metavar="TEXT",
                   help="'stories' (built in, split by story) or a UTF-8 text file (default: stories)")
    p.add_argument("--context", type=common.positive_int, default=16,
                   help="characters of context (default: 16)")
    p.add_argument("--embedding-dim", type=common.positive_int, default=16,
                   help="size of each character's vector (default: 16)")
    p.add_argument("--hidden", type=common.int_list, default=(512, 512), metavar="SIZES",
                   help="hidden ReLU layer sizes (default: 512,512)")
    p.add_argument("--lr", type=common.positive_float, default=1e-3, help="Adam learning rate (default: 1e-3)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="Adam's L2 weight decay (default: 0)")
    p.add_argument("--dropout", type=float, default=0.0, help="dropout after each hidden layer (default: 0)")


def config_from_args(args):
    for name in ("weight_decay", "dropout"):
        value = getattr(args, name)
        if not (np.isfinite(value) and 0 <= value < 1):
            raise UsageError(f"--{name.replace('_', '-')} must be in [0, 1), got {value}")
    quick = _QUICK if args.quick else {}
    return {"data": args.data, "context": quick.get("context", args.context),
            "embedding_dim": quick.get("embedding_dim", args.embedding_dim),
            "hidden": list(quick.get("hidden", args.hidden)), "lr": args.lr,
            "weight_decay": args.weight_decay, "dropout": args.dropout,
            "steps": args.steps or quick.get("steps", DEFAULTS["steps"]),
            "batch_size": args.batch_size or quick.get("batch_size", DEFAULTS["batch_size"])}


class CharMLPJob:
    """A ``CharMLP``, its data and its step, for the step loop of ``scratchgen train``.

    Validation bits per character are measured at every checkpoint (on
    20,000 evenly spaced validation characters) and logged with the loss.
    """

    kind = "charmlp"

    def __init__(self, config):
        from scratchgen.text import CharMLP
        self.config = config
        self.parts = load_text(config["data"], config["seed"], config["quick"])
        self.model = CharMLP(config["context"], config["embedding_dim"], tuple(config["hidden"]),
                             dropout=config["dropout"], rng=config["seed"])
        self.data = self.model.training_data(self.parts[0], self.parts[1], lr=config["lr"],
                                             weight_decay=config["weight_decay"])
        self.losses, self.start = [], time.perf_counter()

    def step(self):
        value = self.model.train_step(self.data, self.config["batch_size"])
        self.losses.append(value)
        return {"nll_bits": value / np.log(2.0)}

    def after_step(self, step):
        if step % self.config["checkpoint_every"] == 0 or step == self.config["steps"]:
            seconds = (self.model.history_["seconds"][-1] if self.model.history_["seconds"] else 0.0)
            self.model.record(self.data, float(np.mean(self.losses or [np.nan])),
                              seconds + time.perf_counter() - self.start)
            self.losses, self.start = [], time.perf_counter()

    def state_dict(self):
        return self.model.state_dict()

    def load_state_dict(self, state):
        from scratchgen.text import CharMLP
        self.model = CharMLP.from_state_dict(state)
        # the network and vocabulary are the checkpoint's: rebuild the windows against them
        self.data = self.model.training_data(self.parts[0], self.parts[1])

    def evaluate(self):
        start = time.perf_counter()
        self.model.use_best_weights()
        out = _summary_of(self.model, self.parts, "Once upon a time", self.config["seed"])
        out.update(best_step=self.model.best_step_, parameters=self.model.network_.num_parameters(),
                   eval_seconds=time.perf_counter() - start)
        return out

    def describe(self, s):
        return (f"CharMLP (best validation at step {s['best_step']}): bits per character train "
                f"{s['train_bits_per_char']:.3f}, validation {s['validation_bits_per_char']:.3f}, "
                f"test {s['test_bits_per_char']:.3f}\nsample: {s['sample']!r}")

    def figures(self, run_dir, metrics):
        from scratchgen import viz
        h = self.model.history_
        if h["step"]:
            fig = viz.new_figure((6, 4))
            ax = fig.add_subplot()
            ax.plot(h["step"], np.array(h["train_nll"]) / np.log(2), label="training (running mean)")
            ax.plot(h["step"], h["validation_bpc"], label="validation")
            ax.set_xlabel("step")
            ax.set_ylabel("bits per character")
            ax.legend()
            viz.save_figure(fig, run_dir.file("bits_per_char.png"))


# ------------------------------------------------------------------------ sample
def add_sample_options(p):
    """The text options of ``scratchgen sample`` (TARGET = a text run folder)."""
    p.add_argument("--prompt", default="", help="text run: the text to continue (default: none)")
    p.add_argument("--chars", type=common.positive_int, default=300,
                   help="text run: characters to generate (default: 300)")
    p.add_argument("--temperature", type=common.positive_float, default=1.0,
                   help="text run: sampling temperature, <1 safer, >1 wilder (default: 1)")


def is_text_run(target):
    """True when ``target`` is a run folder of ``fit --model ngram`` or ``train charmlp``."""
    return os.path.isdir(target) and os.path.exists(os.path.join(target, "checkpoint.npz")) and \
        _run_kind(target) is not None


def _run_kind(folder):
    from scratchgen.commands.runs import read_json
    try:
        config = read_json(os.path.join(folder, "config.json"))
    except (OSError, ValueError):
        return None
    if config.get("command") == "fit" and config.get("model") == "ngram":
        return "ngram"
    if config.get("command") == "train" and config.get("model") == "charmlp":
        return "charmlp"
    return None


def load_text_model(folder):
    """The language model saved in a text run folder (CharMLP: its best weights)."""
    from scratchgen.serialization import load
    from scratchgen.text import CharMLP, NGramModel
    state = load(os.path.join(folder, "checkpoint.npz"))
    if _run_kind(folder) == "ngram":
        return NGramModel.from_state_dict(state["model"])
    return CharMLP.from_state_dict(state["job"]).use_best_weights()


def run_sample(args):
    """``scratchgen sample RUN_DIR --prompt ...``: print generated text (no run folder)."""
    model = load_text_model(args.target)
    unknown = model.vocabulary_.unknown_characters(args.prompt)
    if unknown:
        raise UsageError(f"--prompt has characters outside the model's vocabulary: {''.join(unknown)!r}")
    print(model.sample(args.chars, prompt=args.prompt, temperature=args.temperature, rng=args.seed))
    return 0
