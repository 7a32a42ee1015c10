"""Export a trace to TensorBoard: every recorded scalar series, the weight histograms, the findings.

An optional extra (``pip install "nndoctor[tensorboard]"``): ``torch.utils.tensorboard`` needs the
``tensorboard`` package. Tags are ``<series>`` or ``<series>/<key>`` (``loss``,
``param_grad_norm/model.fc1.weight``), histograms ``weights/<parameter>``, and the findings are a
markdown table under ``nndoctor/findings``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from nndoctor.errors import BadInput
from nndoctor.findings import Finding, sort_findings
from nndoctor.trace import TraceView

#: Points per scalar tag at most (evenly strided): TensorBoard itself keeps 1,000 per tag by default.
MAX_POINTS = 20_000
INSTALL_HINT = 'TensorBoard export needs the tensorboard package: pip install "nndoctor[tensorboard]"'


def _summary_writer():
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise BadInput(INSTALL_HINT) from None
    return SummaryWriter


def findings_markdown(findings: Sequence[Finding]) -> str:
    """The findings as a markdown table (TensorBoard's text plugin renders markdown)."""
    if not findings:
        return "nndoctor: no problems found."

    def cell(s: object) -> str:
        return str(s).replace("|", "\\|").replace("\n", " ")

    rows = ["| severity | id | where | step | what |", "|---|---|---|---|---|"]
    for f in sort_findings(list(findings)):
        rows.append(
            f"| {f.severity.value} | {cell(f.id)} | {cell(f.where or '-')} | {'-' if f.step is None else f.step} "
            f"| {cell(f.title)}: {cell(f.message)} |"
        )
    return "\n".join(rows)


def export_tensorboard(
    view: TraceView, log_dir: str | Path, findings: Sequence[Finding] = (), run_name: str | None = None
) -> Path:
    """Write TensorBoard event files for ``view``; return the folder written.

    With ``run_name`` the events go to ``log_dir/run_name`` (so ``tensorboard --logdir log_dir``
    compares runs), replacing that folder's earlier export.
    """
    writer_cls = _summary_writer()
    target = Path(log_dir) / run_name if run_name else Path(log_dir)
    if run_name and target.is_dir():
        for old in target.glob("events.out.tfevents.*"):
            old.unlink()
    writer = writer_cls(log_dir=str(target))
    try:
        for name in view.names():
            keyed = [(name, None)] if not view.series(name).empty else []
            keyed += [(f"{name}/{k}", k) for k in view.keys(name)]
            for tag, key in keyed:
                s = view.series(name, key).per_step_mean()
                every = max(1, -(-len(s) // MAX_POINTS))
                for step, value in zip(s.steps[::every].tolist(), s.values[::every].tolist(), strict=True):
                    writer.add_scalar(tag, value, global_step=step)
        for event in view.events("weight_histogram"):
            for param, h in (event.data.get("layers") or {}).items():
                counts, edges, n = h.get("counts") or [], h.get("edges") or [], h.get("n") or 0
                if not counts or len(edges) != len(counts) + 1 or n <= 0:
                    continue
                mean, std = float(h.get("mean", 0.0)), float(h.get("std", 0.0))
                if not (math.isfinite(mean) and math.isfinite(std)):
                    continue
                writer.add_histogram_raw(
                    f"weights/{param}",
                    min=float(edges[0]),
                    max=float(edges[-1]),
                    num=int(n),
                    sum=mean * n,
                    sum_squares=(std * std + mean * mean) * n,
                    bucket_limits=[float(e) for e in edges[1:]],
                    bucket_counts=[float(c) for c in counts],
                    global_step=event.step,
                )
        writer.add_text("nndoctor/findings", findings_markdown(findings), global_step=view.last_step)
    finally:
        writer.close()
    return target
