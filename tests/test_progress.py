"""The one progress bar: a tqdm bar when enabled, a silent stand-in otherwise."""
from scratchgen.progress import progress_bar


def test_disabled_bar_is_silent_and_still_iterates(capsys):
    bar = progress_bar(3, enabled=False, desc="x")
    bar.update(1)
    bar.set_postfix(loss="1")
    bar.close()
    assert list(progress_bar(enabled=False, iterable=range(3))) == [0, 1, 2]
    assert capsys.readouterr().err == ""


def test_enabled_bar_writes_to_stderr(capsys):
    assert list(progress_bar(enabled=True, desc="epochs", iterable=range(2))) == [0, 1]
    bar = progress_bar(4, enabled=True, desc="steps", initial=1, leave=False)
    bar.update(3)
    bar.close()
    err = capsys.readouterr().err
    assert "epochs" in err and "steps" in err
