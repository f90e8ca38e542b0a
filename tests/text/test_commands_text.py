"""The text commands: fit --model ngram, train charmlp (resumable), sample RUN_DIR; one-line errors."""
import json

import numpy as np
import pytest

import scratchgen as sg
from scratchgen.cli import main
from scratchgen.commands.text import load_text

BOOK = "".join(f"Line {i} of a small story about a cat and a hat.\n" for i in range(40))


def _run(capsys, *argv):
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text(BOOK, encoding="utf-8")
    return path


def test_file_is_split_at_line_breaks_80_10_10(book):
    train, validation, test = load_text(str(book))
    assert train + "\n" + validation + "\n" + test == BOOK
    assert abs(len(train) / len(BOOK) - 0.8) < 0.05 and abs(len(validation) / len(BOOK) - 0.1) < 0.05


def test_fit_ngram_then_sample_from_the_run(capsys, tmp_path, book):
    status, out, _ = _run(capsys, "fit", book, "--model", "ngram", "--order", "3",
                          "--smoothing", "kneser-ney", "--out", tmp_path / "f")
    assert status == 0 and "bits per character" in out
    summary = json.loads((tmp_path / "f" / "summary.json").read_text())
    model = sg.text.NGramModel(3).fit(load_text(str(book))[0])        # the same fit, by the library
    assert summary["test_bits_per_char"] == pytest.approx(model.bits_per_char(load_text(str(book))[2]))
    status, out, _ = _run(capsys, "sample", tmp_path / "f", "--prompt", "Line", "--chars", "20")
    assert status == 0 and out.startswith("Line") and len(out.rstrip("\n")) >= 24
    assert out == _run(capsys, "sample", tmp_path / "f", "--prompt", "Line", "--chars", "20")[1]


def test_train_charmlp_resumes_to_the_same_weights(capsys, tmp_path, book):
    assert _run(capsys, "train", "charmlp", "--data", book, "--quick", "--steps", "6",
                "--checkpoint-every", "3", "--no-figures", "--out", tmp_path / "a")[0] == 0
    assert _run(capsys, "train", "charmlp", "--data", book, "--quick", "--steps", "3",
                "--no-figures", "--out", tmp_path / "b")[0] == 0
    status, out, _ = _run(capsys, "train", "charmlp", "--resume", tmp_path / "b", "--steps", "6")
    assert status == 0 and "resuming" in out
    a = sg.load(tmp_path / "a" / "checkpoint.npz")["job"]["network"]
    b = sg.load(tmp_path / "b" / "checkpoint.npz")["job"]["network"]
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    status, out, _ = _run(capsys, "sample", tmp_path / "a", "--prompt", "Line", "--chars", "10")
    assert status == 0 and out.startswith("Line")


@pytest.mark.parametrize("content,message", [(b"", "empty"), (b"ab\x00cd\n" * 20, "binary"),
                                             (b"\xff\xfe caf\xe9\n" * 20, "UTF-8")])
def test_bad_text_files_get_one_line_and_status_2(capsys, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    status, _, err = _run(capsys, "fit", path, "--model", "ngram")
    assert status == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_order_and_prompt(capsys, tmp_path, book):
    status, _, err = _run(capsys, "fit", book, "--model", "ngram", "--order", "0")
    assert status == 2 and "--order" in err and err.count("\n") == 1
    _run(capsys, "fit", book, "--model", "ngram", "--order", "2", "--out", tmp_path / "f")
    status, _, err = _run(capsys, "sample", tmp_path / "f", "--prompt", "Zebra!")
    assert status == 2 and "vocabulary" in err and "'!Z'" in err and err.count("\n") == 1
