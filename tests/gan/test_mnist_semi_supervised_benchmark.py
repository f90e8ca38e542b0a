"""benchmarks/mnist_semi_supervised.py: the report mode on hand-made runs, and the recipe overrides."""
import json
import runpy
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "mnist_semi_supervised.py"


def run(module, tmp_path, capsys, runs, *extra):
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(runs))
    module["main"](["report", str(path), *extra])
    return capsys.readouterr().out


def test_report_table_per_seed_rows_and_figure(tmp_path, capsys):
    module = runpy.run_path(str(SCRIPT), run_name="mnist_semi_supervised")
    # rows: [iteration, cpu s, wall s, accuracy]; seed 2 stopped after its first reading
    runs = [{"label_seed": 0, "curve": [[100, 4.0, 9.0, 0.80], [200, 8.0, 18.0, 0.90]],
             "raw_pixel_probe": 0.70, "supervised_only": 0.76},
            {"label_seed": 1, "curve": [[100, 5.0, 9.0, 0.84], [200, 10.0, 18.0, 0.94]],
             "raw_pixel_probe": 0.72, "supervised_only": None}]
    out = run(module, tmp_path, capsys, runs, "--seconds-per-iteration", "0.6",
              "--figure", str(tmp_path / "curve.png"))
    # 200 iterations x 0.6 s = 2 min; mean of 90 and 94 is 92, population sd 2
    assert "| 100 | 1.0 | 82.0 +- 2.0 |" in out and "| 200 | 2.0 | 92.0 +- 2.0 |" in out
    assert "label seed 1: 84.00, 94.00 (CPU 10 s for 200 iterations, 0.050 s/it)" in out
    assert "raw_pixel_probe: 71.0 +- 1.0 (2 seeds)" in out
    assert "supervised_only: 76.0 +- 0.0 (1 seeds)" in out
    assert (tmp_path / "curve.png").stat().st_size > 1000
    stopped = runs + [{"label_seed": 2, "curve": [[100, 4.0, 9.0, 0.86]],
                       "raw_pixel_probe": 0.71, "supervised_only": None}]
    out = run(module, tmp_path, capsys, stopped)
    # 80, 84, 86: mean 83.33, population variance (3.33^2 + 0.67^2 + 2.67^2) / 3 = 6.22
    assert "| 100 | 83.3 +- 2.5 |" in out and "| 200 |" not in out  # the readings all seeds have
    for r, a in zip(runs, (0.86, 0.96)):  # --averaged: the averaged D's readings
        r.update(curve_averaged=[[200, 8.0, 18.0, a]], average_decay=0.999)
    out = run(module, tmp_path, capsys, runs, "--averaged")
    assert "decay 0.999" in out and "| 200 | 91.0 +- 5.0 |" in out


def test_overrides_set_any_key_and_the_schedule():
    import argparse
    module = runpy.run_path(str(SCRIPT), run_name="mnist_semi_supervised")
    args = argparse.Namespace(set=["weight_norm=true", "discriminator_hidden=[1000,500]"],
                              steps=15000, hold=7500)
    assert module["_overrides"](args) == {"weight_norm": True, "discriminator_hidden": [1000, 500],
                                          "n_steps": 15000, "lr_linear_decay": [7500, 15000]}
    args = argparse.Namespace(set=None, steps=2000, hold=2000)  # hold >= steps: a constant lr
    assert module["_overrides"](args)["lr_linear_decay"] is None


def test_run_in_lockstep_gives_each_seed_its_own_numbers(tmp_path, capsys):
    module = runpy.run_path(str(SCRIPT), run_name="mnist_semi_supervised")
    for name, seeds in (("both", ["0", "1"]), ("alone", ["1"])):
        module["main"](["run", "--label-seeds", *seeds, "--steps", "2", "--every", "1",
                        "--no-supervised-baseline", "--out", str(tmp_path / f"{name}.json")])
    both, alone = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("both", "alone"))
    assert [r["label_seed"] for r in both] == [0, 1] and [row[0] for row in both[1]["curve"]] == [1, 2]
    assert [row[3] for row in both[1]["curve"]] == [row[3] for row in alone[0]["curve"]]
    assert both[1]["supervised_only"] is None and 0 < both[1]["raw_pixel_probe"] < 1


def test_parameter_average_is_bias_corrected_and_swapped_back():
    import numpy as np
    from scratchgen import nn
    module = runpy.run_path(str(SCRIPT), run_name="mnist_semi_supervised")
    layer = nn.Linear(2, 1, rng=0)
    average = module["ParameterAverage"](layer, 0.5)
    for value in (1.0, 3.0):
        layer.weight.data[...] = value
        average.update()
    with average.applied():
        # weights (1 - d) d^(t - s): 0.25 for the 1, 0.5 for the 3, over 1 - 0.5^2 = 0.75
        np.testing.assert_allclose(layer.weight.data, (0.25 * 1 + 0.5 * 3) / 0.75)
    np.testing.assert_array_equal(layer.weight.data, 3.0)  # the trained values are back
