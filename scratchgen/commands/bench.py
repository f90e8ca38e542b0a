"""``scratchgen bench``: run the benchmark scripts of a source checkout and print their tables.

Each ``benchmarks/*.py`` script is run in its own Python process (from the
checkout's root, so it measures this checkout) and prints its table;
``bench`` shows the tables as they come and keeps each script's output in
the run folder.

A script says what it is in a top-level ``KIND = "speed"`` or ``KIND =
"study"`` (read from its source, not imported). Speed benchmarks take
seconds to minutes, print medians over ``--repeats`` with side-by-side
ratios and are what ``bench`` runs by default (``--quick`` passes
``--repeats 3``). Studies train models to a result (modes, accuracy,
log-likelihood over seeds) and take tens of minutes to hours: they run
only when named, with their own options.
"""
import ast
import subprocess
import sys
import time
from pathlib import Path

from scratchgen.commands import common
from scratchgen.commands.errors import UsageError
from scratchgen.commands.runs import RunFolder, default_run_name

__all__ = ["add_parser", "run", "find_benchmarks", "script_kind"]

_EXAMPLES = """\
examples:
  scratchgen bench                       every speed benchmark in benchmarks/
  scratchgen bench kernels mcmc          only these (names without .py)
  scratchgen bench mnist_gan             a study: runs only when named (long)
  scratchgen bench --list                the scripts, speed benchmarks first
  scratchgen bench --quick               fewer repeats (--repeats 3)

Needs a source checkout (git clone; pip install -e .): the scripts are not
part of the installed package. Writes <script>.txt (its output),
metrics.jsonl (one record per script) and summary.json into the run folder.
"""


def add_parser(sub):
    p = sub.add_parser("bench", help="run benchmarks/*.py and print their ratio tables",
                       description=__doc__.split("\n\n", 1)[1].strip(), epilog=_EXAMPLES,
                       formatter_class=common.formatter)
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="scripts to run (default: every speed benchmark)")
    p.add_argument("--list", action="store_true", help="list the scripts and exit")
    p.add_argument("--repeats", type=common.positive_int, default=None,
                   help="passed to every speed benchmark as --repeats N")
    p.add_argument("--dir", metavar="DIR", default=None,
                   help="benchmark folder (default: benchmarks/ of the checkout scratchgen runs from)")
    p.add_argument("--timeout", type=common.positive_float, default=1800.0, metavar="SECONDS",
                   help="time limit per script (default: 1800)")
    common.add_common_options(p, quick_help="--repeats 3 (a quick look, noisier medians)")
    p.set_defaults(run=run)
    return p


def find_benchmarks(directory=None):
    """The benchmark folder: ``directory`` or ``<checkout>/benchmarks``."""
    import scratchgen
    folder = Path(directory) if directory else Path(scratchgen.__file__).resolve().parent.parent / "benchmarks"
    if not folder.is_dir():
        raise UsageError(f"no benchmark folder at {folder}: 'scratchgen bench' runs the scripts of a "
                         "source checkout (git clone the repository, pip install -e ., run it there) "
                         "or give --dir DIR")
    scripts = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if not scripts:
        raise UsageError(f"{folder} has no benchmark scripts (*.py)")
    return folder, scripts


def script_kind(script):
    """"speed" or "study": the script's top-level ``KIND = ...`` ("study"
    when it has none, so that an unmarked script never runs by default)."""
    try:
        tree = ast.parse(Path(script).read_text(encoding="utf-8"), filename=str(script))
    except (OSError, SyntaxError, ValueError):
        return "study"
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "KIND"
                and isinstance(node.value, ast.Constant) and node.value.value in ("speed", "study")):
            return node.value.value
    return "study"


def run(args):
    folder, scripts = find_benchmarks(args.dir)
    kinds = {s.stem: script_kind(s) for s in scripts}
    if args.list:
        for kind in ("speed", "study"):
            for s in scripts:
                if kinds[s.stem] == kind:
                    print(f"{s.stem:28s} {kind}")
        return 0
    if args.names:
        known = {s.stem: s for s in scripts}
        unknown = [n for n in args.names if n.removesuffix(".py") not in known]
        if unknown:
            raise UsageError(f"unknown benchmark {unknown[0]!r}; available: {', '.join(known)}")
        scripts = [known[n.removesuffix(".py")] for n in args.names]
    else:
        scripts = [s for s in scripts if kinds[s.stem] == "speed"]
        if not scripts:
            raise UsageError(f"{folder} has no speed benchmarks (scripts with KIND = \"speed\"); "
                             f"name a study to run it: {', '.join(kinds)}")
    repeats = args.repeats or (3 if args.quick else None)
    config = {"command": "bench", "dir": str(folder), "scripts": [s.stem for s in scripts],
              "repeats": repeats, "seed": args.seed}
    summary, failed = {}, []
    with RunFolder.new(args.out or default_run_name("bench")) as run_dir:
        run_dir.write_json("config.json", config)
        for i, script in enumerate(scripts, start=1):
            # --repeats means "medians over N": only speed benchmarks take it
            extra = ["--repeats", str(repeats)] if repeats and kinds[script.stem] == "speed" else []
            status, seconds, output = _run_script(script, folder.parent, extra, args.timeout)
            (run_dir.file(f"{script.stem}.txt")).write_text(output, encoding="utf-8")
            run_dir.log({"step": i, "script": script.stem, "status": status, "seconds": seconds})
            summary[script.stem] = {"status": status, "seconds": seconds}
            if status != 0:
                failed.append(script.stem)
            if not args.quiet:
                print(f"=== {script.name} ({seconds:.1f} s{'' if status == 0 else f', exit status {status}'})")
                print(output.rstrip())
                print()
        run_dir.write_json("summary.json", summary)
    if failed:
        print(f"scratchgen: error: benchmark(s) failed: {', '.join(failed)} "
              f"(their output is in {run_dir.final})", file=sys.stderr)
    print(run_dir.final)
    return 1 if failed else 0


def _run_script(script, cwd, extra, timeout):
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(script), *extra], cwd=cwd, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, time.perf_counter() - start, f"timed out after {timeout:.0f} s\n"
    output = proc.stdout + (f"\n[stderr]\n{proc.stderr}" if proc.returncode and proc.stderr else "")
    return proc.returncode, time.perf_counter() - start, output
