"""What the always-on monitor costs: per-step time of a training loop with and without it.

Three small models (an MLP on scikit-learn's digits, a CNN on the 8x8 digit images, an LSTM
classifying synthetic sequences) train for ``--steps`` steps under each variant:

- ``bare``: the plain loop;
- ``monitor``: the same loop under ``nndoctor.Monitor()`` with discovery and an on-disk run
  record, exactly what ``nndoctor run`` wraps around a script (every registered live rule, so
  every quantity those rules require is measured);
- ``all_quantities`` (``--all-quantities``): the monitor measuring every registered quantity,
  the worst case whatever rules are registered;
- ``anomaly``: the loop under ``torch.autograd.detect_anomaly()``, the usual alternative.

The variants run interleaved, round-robin, for ``--rounds`` rounds, each from the same initial
weights, so machine noise hits them all alike; the report gives the median over rounds of each
variant's per-step time and its ratio to ``bare``. Runs should be long (>= 1000 steps): the
monitor samples densely in the first 200 steps, as a real run does, and a short run would
overweight that. The bare and monitored losses are compared bit for bit as a sanity check.

``--breakdown`` also times every quantity handler and the monitor's own hooks in one extra
monitored run per model, split into sampled and unsampled steps.

Usage::

    python benchmarks/overhead.py                 # full run, ~1-3 min on 2 CPU cores
    python benchmarks/overhead.py --quick         # smoke run, a few seconds
    python benchmarks/overhead.py --device cuda --json overhead.json
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

import nndoctor
from nndoctor.trace.record import RecordWriter

BATCH = 64


# ---------------------------------------------------------------------------- models and data
class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )  # fmt: skip
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 4 * 4, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class LSTMClassifier(nn.Module):
    def __init__(self, features: int = 8, hidden: int = 64, classes: int = 4) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32) / 16.0
    return (X - 0.3) / 0.4, torch.tensor(y)


def _sequences(n: int = 2048, length: int = 24, features: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose class is the quadrant of (mean of feature 0, trend of feature 1)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, length, features, generator=g)
    t = torch.linspace(-1, 1, length)
    shift = torch.randn(n, 1, generator=g)
    slope = torch.randn(n, 1, generator=g)
    x[:, :, 0] += shift
    x[:, :, 1] += slope * t
    y = (shift[:, 0] > 0).long() * 2 + (slope[:, 0] > 0).long()
    return x, y


@dataclass
class Workload:
    """A model with its initial state and fixed batches: every variant replays the same work."""

    name: str
    model: nn.Module
    batches: list[tuple[torch.Tensor, torch.Tensor]]
    lr: float

    def fresh(self, device: str) -> tuple[nn.Module, torch.optim.Optimizer, list[tuple[torch.Tensor, torch.Tensor]]]:
        model = copy.deepcopy(self.model).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=self.lr, momentum=0.9)
        batches = [(x.to(device), y.to(device)) for x, y in self.batches]
        return model, opt, batches


def _batches(X: torch.Tensor, y: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One shuffled epoch of full batches (the loop cycles through them)."""
    g = torch.Generator().manual_seed(1)
    perm = torch.randperm(len(X), generator=g)
    return [(X[perm[i : i + BATCH]], y[perm[i : i + BATCH]]) for i in range(0, len(X) - BATCH + 1, BATCH)]


def make_workloads(names: list[str]) -> list[Workload]:
    torch.manual_seed(0)
    out = []
    X, y = _digits()
    if "mlp" in names:
        out.append(Workload("mlp", MLP(), _batches(X, y), 0.05))
    if "cnn" in names:
        out.append(Workload("cnn", CNN(), _batches(X.reshape(-1, 1, 8, 8), y), 0.05))
    if "lstm" in names:
        Xs, ys = _sequences()
        out.append(Workload("lstm", LSTMClassifier(), _batches(Xs, ys), 0.05))
    return out


# ---------------------------------------------------------------------------- the loop
@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def train(
    model: nn.Module, opt: torch.optim.Optimizer, batches: list, steps: int, sync: Callable[[], None]
) -> tuple[Timing, list[torch.Tensor]]:
    """The bare loop every variant runs; returns its timing and the loss tensors (read after timing)."""
    criterion = nn.CrossEntropyLoss()
    losses = []
    n = len(batches)
    sync()
    t0, c0 = time.perf_counter(), time.process_time()
    for step in range(steps):
        x, y = batches[step % n]
        opt.zero_grad(set_to_none=True)
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    sync()
    return Timing(time.perf_counter() - t0, time.process_time() - c0), losses


class _AllQuantities:
    """A pseudo-rule requiring every registered quantity (the ``all_quantities`` variant)."""

    id = "benchmark-all-quantities"
    live = True

    def __init__(self) -> None:
        from nndoctor.quantities import quantity_classes

        self.requires = frozenset(quantity_classes())

    def check(self, view: Any) -> list:
        return []


