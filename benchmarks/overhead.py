"""What the always-on monitor costs: per-step time of a training loop with and without it.

Three small CPU models (an MLP on scikit-learn's digits, a CNN on the 8x8 digit images, an LSTM
classifying synthetic sequences) train for ``--steps`` steps under each variant:

- ``bare``: the plain loop;
- ``monitor``: the same loop under ``nndoctor.Monitor()`` with discovery and an on-disk run
  record, exactly what ``nndoctor run`` wraps around a script (every registered live rule, so
  every quantity those rules require is measured);
- ``all_quantities`` (``--all-quantities``): the monitor measuring every registered quantity;
- ``hooks_only`` (``--hooks-only``): the monitor with no quantity (its hooks, patches, loss
  reading and step bookkeeping; nothing to record): its own cost, whatever the quantities;
- ``anomaly``: the loop under ``torch.autograd.detect_anomaly()``, the usual alternative
  (``--anomaly-steps``, fewer: its cost per step does not depend on the step).

Each variant runs in its own process, and the processes take turns, ``--chunk`` steps each,
so machine noise (other jobs, a busy host) hits every variant alike; each round is one full
run of every variant from the same initial weights and RNG seed, in fresh processes (a
process's memory layout would otherwise bias every round it runs), and the report gives the
median over rounds of each variant's per-step time and of its ratio to ``bare`` in each round,
and the range of the monitor's ratios over rounds. Runs should be long (>= 1000 steps): the
monitor samples densely in the first 200 steps, as in a real run. The monitored losses are
checked bit for bit against the bare ones.

The clock is process CPU time on CPU (wall time on CUDA), one torch thread by default: on a
shared machine wall time is mostly other people's work. For the same reason the monitor's live
rule checks are driven by CPU time here (they run about once a second of a real run's time;
with the variants taking turns, wall-clock seconds would pass three times faster per step).

``--breakdown`` also times each monitor hook, quantity handler, the record write and the rule
checks in one extra monitored run per model, split by kind of step (the first, sampled, frequent, plain).

Usage::

    python benchmarks/overhead.py                 # full run: 1-3 min on a quiet 2-core machine
    python benchmarks/overhead.py --quick         # smoke run, not a measurement
    python benchmarks/overhead.py --device cuda --json overhead.json
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import multiprocessing as mp
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
from nndoctor.monitor.schedule import SampleSchedule
from nndoctor.trace.record import RecordWriter

BATCH = 64
#: The steady state starts where the monitor's early dense sampling ends (step 200): per-step
#: times of the chunks from there on are reported apart, the cost a long run pays per step.
STEADY_FROM = SampleSchedule().settle_until
#: Suffix of a variant's steady-state timings in ``measure``'s result.
STEADY = "@steady"


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


class Run:
    """One training run, step by step: the loop every variant executes, unchanged."""

    def __init__(self, work: Workload, device: str) -> None:
        self.model, self.opt, self.batches = work.fresh(device)
        self.criterion = nn.CrossEntropyLoss()
        self.sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        self.losses: list[torch.Tensor] = []
        self.step = 0

    def steps(self, n: int) -> Timing:
        model, opt, criterion, batches, losses = self.model, self.opt, self.criterion, self.batches, self.losses
        self.sync()
        t0, c0 = time.perf_counter(), time.process_time()
        for step in range(self.step, self.step + n):
            x, y = batches[step % len(batches)]
            opt.zero_grad(set_to_none=True)
            loss = criterion(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
        self.sync()
        self.step += n
        return Timing(time.perf_counter() - t0, time.process_time() - c0)


class _AllQuantities:
    """A pseudo-rule requiring every registered quantity (the ``all_quantities`` variant)."""

    id = "benchmark-all-quantities"
    live = True

    def __init__(self) -> None:
        from nndoctor.quantities import quantity_classes

        self.requires = frozenset(quantity_classes())

    def check(self, view: Any) -> list:
        return []


def _monitor(record_dir: Path, quantities: str = "rules") -> nndoctor.Monitor:
    """What ``nndoctor run`` puts around a script: a discovering monitor writing a run record.

    ``quantities``: ``rules`` (what the live rules require: the default), ``all``, or ``none``
    (the hooks, patches and loss reading alone: the monitor's own cost).
    """
    rules = None
    if quantities == "all":
        from nndoctor.registry import make_rules

        rules = [*make_rules(live_only=True), _AllQuantities()]
    elif quantities == "none":
        from nndoctor.monitor import monitor as monitor_module

        rules, monitor_module.ALWAYS_MEASURED = [], frozenset()  # only ever in a worker process
    monitor = nndoctor.Monitor(sink=RecordWriter(record_dir, {"kind": "benchmark"}), rules=rules)
    monitor._clock = time.process_time  # rule checks per second of this process's work
    return monitor


@contextmanager
def _monitored(record_dir: Path, quantities: str) -> Iterator[nndoctor.Monitor]:
    monitor = _monitor(record_dir, quantities)
    monitor.start()
    try:
        yield monitor
    finally:
        monitor.stop()
        monitor.trace._sink.close()


@contextmanager
def _anomaly() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            yield


#: Monitored variants and the quantities each measures.
MONITORED = {"monitor": "rules", "all_quantities": "all", "hooks_only": "none"}


def _variant(variant: str, tmp: Path) -> AbstractContextManager[Any]:
    if variant == "bare":
        return nullcontext()
    if variant in MONITORED:
        return _monitored(Path(tempfile.mkdtemp(dir=tmp)), MONITORED[variant])
    if variant == "anomaly":
        return _anomaly()
    raise ValueError(f"unknown variant {variant!r}")


def _worker(conn: Any, model_name: str, variant: str, device: str, threads: int, tmp: str) -> None:
    """One variant in its own process: a full run per round, one chunk of steps per turn."""
    if threads:
        torch.set_num_threads(threads)
    work = make_workloads([model_name])[0]
    while (msg := conn.recv()) is not None:
        steps, chunk = msg
        run = Run(work, device)
        torch.manual_seed(1234)  # dropout draws the same masks in every variant
        gc.collect()
        wall = cpu = steady_wall = steady_cpu = 0.0
        steady_steps = 0
        with _variant(variant, Path(tmp)):
            conn.send("ready")
            while run.step < steps:
                conn.recv()
                first, n = run.step, min(chunk, steps - run.step)
                t = run.steps(n)
                wall, cpu = wall + t.wall, cpu + t.cpu
                if first >= STEADY_FROM:
                    steady_wall, steady_cpu, steady_steps = steady_wall + t.wall, steady_cpu + t.cpu, steady_steps + n
                conn.send("done")
        steady = Timing(steady_wall / steady_steps, steady_cpu / steady_steps) if steady_steps else None
        conn.send((Timing(wall / steps, cpu / steps), steady, torch.stack(run.losses).cpu().tolist()))


def measure(
    model_name: str, variants: dict[str, int], rounds: int, chunk: int, device: str, threads: int, tmp: Path
) -> tuple[dict[str, list[Timing]], list[int]]:
    """Per variant, the per-step timing of each round; and the rounds whose monitored losses differed.

    Every round starts fresh processes: a process's own luck (where its tensors landed in memory,
    its cache colouring) stays with it for every run it makes, so with one process per variant
    for all rounds the median over rounds kept it. Measured on this VM: the hooks-only variant
    read 0.98x to 1.07x of the bare loop from one invocation to the next, with the same code.
    """
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    times: dict[str, list[Timing]] = defaultdict(list)
    mismatched = []
    for r in range(rounds):
        conns, procs = {}, []
        for v in variants:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(child, model_name, v, device, threads, str(tmp)), daemon=True)
            proc.start()
            conns[v], procs = parent, [*procs, proc]
        try:
            warm_up = {v: min(steps, 50) for v, steps in variants.items()}  # allocator, kernels, lazy imports
            _lockstep(conns, warm_up, chunk)
            results = _lockstep(conns, variants, chunk)
        finally:
            for conn in conns.values():
                conn.send(None)
            for proc in procs:
                proc.join(timeout=30)
        for v, (timing, steady, _) in results.items():
            times[v].append(timing)
            if steady is not None:
                times[v + STEADY].append(steady)
        if not _same(results["monitor"][2], results["bare"][2]):
            mismatched.append(r)
    return times, mismatched


def _lockstep(conns: dict[str, Any], plan: dict[str, int], chunk: int) -> dict[str, Any]:
    """One full run of every variant, the variants taking turns ``chunk`` steps at a time (the
    first to go changes each turn); each variant's (timing, steady-state timing or None, losses)."""
    for v, conn in conns.items():
        conn.send((plan[v], chunk))
        conn.recv()
    variants = list(plan)
    done = dict.fromkeys(variants, 0)
    turn = 0
    while any(done[v] < plan[v] for v in variants):
        for v in variants[turn % len(variants) :] + variants[: turn % len(variants)]:
            if done[v] < plan[v]:
                conns[v].send("go")
                conns[v].recv()
                done[v] += min(chunk, plan[v] - done[v])
        turn += 1
    return {v: conns[v].recv() for v in variants}


