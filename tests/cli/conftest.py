"""Helpers for the command-line tests: run ``scratchgen.cli.main`` in-process."""
import pytest

from scratchgen.cli import main


class Result:
    def __init__(self, status, out, err):
        self.status, self.out, self.err = status, out, err


@pytest.fixture
def cli(capsys):
    """cli("fit", "ring", ...) -> Result(status, stdout, stderr)."""
    def run(*argv):
        status = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)
    return run

