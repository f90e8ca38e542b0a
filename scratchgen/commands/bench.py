"""``scratchgen bench``: (being written)."""
from scratchgen.commands import common
from scratchgen.commands.errors import UsageError

__all__ = ["add_parser", "run"]


def add_parser(sub):
    p = sub.add_parser("bench", help="(being written)", formatter_class=common.formatter)
    common.add_common_options(p)
    p.set_defaults(run=run)
    return p


def run(args):
    raise UsageError("'bench' is not implemented yet")