def _steady_ratios(times: dict[str, list[Timing]], variants: list[str], clock: str) -> dict[str, Any]:
    """Per variant, the median over rounds of its steady-state per-step time over bare's in the
    same round, and each round's ratio; empty when the runs were too short to have one."""
    bare = [getattr(t, clock) for t in times.get("bare" + STEADY, [])]
    if not bare or "monitor" not in variants:
        return {}
    per_round = {v: _round_ratios([getattr(t, clock) for t in times[v + STEADY]], bare) for v in variants}
    return {
        "ratio": {v: round(statistics.median(r), 3) for v, r in per_round.items()},
        "per_round_ratio": {v: [round(x, 3) for x in r] for v, r in per_round.items()},
    }


def _round_ratios(times: list[float], bare: list[float]) -> list[float]:
    """Each round's time over bare's in the same round (its variants ran side by side)."""
    return [t / b for t, b in zip(times, bare, strict=False)]


def _same(a: list[float], b: list[float]) -> bool:
    """Bit-for-bit equal loss sequences (NaN equals NaN)."""
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------------------- breakdown
#: The monitor's entry points (each includes the quantity handlers it dispatches to).
ENTRY_POINTS = (
    "_root_pre", "_root_post", "_global_pre", "_global_post", "on_loss", "on_backward", "_before_step", "_after_step",
)  # fmt: skip


