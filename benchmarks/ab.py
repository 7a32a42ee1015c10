"""Lockstep A/B of the monitor's cost: two nndoctor source trees against one bare loop.

``overhead.py`` gives the ratio of one tree to a bare loop; differences of a few microseconds per
step between two versions drown in the noise of runs taken apart. Here three processes (bare,
monitor from tree A, monitor from tree B) take turns ``--chunk`` steps at a time on the same
batches, each step is timed on its own (process CPU time), and each variant's extra time over
bare is split by kind of step (the first, sampled, frequent, plain: ``SampleSchedule``), median
over rounds. A change to a per-step path shows up in its own row.

    git worktree add /tmp/base HEAD          # the tree to compare against
    python benchmarks/ab.py --a /tmp/base/src --b src --model mlp --rounds 7
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

#: Kinds of step: "after sampled" is a plain step right after a sampled one (the module hooks
#: come off, a quantity watching the next step runs, and the sampled step's work has cooled the
#: caches the loop's own data sat in).
KINDS = ("first", "sampled", "after sampled", "frequent<100", "frequent", "plain")


def _worker(conn, src: str | None, model: str, threads: int, without: tuple[str, ...] = ()) -> None:
    """One variant: ``src`` is the nndoctor tree to monitor with (None: bare); ``without``: quantities
    its monitor leaves out (retired before the run: what they cost)."""
    if src is not None:
        sys.path.insert(0, str(Path(src).resolve()))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import overhead  # noqa: PLC0415 - imported after sys.path points at the tree under test
    import torch  # noqa: PLC0415

    torch.set_num_threads(threads)
    work = overhead.make_workloads([model])[0]
    clock = time.process_time
    while (msg := conn.recv()) is not None:
        steps, chunk = msg
        run = overhead.Run(work, "cpu")
        torch.manual_seed(1234)
        model_, opt, criterion, batches = run.model, run.opt, run.criterion, run.batches
        times = []
        monitor = overhead._monitor(Path(tempfile.mkdtemp())) if src is not None else None
        if monitor is not None:
            for name in without:
                monitor.retire(name)
            monitor.start()
        conn.send("ready")
        step = 0
        while step < steps:
            conn.recv()
            for _ in range(min(chunk, steps - step)):
                x, y = batches[step % len(batches)]
                t0 = clock()
                opt.zero_grad(set_to_none=True)
                loss = criterion(model_(x), y)
                loss.backward()
                opt.step()
                times.append(clock() - t0)
                step += 1
            conn.send("done")
        if monitor is not None:
            monitor.stop()
            monitor.trace._sink.close()
        conn.send(times)


def kinds_of(steps: int) -> list[str]:
    from nndoctor.monitor.schedule import SampleSchedule  # noqa: PLC0415

    s = SampleSchedule()
    out = []
    for i in range(steps):
        sampled, frequent = s.kind(i)
        kind = "first" if i == 0 else "sampled" if sampled else "frequent" if frequent else "plain"
        if kind == "plain" and i > 0 and s.kind(i - 1)[0]:
            kind = "after sampled"
        out.append("frequent<100" if kind == "frequent" and i < 100 else kind)  # the LR probe records there
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="nndoctor src folder of version A (the base)")
    p.add_argument("--b", required=True, help="nndoctor src folder of version B (the change)")
    p.add_argument("--model", default="mlp", help="mlp, cnn or lstm")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--chunk", type=int, default=50)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--b-without", default="", help="comma-separated quantities B's monitor leaves out (what they cost)")
    p.add_argument("--top", type=int, default=0, help="also list B's N dearest steps (median extra over rounds)")
    a = p.parse_args(argv)

    ctx = mp.get_context("spawn")
    variants = {"bare": None, "A": a.a, "B": a.b}
    conns, procs = {}, []
    for name, src in variants.items():
        parent, child = ctx.Pipe()
        without = tuple(q for q in a.b_without.split(",") if q) if name == "B" else ()
        proc = ctx.Process(target=_worker, args=(child, src, a.model, a.threads, without), daemon=True)
        proc.start()
        conns[name], procs = parent, [*procs, proc]
    per_round: dict[str, list[list[float]]] = {v: [] for v in variants}
    try:
        for r in range(-1, a.rounds):
            steps = 50 if r < 0 else a.steps
            for conn in conns.values():
                conn.send((steps, a.chunk))
                conn.recv()
            order = list(variants)
            for turn in range((steps + a.chunk - 1) // a.chunk):
                k = turn % len(order)
                for v in order[k:] + order[:k]:
                    conns[v].send("go")
                    conns[v].recv()
            results = {v: conns[v].recv() for v in variants}
            if r >= 0:
                for v, t in results.items():
                    per_round[v].append(t)
    finally:
        for conn in conns.values():
            conn.send(None)
        for proc in procs:
            proc.join(timeout=30)

    sys.path.insert(0, str(Path(a.b).resolve()))
    kinds = kinds_of(a.steps)
    count = {k: kinds.count(k) for k in KINDS}

    def mean_by_kind(times: list[float]) -> dict[str, float]:
        sums = dict.fromkeys(KINDS, 0.0)
        for kind, t in zip(kinds, times, strict=True):
            sums[kind] += t
        return {k: sums[k] / max(count[k], 1) for k in KINDS}

    print(f"{a.model}, {a.steps} steps x {a.rounds} rounds; extra CPU us over bare, median over rounds")
    print(
        f"  {'kind':13} {'steps':>6} {'bare us':>9} {'A us/step':>10} {'B us/step':>10} {'A amort':>8} {'B amort':>8}"
    )
    bare = [mean_by_kind(t) for t in per_round["bare"]]
    total = {"A": 0.0, "B": 0.0}
    for kind in KINDS:
        row = {}
        for v in ("A", "B"):
            extra = [mean_by_kind(t)[kind] - b[kind] for t, b in zip(per_round[v], bare, strict=True)]
            row[v] = statistics.median(extra) * 1e6
            total[v] += row[v] * count[kind] / a.steps
        base = statistics.median(b[kind] for b in bare) * 1e6
        print(
            f"  {kind:13} {count[kind]:6d} {base:9.1f} {row['A']:10.1f} {row['B']:10.1f} "
            f"{row['A'] * count[kind] / a.steps:8.1f} {row['B'] * count[kind] / a.steps:8.1f}"
        )
    bare_step = statistics.median(sum(t) / len(t) for t in per_round["bare"]) * 1e6
    ratios = {
        v: statistics.median(sum(t) / sum(b) for t, b in zip(per_round[v], per_round["bare"], strict=True))
        for v in ("A", "B")
    }
    print(
        f"  total: bare {bare_step:.1f} us/step; A +{total['A']:.1f} us ({ratios['A']:.3f}x), "
        f"B +{total['B']:.1f} us ({ratios['B']:.3f}x)"
    )
    if a.top:
        print_dearest_steps(per_round["B"], per_round["bare"], kinds, a.top)
    return 0


def print_dearest_steps(monitored: list[list[float]], bare: list[list[float]], kinds: list[str], top: int) -> None:
    """The steps that cost the monitor most (median extra over rounds) and their share of its total:
    a one-off cost (the first step, a checkpoint) shows here, not in a per-kind mean."""
    extra = [statistics.median(m[i] - b[i] for m, b in zip(monitored, bare, strict=True)) for i in range(len(kinds))]
    total = sum(extra) or 1.0
    print(f"  B's {top} dearest steps (extra us; share of B's total extra):")
    for i in sorted(range(len(extra)), key=extra.__getitem__, reverse=True)[:top]:
        print(f"    step {i:5d} {kinds[i]:12} {extra[i] * 1e6:9.1f}  {100 * extra[i] / total:5.1f}%")


if __name__ == "__main__":
    sys.exit(main())
