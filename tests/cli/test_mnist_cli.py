"""`scratchgen train gan --dataset mnist`: a tiny run, and its bad input refused in one line."""
import gzip
import json
import shutil

import pytest

from scratchgen.datasets import mnist as mnist_module


def check_refused(r, tmp_path, *words):
    lines = r.err.splitlines()
    assert r.status == 2 and len(lines) == 1 and lines[0].startswith("scratchgen: error:"), r.err
    assert "Traceback" not in r.err
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    assert not (tmp_path / "run").exists()


def test_train_gan_mnist_tiny_run_reports_the_image_metrics(cli, tmp_path):
    r = cli("train", "gan", "--dataset", "mnist", "--quick", "--steps", "2", "--no-figures",
            "--out", tmp_path / "run")
    assert r.status == 0, r.err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["n_classes"] == 10 and 1 <= summary["classes_covered"] <= 10
    assert {"frechet", "precision", "recall", "parzen_log_likelihood"} <= set(summary)
    assert 0.0 <= summary["precision"] <= 1.0 and summary["frechet"] > 0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["recipe"]["data_dim"] == 784 and config["variant"] == "wgan-gp"


@pytest.mark.parametrize("argv, words", [
    (["--dataset", "mnsit"], ["'mnsit'", "mnist"]),
    (["--dataset", "mnist", "--latent-dim", "0"], ["--latent-dim", "'0'"]),
    (["--dataset", "mnist", "--hidden", "0"], ["--hidden", "'0'"]),
    (["--dataset", "mnist", "--hidden", "256,0"], ["--hidden", "'256,0'"]),
])
def test_options_that_do_not_fit_mnist_are_refused(cli, tmp_path, argv, words):
    check_refused(cli("train", "gan", *argv, "--out", tmp_path / "run"), tmp_path, *words)


@pytest.mark.parametrize("damage, words", [
    ("missing", ["not found", "28, 28"]),
    ("truncated", ["truncated"]),
    ("corrupt", ["corrupt"]),
])
def test_a_broken_mnist_file_is_named_in_one_line(cli, tmp_path, monkeypatch, damage, words):
    # A copy of the shipped folder, damaged, in the place of the shipped one.
    folder = tmp_path / "mnist"
    shutil.copytree(mnist_module.shipped_path("mnist", ""), folder)
    images = folder / mnist_module.IMAGES_FILE
    if damage == "missing":
        images.unlink()
    elif damage == "truncated":   # a complete gzip stream whose IDX data stops half-way
        raw = gzip.decompress(images.read_bytes())
        images.write_bytes(gzip.compress(raw[:5000], compresslevel=1))
    else:
        images.write_bytes(b"\x1f\x8b" + b"not gzip at all")
    monkeypatch.setattr(mnist_module, "shipped_path", lambda name, remedy: str(folder))
    r = cli("train", "gan", "--dataset", "mnist", "--quick", "--steps", "1", "--out", tmp_path / "run")
    check_refused(r, tmp_path, mnist_module.IMAGES_FILE, *words)


def test_train_gan_semi_supervised_tiny_run_reports_the_held_out_accuracy(cli, tmp_path):
    r = cli("train", "gan", "--dataset", "mnist", "--variant", "semi-supervised", "--labels", "100",
            "--steps", "2", "--no-figures", "--out", tmp_path / "run")
    assert r.status == 0, r.err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert 0.0 <= summary["accuracy"] <= 1.0 and summary["step"] == 2
    assert "100 labels: held-out accuracy" in r.out


def test_a_labels_count_no_class_can_supply_is_refused_in_one_line(cli, tmp_path):
    # 8000 <= the split (tests/gan checks 0, -10, 15, 8010), but 800 per class is more than a class has
    r = cli("train", "gan", "--dataset", "mnist", "--variant", "semi-supervised", "--labels", "8000",
            "--steps", "1", "--out", tmp_path / "run")
    check_refused(r, tmp_path, "--labels 8000", "800 images per class", "at most 7140")


def test_labels_without_the_semi_supervised_variant_are_refused(cli, tmp_path):
    r = cli("train", "gan", "--dataset", "mnist", "--labels", "100", "--out", tmp_path / "run")
    check_refused(r, tmp_path, "--labels", "semi-supervised")


def test_train_gan_stacked_mnist_tiny_run_counts_the_1000_modes(cli, tmp_path):
    r = cli("train", "gan", "--dataset", "stacked-mnist", "--quick", "--steps", "2",
            "--out", tmp_path / "run")
    assert r.status == 0, r.err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["n_classes"] == 1000 and 1 <= summary["classes_covered"] <= 500
    assert "modes captured" in r.out and "Parzen" not in r.out
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["recipe"]["data_dim"] == 2352 and config["variant"] == "wgan-gp"
    assert (tmp_path / "run" / "samples.png").stat().st_size > 0


def test_stacked_mnist_side_by_side_puts_the_channels_left_to_right():
    import numpy as np
    from scratchgen.datasets import stacked_mnist_side_by_side
    images = np.stack([np.full(784, c, dtype=np.float32) for c in range(3)]).reshape(1, 2352)
    pictures = stacked_mnist_side_by_side(images)
    assert pictures.shape == (1, 28, 84)
    assert [float(pictures[0, 5, 28 * c + 3]) for c in range(3)] == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match=r"\(n, 2352\).*\(2, 784\)"):
        stacked_mnist_side_by_side(np.zeros((2, 784)))