class _TimedSink:
    """The run record's writer with its per-step call timed; measurements still go through its
    fused appenders (untimed: their cost shows in the quantity that writes)."""

    def __init__(self, sink: Any, timed_call: Callable) -> None:
        self._call = timed_call
        self.series_appender = sink.series_appender

    def __call__(self, records: list[dict[str, Any]]) -> None:
        self._call(records)


#: The kinds of step the breakdown tells apart.
STEP_KINDS = ("first", "sampled", "frequent", "plain")


def breakdown(work: Workload, steps: int, device: str, tmp: Path) -> dict[str, Any]:
    """Microseconds of main-thread CPU per step of each kind in each part of the monitor.

    The kinds: the first step (one-time set-up), the other sampled steps, the frequent steps that
    are not sampled, and plain steps; ``amortized`` spreads the total over every step.

    ``hook:`` rows are the monitor's entry points (they include the ``quantity:`` handlers and the
    ``record:`` write they trigger); ``rules`` is the live rule check (about once a second). The
    timers themselves add about a microsecond per row per step.
    """
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(STEP_KINDS, 0.0))

    def timed(label: str, fn: Callable, mon: Any) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kind = "first" if mon.step == 0 else "sampled" if mon.sampled else "frequent" if mon.frequent else "plain"
            t0 = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label][kind] += time.thread_time() - t0

        return wrapper

    run = Run(work, device)
    mon = _monitor(Path(tempfile.mkdtemp(dir=tmp)))
    for q in mon._quantities:  # on the instances: a rebuilt dispatch table (a retired quantity) keeps them
        for event in q.handlers():
            setattr(q, event, timed(f"quantity: {q.name}.{event}", getattr(q, event), mon))
    mon._set_dispatch(mon._build_dispatch())
    for attr in ENTRY_POINTS:
        setattr(mon, attr, timed(f"hook: {attr}", getattr(mon, attr), mon))
    mon._check_rules = timed("rules", mon._check_rules, mon)
    sink = mon.trace._sink
    mon.trace._sink = _TimedSink(sink, timed("record: write", sink, mon))
    torch.manual_seed(1234)
    mon.start()
    try:
        timing = run.steps(steps)
    finally:
        mon.stop()
        sink.close()
    n_sampled = sum(1 for s in range(steps) if mon.schedule.sampled(s))
    n_frequent = sum(1 for s in range(steps) if mon.schedule.frequent(s) and not mon.schedule.sampled(s))
    n = {"first": 1, "sampled": max(n_sampled - 1, 1), "frequent": max(n_frequent, 1)}
    n["plain"] = max(steps - n_sampled - n_frequent, 1)
    parts = {
        label: {kind: 1e6 * v / n[kind] for kind, v in kinds.items()} | {"amortized": 1e6 * sum(kinds.values()) / steps}
        for label, kinds in totals.items()
    }
    return {
        "loop_us_per_step": 1e6 * timing.cpu / steps,
        "sampled_steps": n_sampled,
        "frequent_steps": n_frequent,
        "parts_us": parts,
    }


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="few steps and rounds: a smoke run, not a measurement")
    p.add_argument("--steps", type=int, default=None, help="training steps per variant run (default 1000)")
    p.add_argument("--anomaly-steps", type=int, default=None, help="steps of the anomaly runs (default 300)")
    p.add_argument("--rounds", type=int, default=None, help="rounds: full runs of every variant (default 5)")
    p.add_argument("--chunk", type=int, default=50, help="steps a variant runs before the next takes its turn")
    p.add_argument("--models", default="mlp,cnn,lstm", help="comma-separated subset of mlp,cnn,lstm")
    p.add_argument("--device", default="cpu", help="cpu or cuda (cuda only if available)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1; 0: torch's default)")
    p.add_argument("--clock", choices=("cpu", "wall"), default=None, help="cpu (process time; default on CPU) or wall")
    p.add_argument("--no-anomaly", action="store_true", help="skip the detect_anomaly variant")
    p.add_argument("--all-quantities", action="store_true", help="also measure every registered quantity")
    p.add_argument("--hooks-only", action="store_true", help="also measure the monitor with no quantity at all")
    p.add_argument("--breakdown", action="store_true", help="time each part of the monitor (one extra run per model)")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    a = p.parse_args(argv)

    steps = a.steps or (200 if a.quick else 1000)
    anomaly_steps = min(steps, a.anomaly_steps or (50 if a.quick else 300))
    rounds = a.rounds or (1 if a.quick else 5)
    device = a.device
    if device == "cuda" and not torch.cuda.is_available():
        print("CUDA is not available: measuring on CPU", file=sys.stderr)
        device = "cpu"
    clock = a.clock or ("wall" if device == "cuda" else "cpu")
    variants = {"bare": steps, "monitor": steps}
    if a.all_quantities:
        variants["all_quantities"] = steps
    if a.hooks_only:
        variants["hooks_only"] = steps
    if not a.no_anomaly:
        variants["anomaly"] = anomaly_steps
    names = [m.strip() for m in a.models.split(",")]

    from nndoctor.registry import make_rules

    rules = make_rules(live_only=True)
    quantities = [q.name for q in nndoctor.Monitor(rules=rules)._quantities]
    threads = a.threads or torch.get_num_threads()
    print(
        f"nndoctor overhead: torch {torch.__version__}, device {device}, {threads} threads, {clock} clock, "
        f"{steps} steps ({anomaly_steps} for anomaly) x {rounds} rounds, {len(rules)} live rules\n"
        f"quantities measured: {', '.join(quantities)}"
    )

    times: dict[str, dict[str, list[Timing]]] = {}
    mismatches: list[str] = []
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nndoctor-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for name in names:
            times[name], bad = measure(name, variants, rounds, a.chunk, device, a.threads, tmp)
            mismatches += [f"{name} round {r}" for r in bad]
        breakdowns = {}
        if a.breakdown:
            if a.threads:
                torch.set_num_threads(a.threads)
            breakdowns = {w.name: breakdown(w, steps, device, tmp) for w in make_workloads(names)}

    report: dict[str, Any] = {
        "torch": torch.__version__,
        "device": device,
        "threads": threads,
        "clock": clock,
        "steps": steps,
        "anomaly_steps": anomaly_steps,
        "rounds": rounds,
        "chunk": a.chunk,
        "rules": len(rules),
        "quantities": quantities,
        "losses_identical": not mismatches,
        "models": {},
    }
    others = list(variants)[1:]
    print(f"{'model':6} " + " ".join(f"{v + ' ms/step':>22}" for v in variants) + " " + " ".join(
        f"{v + '/bare':>20}" for v in others
    ))  # fmt: skip
    for name in names:
        entry: dict[str, Any] = {}
        for c in ("cpu", "wall"):
            per_round = {v: [getattr(t, c) for t in times[name][v]] for v in variants}
            med = {v: statistics.median(per_round[v]) for v in variants}
            round_ratios = {v: _round_ratios(per_round[v], per_round["bare"]) for v in others}
            entry[c] = {
                "per_step_ms": {v: round(med[v] * 1e3, 4) for v in variants},
                "ratio": {v: round(statistics.median(round_ratios[v]), 3) for v in others},
                "per_round_ratio": {v: [round(x, 3) for x in round_ratios[v]] for v in others},
                "per_round_ms": {v: [round(t * 1e3, 4) for t in per_round[v]] for v in variants},
            }
        report["models"][name] = entry
        e = entry[clock]
        print(
            f"{name:6} "
            + " ".join(f"{e['per_step_ms'][v]:22.3f}" for v in variants)
            + " "
            + " ".join(f"{e['ratio'][v]:19.3f}x" for v in others)
        )
        spread = e["per_round_ratio"]["monitor"]
        print(f"{'':6} monitor/bare by round: {min(spread):.3f}x to {max(spread):.3f}x")
        steady = _steady_ratios(times[name], [v for v in others if v + STEADY in times[name]], clock)
        if steady:
            entry["steady"] = {"from_step": STEADY_FROM, **steady}
            print(
                f"{'':6} steady state (steps {STEADY_FROM}-{steps - 1}): "
                + ", ".join(f"{v}/bare {r:.3f}x" for v, r in steady["ratio"].items())
                + f" (monitor by round: {min(steady['per_round_ratio']['monitor']):.3f}x"
                f" to {max(steady['per_round_ratio']['monitor']):.3f}x)"
            )
    if mismatches:
        print(f"WARNING: monitored losses differ from bare ones: {', '.join(mismatches)}")
    for name, b in breakdowns.items():
        print(
            f"\nbreakdown {name}: {b['loop_us_per_step']:.0f} us/step monitored, {b['sampled_steps']} of {steps} "
            f"steps sampled (the first included), {b['frequent_steps']} more frequent; "
            "main-thread CPU us per step of each kind in each part:"
        )
        print(f"  {'part':44} " + " ".join(f"{k:>9}" for k in (*STEP_KINDS, "amortized")))
        for label, us in sorted(b["parts_us"].items(), key=lambda kv: (kv[0].split(":")[0], -kv[1]["amortized"])):
            print(f"  {label:44} " + " ".join(f"{us[k]:9.1f}" for k in (*STEP_KINDS, "amortized")))
        report["models"][name]["breakdown"] = b
    report["seconds"] = round(time.perf_counter() - t_start, 1)
    print(f"\n{report['seconds']} s")
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