@contextmanager
def _monitored(record_dir: Path, all_quantities: bool) -> Iterator[nndoctor.Monitor]:
    """What ``nndoctor run`` does around a script: a discovering monitor and a run record."""
    writer = RecordWriter(record_dir, {"kind": "benchmark"})
    rules = None
    if all_quantities:
        from nndoctor.registry import make_rules

        rules = [*make_rules(live_only=True), _AllQuantities()]
    monitor = nndoctor.Monitor(sink=writer, rules=rules)
    monitor.start()
    try:
        yield monitor
    finally:
        monitor.stop()
        writer.close()


@contextmanager
def _anomaly() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            yield


def run_variant(variant: str, work: Workload, steps: int, device: str, tmp: Path) -> tuple[Timing, list[float]]:
    """One training run of ``steps`` steps from the workload's initial state; per-step timing and losses."""
    model, opt, batches = work.fresh(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    ctx: AbstractContextManager[Any]
    if variant == "bare":
        ctx = nullcontext()
    elif variant in ("monitor", "all_quantities"):
        ctx = _monitored(Path(tempfile.mkdtemp(dir=tmp)), all_quantities=variant == "all_quantities")
    elif variant == "anomaly":
        ctx = _anomaly()
    else:
        raise ValueError(variant)
    torch.manual_seed(1234)  # dropout draws the same masks in every variant
    gc.collect()
    with ctx:
        timing, losses = train(model, opt, batches, steps, sync)
    return Timing(timing.wall / steps, timing.cpu / steps), torch.stack(losses).cpu().tolist()


def _same(a: list[float], b: list[float]) -> bool:
    """Bit-for-bit equal loss sequences (NaN equals NaN)."""
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------------------- breakdown
#: The monitor's entry points (each includes the quantity handlers it dispatches to).
ENTRY_POINTS = (
    "_root_pre", "_root_post", "_global_pre", "_global_post", "on_loss", "on_backward", "_before_step", "_after_step",
)  # fmt: skip


def breakdown(work: Workload, steps: int, device: str, tmp: Path) -> dict[str, Any]:
    """Microseconds of main-thread CPU per sampled and per unsampled step in each part of the monitor.

    ``hook:`` rows are the monitor's entry points (they include the ``quantity:`` handlers and the
    ``record:`` write they trigger); ``rules`` is the live rule check (about once a second).
    """
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"sampled": 0.0, "unsampled": 0.0})
    model, opt, batches = work.fresh(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def timed(label: str, fn: Callable, mon: Any) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kind = "sampled" if mon.sampled else "unsampled"
            t0 = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label][kind] += time.thread_time() - t0

        return wrapper

    writer = RecordWriter(Path(tempfile.mkdtemp(dir=tmp)), {"kind": "benchmark"})
    mon = nndoctor.Monitor(sink=writer)
    wrapped: dict[Callable, Callable] = {}
    for event, tables in mon._dispatch.items():
        mon._dispatch[event] = tuple(
            tuple((q, wrapped.setdefault(fn, timed(f"quantity: {q}.{fn.__name__}", fn, mon))) for q, fn in handlers)
            for handlers in tables
        )
    for attr in ENTRY_POINTS:
        setattr(mon, attr, timed(f"hook: {attr}", getattr(mon, attr), mon))
    mon._check_rules = timed("rules", mon._check_rules, mon)
    mon.trace._sink = timed("record: write", mon.trace._sink, mon)
    mon.start()
    try:
        torch.manual_seed(1234)
        timing, _ = train(model, opt, batches, steps, sync)
    finally:
        mon.stop()
        writer.close()
    n_sampled = sum(1 for s in range(steps) if mon.schedule.sampled(s))
    n = {"sampled": max(n_sampled, 1), "unsampled": max(steps - n_sampled, 1)}
    parts = {
        label: {kind: 1e6 * v / n[kind] for kind, v in kinds.items()} | {"amortized": 1e6 * sum(kinds.values()) / steps}
        for label, kinds in totals.items()
    }
    return {"loop_us_per_step": 1e6 * timing.cpu / steps, "sampled_steps": n_sampled, "parts_us": parts}


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="few steps and rounds: a smoke run, not a measurement")
    p.add_argument("--steps", type=int, default=None, help="training steps per variant run (default 1000)")
    p.add_argument("--anomaly-steps", type=int, default=None, help="steps of the anomaly runs (default 300)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5)")
    p.add_argument("--models", default="mlp,cnn,lstm", help="comma-separated subset of mlp,cnn,lstm")
    p.add_argument("--device", default="cpu", help="cpu or cuda (cuda only if available)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1; 0: torch's default)")
    p.add_argument("--clock", choices=("cpu", "wall"), default=None, help="cpu (process time; default on CPU) or wall")
    p.add_argument("--no-anomaly", action="store_true", help="skip the detect_anomaly variant")
    p.add_argument("--all-quantities", action="store_true", help="also measure every registered quantity")
    p.add_argument("--breakdown", action="store_true", help="time each quantity handler (one extra run per model)")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    a = p.parse_args(argv)

    steps = a.steps or (200 if a.quick else 1000)
    anomaly_steps = min(steps, a.anomaly_steps or (50 if a.quick else 300))
    rounds = a.rounds or (2 if a.quick else 5)
    device = a.device
    if device == "cuda" and not torch.cuda.is_available():
        print("CUDA is not available: measuring on CPU", file=sys.stderr)
        device = "cpu"
    clock = a.clock or ("wall" if device == "cuda" else "cpu")
    if a.threads:
        torch.set_num_threads(a.threads)
    variants = ["bare", "monitor"]
    if a.all_quantities:
        variants.append("all_quantities")
    if not a.no_anomaly:
        variants.append("anomaly")
    works = make_workloads([m.strip() for m in a.models.split(",")])

    from nndoctor.registry import make_rules

    rules = make_rules(live_only=True)
    quantities = [q.name for q in nndoctor.Monitor(rules=rules)._quantities]
    print(
        f"nndoctor overhead: torch {torch.__version__}, device {device}, {torch.get_num_threads()} threads, "
        f"{clock} clock, {steps} steps ({anomaly_steps} for anomaly) x {rounds} rounds, {len(rules)} live rules\n"
        f"quantities measured: {', '.join(quantities)}"
    )

    times: dict[str, dict[str, list[Timing]]] = {w.name: defaultdict(list) for w in works}
    mismatches: list[str] = []
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nndoctor-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for w in works:  # warm-up: allocator, kernels, lazy imports
            for v in variants:
                run_variant(v, w, min(steps, 50), device, tmp)
        for r in range(rounds):
            for w in works:
                order = variants[r % len(variants) :] + variants[: r % len(variants)]
                losses = {}
                for v in order:
                    timing, losses[v] = run_variant(v, w, anomaly_steps if v == "anomaly" else steps, device, tmp)
                    times[w.name][v].append(timing)
                if not _same(losses["monitor"], losses["bare"]):
                    mismatches.append(f"{w.name} round {r}")
        breakdowns = {w.name: breakdown(w, steps, device, tmp) for w in works} if a.breakdown else {}

    report: dict[str, Any] = {
        "torch": torch.__version__,
        "device": device,
        "threads": torch.get_num_threads(),
        "clock": clock,
        "steps": steps,
        "anomaly_steps": anomaly_steps,
        "rounds": rounds,
        "rules": len(rules),
        "quantities": quantities,
        "losses_identical": not mismatches,
        "models": {},
    }
    print(
        f"{'model':6} "
        + " ".join(f"{v + ' ms/step':>22}" for v in variants)
        + " "
        + " ".join(f"{v + '/bare':>20}" for v in variants[1:])
    )
    for w in works:
        entry: dict[str, Any] = {}
        for c in ("cpu", "wall"):
            per_round = {v: [getattr(t, c) for t in times[w.name][v]] for v in variants}
            med = {v: statistics.median(per_round[v]) for v in variants}
            entry[c] = {
                "per_step_ms": {v: round(med[v] * 1e3, 4) for v in variants},
                "ratio": {v: round(med[v] / med["bare"], 3) for v in variants[1:]},
                "per_round_ms": {v: [round(t * 1e3, 4) for t in per_round[v]] for v in variants},
            }
        report["models"][w.name] = entry
        e = entry[clock]
        print(
            f"{w.name:6} "
            + " ".join(f"{e['per_step_ms'][v]:22.3f}" for v in variants)
            + " "
            + " ".join(f"{e['ratio'][v]:19.3f}x" for v in variants[1:])
        )
    if mismatches:
        print(f"WARNING: monitored losses differ from bare ones: {', '.join(mismatches)}")
    for name, b in breakdowns.items():
        print(
            f"\nbreakdown {name}: {b['loop_us_per_step']:.0f} us/step monitored, {b['sampled_steps']} of {steps} "
            "steps sampled; main-thread CPU us per step in each part:"
        )
        print(f"  {'part':44} {'sampled':>9} {'unsampled':>10} {'amortized':>10}")
        for label, us in sorted(b["parts_us"].items(), key=lambda kv: (kv[0].split(":")[0], -kv[1]["amortized"])):
            print(f"  {label:44} {us['sampled']:9.1f} {us['unsampled']:10.1f} {us['amortized']:10.1f}")
        report["models"][name]["breakdown"] = b
    report["seconds"] = round(time.perf_counter() - t_start, 1)
    print(f"\n{report['seconds']} s")
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
