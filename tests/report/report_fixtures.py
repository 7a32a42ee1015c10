"""A synthetic trace with every series and event the reports draw, and findings to show.

Built in code (no training), seeded, so report tests are fast and exact. Module names carry
HTML/JS injection attempts: a report must show them as text.
"""

from __future__ import annotations

import math

import numpy as np

from nndoctor.findings import Finding, Severity
from nndoctor.trace import Trace

INJECTION = "<script>alert(1)</script>"
IMG_INJECTION = '<img src=x onerror="alert(2)">'
LAYERS = ["model.fc1", f"model.{INJECTION}", "model.fc3"]
STEPS = 300


def make_findings() -> list[Finding]:
    return [
        Finding(
            "dead-relu",
            Severity.WARNING,
            "Many ReLU units never activate",
            f"62% of the units of model.{INJECTION} output zero for every sample.",
            "Lower the learning rate or use LeakyReLU:\n```\nnn.LeakyReLU(0.01)\n```",
            where=f"model.{INJECTION}",
            step=120,
            evidence={"dead_fraction": 0.62, "layer": IMG_INJECTION},
        ),
        Finding(
            "nonfinite-loss",
            Severity.ERROR,
            "The loss became NaN/Inf",
            "The loss became nan at step 250.",
            "Lower the learning rate:\n```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```",
            where="model.fc3",
            step=250,
            evidence={"value": "nan", "last_finite_loss": 0.4121},
        ),
        Finding(
            "still-improving",
            Severity.INFO,
            "Training stopped while the loss was still falling",
            "The loss fell 12% over the last 50 steps.",
            "Train longer:\n```\nepochs = 20\n```",
            step=None,
            evidence={"slope": -0.0012},
        ),
    ]


def make_trace(examine: bool = True, finished: bool = True, sink=None) -> Trace:
    """The synthetic run; ``finished=False`` drops the end-of-run histograms (a killed run);
    ``sink`` receives the records as a run record would."""
    rng = np.random.default_rng(0)
    trace = Trace(sink)
    for s in range(STEPS):
        loss = 2.3 * math.exp(-s / 80) + 0.1 + 0.05 * rng.standard_normal()
        trace.scalar("loss", s, float("nan") if s >= 250 else loss)
        trace.scalar("grad_norm", s, float(1.0 + rng.random()), "optimizer")
        if s % 10 == 0:
            for i, layer in enumerate(LAYERS):
                for p in ("weight", "bias"):
                    trace.scalar("param_grad_norm", s, float(10.0 ** (-i) * (1 + rng.random())), f"{layer}.{p}")
                    trace.scalar("update_ratio", s, float(10.0 ** (-2 - i) * (1 + rng.random())), f"{layer}.{p}")
                trace.scalar("dead_fraction", s, min(1.0, s / STEPS + 0.1 * i), layer)
            trace.scalar("saturated_fraction", s, 0.3, "model.act")
            trace.scalar("lr", s, 0.1 * (1 - s / STEPS), "optimizer.group0")
        if s % 50 == 0:
            trace.scalar("val_loss", s, 2.3 * math.exp(-s / 90) + 0.2)
    for phase, step, scale in (("start", 0, 0.1), ("end", STEPS, 0.3))[: 2 if finished else 1]:
        layers = {}
        for layer in LAYERS:
            counts, edges = np.histogram(rng.normal(0, scale, 500), bins=32)
            layers[f"{layer}.weight"] = {
                "counts": counts.tolist(),
                "edges": edges.tolist(),
                "n": 500,
                "mean": 0.0,
                "std": scale,
                "nonfinite": 0,
            }
        trace.event("weight_histogram", step, phase=phase, layers=layers)
    if examine:
        lrs = np.logspace(-5, 0, 40)
        trace.event(
            "lr_range_curve",
            0,
            lrs=lrs.tolist(),
            losses=(2.3 - np.tanh(np.log10(lrs) + 4) + np.maximum(0, np.log10(lrs) + 1) ** 2).tolist(),
            suggested_lr=3e-3,
        )
        trace.event(
            "overfit_curve",
            0,
            steps=list(range(0, 200, 5)),
            losses=[2.3 * math.exp(-k / 30) for k in range(0, 200, 5)],
            target=0.01,
        )
        labels = ["cat", "dog", INJECTION]
        trace.event("confusion_matrix", 0, labels=labels, matrix=[[40, 5, 5], [3, 45, 2], [10, 0, 40]])
        items = []
        for i in range(6):
            img = rng.random((8, 8)).tolist()
            items.append(
                {
                    "index": i,
                    "label": labels[i % 3],
                    "predicted": labels[(i + (i % 2)) % 3],
                    "correct": i % 2 == 0,
                    "confidence": 0.5 + i / 20,
                    "image": img,
                }
            )
        trace.event("sample_predictions", 0, items=items)
        trace.event("bias_variance", 0, train_error=0.08, val_error=0.21, baseline_error=0.02)
    trace.flush()
    return trace


def write_record(directory, examine: bool = False, finished: bool = True):
    """The synthetic run as a run record on disk (``findings.json`` only if it finished)."""
    from nndoctor.trace.record import RecordWriter

    writer = RecordWriter(directory, {"script": "train.py", "argv": ["train.py", "--epochs", "3"], "kind": "run"})
    make_trace(examine, finished, sink=writer)
    if finished:
        writer.write_findings([f.to_dict() for f in make_findings()])
    writer.close()
    return directory


#: Every chart the synthetic trace has data for.
ALL_PLOTS = {
    "loss",
    "grad_norm",
    "param_grad_norm",
    "update_ratio",
    "lr",
    "dead_fraction",
    "saturated_fraction",
    "weight_histogram",
    "lr_range_curve",
    "overfit_curve",
    "confusion_matrix",
    "sample_predictions",
    "bias_variance",
}
EXAMINE_PLOTS = {"lr_range_curve", "overfit_curve", "confusion_matrix", "sample_predictions", "bias_variance"}
