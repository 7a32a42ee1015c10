"""Python work the monitor adds to a training step, counted in bytecode instructions.

Timing differences of a few microseconds per step drown in machine noise (see overhead.py);
the number of Python bytecode instructions nndoctor executes does not, and on a small CPU
model it tracks the cost: the monitor's code runs once per step, cold, at roughly 30-50 ns an
instruction on a 2-core VM. This counts them per step, by kind of step (the first step,
sampled steps with and without the thinned quantities, frequent steps, plain steps), and names
the functions that execute most, so a change to the hot path can be judged exactly.

    python benchmarks/python_work.py --model mlp --steps 1000 --top 15
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import overhead
import torch

KINDS = ("first", "sampled", "thinned", "frequent", "plain")


def count(model: str, steps: int, quantities: str = "rules") -> tuple[Counter, Counter, Counter]:
    """Instructions executed in nndoctor's code per (kind, function), per kind, and steps per kind."""
    torch.set_num_threads(1)
    work = overhead.make_workloads([model])[0]
    run = overhead.Run(work, "cpu")
    net, opt, criterion, batches = run.model, run.opt, run.criterion, run.batches
    by_function: Counter = Counter()
    by_kind: Counter = Counter()
    kind = "first"

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode" and "nndoctor" in frame.f_code.co_filename:
            path = frame.f_code.co_filename.rsplit("nndoctor/", 1)[-1]
            by_function[(kind, f"{path}:{frame.f_code.co_name}")] += 1
            by_kind[kind] += 1
        return tracer

    per_kind: Counter = Counter()
    monitor = overhead._monitor(Path(tempfile.mkdtemp()), quantities)
    monitor.start()
    try:
        for s in range(steps):
            if s:
                full = monitor.full_sample
                kind = (
                    ("sampled" if full else "thinned")
                    if monitor.sampled
                    else "frequent"
                    if monitor.frequent
                    else "plain"
                )
            per_kind[kind] += 1
            x, y = batches[s % len(batches)]
            sys.settrace(tracer)
            try:
                opt.zero_grad(set_to_none=True)
                criterion(net(x), y).backward()
                opt.step()
            finally:
                sys.settrace(None)
    finally:
        monitor.stop()
    return by_function, by_kind, per_kind


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="mlp", choices=["mlp", "cnn", "lstm"])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--top", type=int, default=10, help="functions listed per kind of step")
    p.add_argument(
        "--quantities", default="rules", choices=["rules", "all", "none"], help="none: the monitor's hooks alone"
    )
    a = p.parse_args(argv)
    by_function, by_kind, per_kind = count(a.model, a.steps, a.quantities)
    total = sum(by_kind.values()) / a.steps
    print(f"{a.model}, {a.steps} steps: {total:.0f} nndoctor bytecode instructions per step on average")
    for kind in KINDS:
        n = per_kind[kind]
        if not n:
            continue
        share = by_kind[kind] / a.steps
        print(f"\n{kind}: {n} steps, {by_kind[kind] / n:.0f} per step ({share:.0f} of the average)")
        rows = sorted(((v / n, f) for (k, f), v in by_function.items() if k == kind), reverse=True)
        for v, f in rows[: a.top]:
            print(f"  {v:8.0f}  {f}")


if __name__ == "__main__":
    main()
