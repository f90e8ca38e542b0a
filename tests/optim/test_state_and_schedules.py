"""Optimizer state dicts (round trip through sg.save, resume) and LR/momentum schedules."""
import math

import numpy as np
import pytest

import scratchgen as sg
from scratchgen import nn, optim
from scratchgen.nn import functional as F

X = np.random.default_rng(0).standard_normal((16, 3))
Y = np.random.default_rng(1).integers(0, 2, 16)


def _train(model, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(sg.tensor(X)), Y).backward()
        opt.step()


@pytest.mark.parametrize("make", [
    lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
])
def test_resume_from_saved_state_is_bit_identical(make, tmp_path):
    model, reference = nn.MLP([3, 4, 2], rng=0), nn.MLP([3, 4, 2], rng=0)
    opt, ref_opt = make(model.parameters()), make(reference.parameters())
    _train(model, opt, 3)
    _train(reference, ref_opt, 6)
    path = tmp_path / "checkpoint.npz"
    sg.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    checkpoint = sg.load(path)
    resumed = nn.MLP([3, 4, 2], rng=99)
    resumed_opt = make(resumed.parameters())
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    _train(resumed, resumed_opt, 3)
    for (k, a), b in zip(resumed.state_dict().items(), reference.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)


def test_state_dict_layout_is_pytorch_like_and_copied():
    p = nn.Parameter(np.ones(2))
    opt = optim.Adam([p], lr=0.1)
    p.grad = sg.tensor(np.ones(2))
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"] == [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8,
                                   "weight_decay": 0.0, "amsgrad": False, "maximize": False,
                                   "params": [0]}]
    assert sd["state"][0]["step"] == 1 and set(sd["state"][0]) == {"step", "exp_avg",
                                                                   "exp_avg_sq"}
    sd["state"][0]["exp_avg"][...] = 5.0
    assert not np.any(opt.state[p]["exp_avg"] == 5.0)


def test_load_state_dict_errors():
    opt = optim.SGD([nn.Parameter(np.ones(2))], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"param_groups": []})
    bad = {"state": {0: {"momentum_buffer": np.zeros(3)}},
           "param_groups": [dict(opt.param_groups[0], params=[0])]}
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict(bad)


def _optimizer(lr=1.0):
    return optim.SGD([nn.Parameter(np.ones(1))], lr=lr, momentum=0.5)


def test_step_exponential_linear_schedules():
    cases = [
        (lambda o: optim.StepLR(o, step_size=2, gamma=0.5), [1, 1, .5, .5, .25, .25]),
        (lambda o: optim.ExponentialLR(o, gamma=0.9), [0.9 ** k for k in range(6)]),
        (lambda o: optim.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=4),
         [0.5, 0.625, 0.75, 0.875, 1.0, 1.0]),
        # held for 2 epochs, then down by 1/3 per epoch to 0 at epoch 5, 0 after
        (lambda o: optim.LinearDecayLR(o, hold_iters=2, total_iters=5),
         [1, 1, 1, 2 / 3, 1 / 3, 0]),
    ]
    for make, expected in cases:
        opt = _optimizer(2.0)
        scheduler = make(opt)
        seen = []
        for _ in range(6):
            seen.append(scheduler.get_last_lr()[0])
            scheduler.step()
        np.testing.assert_allclose(seen, 2.0 * np.array(expected), rtol=1e-12)


def test_exponential_decay_floor_as_in_the_gan_paper():
    opt = _optimizer(0.1)
    scheduler = optim.ExponentialLR(opt, gamma=1 / 1.000004, min_lr=0.099999)
    for _ in range(100):
        scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.099999  # 0.1 / 1.000004^100 < floor
    scheduler.step()
    assert math.isclose(scheduler.get_last_lr()[0], 0.099999)


def test_scheduler_state_dict_round_trip():
    opt = _optimizer(1.0)
    scheduler = optim.StepLR(opt, step_size=1, gamma=0.5)
    scheduler.step()
    scheduler.step()
    other_opt = _optimizer(1.0)
    other = optim.StepLR(other_opt, step_size=1, gamma=0.5)
    other.load_state_dict(scheduler.state_dict())
    assert other.get_last_lr() == [0.25]


def test_momentum_schedule_rises_linearly_then_saturates():
    opt = _optimizer()
    schedule = optim.MomentumSchedule(opt, final_momentum=0.7, start=1, saturate=5)
    seen = []
    for _ in range(7):
        schedule.step()
        seen.append(schedule.get_last_momentum()[0])
    np.testing.assert_allclose(seen, [0.5, 0.55, 0.6, 0.65, 0.7, 0.7, 0.7])


@pytest.mark.parametrize("make, match", [
    (lambda o: optim.StepLR(o, step_size=0), "step_size"),
    (lambda o: optim.ExponentialLR(o, gamma=-1), "gamma"),
    (lambda o: optim.LinearLR(o, start_factor=0), "start_factor"),
    (lambda o: optim.LinearDecayLR(o, hold_iters=5, total_iters=5), "total_iters > hold_iters"),
    (lambda o: optim.MomentumSchedule(o, final_momentum=1.5), "final_momentum"),
])
def test_schedule_validation(make, match):
    with pytest.raises(ValueError, match=match):
        make(_optimizer())


@pytest.mark.parametrize("key, value, error, match", [
    ("lr", "0.001", TypeError, "group 0: Adam: lr must be a real number, got str"),
    ("lr", -1.0, ValueError, "group 0: Adam: lr must be in"),
    ("betas", [0.9], ValueError, "betas must be a pair"),
])
def test_loaded_options_are_validated_with_a_clear_error(key, value, error, match):
    model = nn.MLP([3, 4, 2], rng=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, 1)
    state = opt.state_dict()
    state["param_groups"][0][key] = value
    fresh = optim.Adam(model.parameters(), lr=0.01)
    with pytest.raises(error, match=match):
        fresh.load_state_dict(state)
    assert fresh.param_groups[0]["lr"] == 0.01 and fresh.state == {}  # left as it was


def test_loaded_step_counter_must_be_a_positive_integer():
    model = nn.MLP([3, 4, 2], rng=0)
    opt = optim.Adam(model.parameters())
    _train(model, opt, 1)
    state = opt.state_dict()
    state["state"][0]["step"] = 0
    with pytest.raises(ValueError, match="state 'step' must be >= 1, got 0"):
        optim.Adam(model.parameters()).load_state_dict(state)
