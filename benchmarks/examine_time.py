"""How long ``nndoctor examine`` takes on a digits-size recipe, full and ``--quick``.

Targets (2 CPU cores): a full examination under 60 s of wall time, ``--quick`` under 15 s. The
recipes are the test zoo's clean MLP and the demo's (scikit-learn's bundled digits, 1,400
training examples, an MLP), plus a small CNN on the 8x8 digit images; each is examined
in-process after one warm-up run (so the one-off import of torch and scikit-learn is not
counted; it is printed separately), and the median over ``--repeat`` runs is reported with the
slowest experiments. CPU time is printed too: on a busy machine it tells what the wall time
would be on an idle one (small models run on one thread). Wall-clock safety nets
(``Budget.train_seconds``) cut trainings short on a slow machine, so a very busy machine
under-reports the work an idle one does.

Usage::

    taskset -c 0,1 python benchmarks/examine_time.py            # 2 cores, as in CI
    python benchmarks/examine_time.py --repeat 3 --threads 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CNN_RECIPE = """
import torch
from sklearn.datasets import load_digits
from torch import nn


def recipe():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
    X = (X - 0.3) / 0.4
    y = torch.tensor(y)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 4 * 4, 10),
    )
    return {"model": model, "loss_fn": nn.CrossEntropyLoss(),
            "optimizer": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
            "train": (X[:1400], y[:1400]), "val": (X[1400:], y[1400:]), "batch_size": 50}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per recipe and mode (median reported)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    parser.add_argument("--mode", choices=("both", "full", "quick"), default="both")
    args = parser.parse_args()

    t0 = time.perf_counter()
    import torch

    from nndoctor.experiments import examine
    from nndoctor.recipe import load_recipe

    import_s = time.perf_counter() - t0
    if args.threads:
        torch.set_num_threads(args.threads)
    cnn = Path("/tmp") / "nndoctor_bench_cnn_recipe.py"
    cnn.write_text(CNN_RECIPE)
    recipes = {
        "mlp-digits (zoo clean)": ROOT / "tests" / "zoo" / "recipes" / "clean_mlp_digits.py",
        "mlp-digits (fixed demo)": ROOT / "src" / "nndoctor" / "examples" / "fixed_digits_recipe.py",
        "mlp-digits (buggy demo)": ROOT / "src" / "nndoctor" / "examples" / "buggy_digits_recipe.py",
        "cnn-digits": cnn,
    }
    modes = {"both": (True, False), "full": (False,), "quick": (True,)}[args.mode]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; imports {import_s:.1f} s", flush=True)
    examine(load_recipe(recipes["mlp-digits (fixed demo)"]), quick=True)  # warm-up (lazy imports, kernels)
    worst = {True: 0.0, False: 0.0}
    for name, path in recipes.items():
        for quick in modes:
            times, cpus, slowest = [], [], []
            for _ in range(args.repeat):
                recipe = load_recipe(path)
                start, cpu = time.perf_counter(), time.process_time()
                result = examine(recipe, quick=quick)
                times.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
                slowest = sorted(result.outcomes, key=lambda o: -o.seconds)[:3]
            t = statistics.median(times)
            worst[quick] = max(worst[quick], t)
            top = ", ".join(f"{o.name} {o.seconds:.1f}s" for o in slowest)
            label = "quick" if quick else "full"
            print(
                f"{name:26s} {label:5s} {t:6.1f} s wall {statistics.median(cpus):6.1f} s cpu  "
                f"findings: {len(result.findings):2d}  slowest: {top}",
                flush=True,
            )
    ok = True
    for quick, limit in ((False, 60.0), (True, 15.0)):
        if quick in modes:
            status = "ok" if worst[quick] < limit else "OVER"
            ok &= worst[quick] < limit
            print(f"{'quick' if quick else 'full'}: worst {worst[quick]:.1f} s (target < {limit:.0f} s) {status}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
