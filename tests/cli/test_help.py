"""Every command has --help with examples; `python -m scratchgen` works end to end."""
import subprocess
import sys

import pytest

COMMANDS = [[], ["demo"], ["fit"], ["sample"], ["train"], ["train", "autoencoder"], ["train", "vae"],
            ["train", "gan"], ["evaluate"], ["bench"], ["assignment"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "scratchgen")
def test_help_has_examples(cli, command):
    r = cli(*command, "--help")
    assert r.status == 0
    assert "usage: scratchgen" in r.out
    assert "examples:" in r.out
    assert r.err == ""


def test_common_options_on_every_command(cli):
    for command in (["demo"], ["fit"], ["sample"], ["train", "vae"], ["train", "gan"], ["evaluate"], ["bench"]):
        text = cli(*command, "--help").out
        for option in ("--seed", "--out", "--quiet"):
            assert option in text, f"{' '.join(command)} --help lacks {option}"


def test_python_dash_m_help_and_error_exit_status(tmp_path):
    # Two real subprocesses: the module entry point, and a user error end to end.
    ok = subprocess.run([sys.executable, "-m", "scratchgen", "--help"], capture_output=True, text=True,
                        cwd=tmp_path, timeout=120)
    assert ok.returncode == 0 and "scratchgen demo" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "scratchgen", "fit", "missing.csv", "--out", "run"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("scratchgen: error:")
    assert "missing.csv" in bad.stderr and "Traceback" not in bad.stderr
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_only_on_a_terminal_without_quiet(monkeypatch):
    import argparse
    import sys

    from scratchgen.commands.common import show_progress
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not show_progress(argparse.Namespace(quiet=False))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert show_progress(argparse.Namespace(quiet=False))
    assert not show_progress(argparse.Namespace(quiet=True))
