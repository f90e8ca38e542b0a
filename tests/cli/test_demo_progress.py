"""The demo's GAN part, trained in a worker process, gets a progress bar in the
parent that follows the steps the worker logs to its metrics.jsonl."""
import json
from concurrent.futures import TimeoutError as Pending

from scratchgen.commands.demo import wait_for_worker


class FakeFuture:
    """Pending for the first polls (the worker logs a step at each), then done."""

    def __init__(self, folder, steps):
        self.folder, self.steps = folder, list(steps)

    def result(self, timeout=None):
        if not self.steps:
            return "summary", 1.0
        with open(self.folder / "metrics.jsonl", "a") as f:
            f.write(json.dumps({"step": self.steps.pop(0), "loss_d": 1.0}) + "\n")
            if not self.steps:
                f.write('{"step": 9')          # a line still being written
        raise Pending()


class RecordingBar:
    def __init__(self, total, desc, enabled, initial=0):
        self.total, self.desc, self.n, self.closed = total, desc, initial, False

    def update(self, n=1):
        self.n += n

    def close(self):
        self.closed = True


def test_bar_follows_the_logged_steps_until_the_result(tmp_path, monkeypatch):
    from scratchgen.commands import common
    bars = []
    monkeypatch.setattr(common, "progress_bar", lambda *a, **k: bars.append(RecordingBar(*a, **k)) or bars[-1])
    (tmp_path / "metrics.jsonl").write_text(json.dumps({"step": 10}) + "\n")   # logged before the wait
    result = wait_for_worker(FakeFuture(tmp_path, [30, 60, 90]), tmp_path, 90, True, poll_seconds=0)
    assert result == ("summary", 1.0)
    (bar,) = bars
    assert bar.total == 90 and bar.n == 90 and bar.closed and "gan" in bar.desc


def test_no_bar_without_progress(tmp_path, capsys):
    assert wait_for_worker(FakeFuture(tmp_path, [5]), tmp_path, 10, False, poll_seconds=0)[0] == "summary"
    assert capsys.readouterr().err == ""
