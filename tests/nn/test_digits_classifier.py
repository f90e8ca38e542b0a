"""The MLP digit classifier: a short training run and the stored pretrained weights."""

import numpy as np
import pytest

from scratchgen.nn import pretrained
from scratchgen.threads import num_threads


def test_short_training_run_classifies_digits():
    with num_threads(1):   # tiny matrices: BLAS threads only wait (speed only, same results)
        model, test_accuracy = pretrained.train_digits_classifier(epochs=5, seed=1)
    # Chance is 10%; 5 epochs (~110 Adam steps) of this MLP reach ~96-97% on
    # the 450 test images across seeds; 90% leaves room for BLAS rounding.
    assert test_accuracy >= 0.90
    X_train, _, y_train, _ = pretrained.digits_split()
    assert pretrained.accuracy(model, X_train, y_train) >= 0.90


def test_fixed_split_sizes_and_classes():
    X_train, X_test, y_train, y_test = pretrained.digits_split()
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    assert X_train.dtype == np.float32 and 0 <= X_train.min() and X_train.max() <= 1
    assert set(np.unique(y_test)) == set(range(10))


def test_pretrained_classifier_reaches_96_percent_on_the_test_split():
    model = pretrained.load_digits_classifier()
    assert not model.training
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    _, X_test, _, y_test = pretrained.digits_split()
    assert pretrained.accuracy(model, X_test, y_test) >= 0.96


def test_missing_weights_file_trains_with_a_warning(tmp_path, monkeypatch):
    calls = []

    def fake_train(**kwargs):
        calls.append(kwargs)
        return "model", 1.0

    monkeypatch.setattr(pretrained, "train_digits_classifier", fake_train)
    with pytest.warns(RuntimeWarning, match="not found"):
        assert pretrained.load_digits_classifier(tmp_path / "absent.npz") == "model"
    assert calls == [{}]
