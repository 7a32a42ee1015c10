"""``nndoctor report DIR``: re-render a finished or crashed run's record.

Rules are pure functions of the trace, so a run killed mid-training (``trace.jsonl`` is written
crash-safe, ``findings.json`` is missing) gets its findings recomputed; a finished run's stored
findings are kept and completed by the end-of-run checks.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from nndoctor.commands._common import add_output_options, write_outputs
from nndoctor.findings import Finding
from nndoctor.trace import RunRecord, TraceView

HELP = "re-render a finished or crashed run's record (terminal, --html, --json, --tensorboard)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output_options(p)
    p.add_argument(
        "--tensorboard",
        metavar="DIR",
        help='also export scalars and histograms for TensorBoard (needs: pip install "nndoctor[tensorboard]")',
    )
    p.add_argument("record", help="a run record folder (nndoctor-runs/<run>)")


def recompute_findings(record: RunRecord, ignore: set[str]) -> list[Finding]:
    """The record's stored findings, completed by every rule run on the whole trace."""
    from nndoctor.registry import make_rules

    view = record.trace.view(final=True)
    findings: dict = {}
    for d in record.findings or []:
        try:
            f = Finding.from_dict(d)
        except (KeyError, TypeError, ValueError):
            continue
        findings[f.key] = f
    for rule in make_rules(ignore=ignore):
        try:
            for f in rule.check(view):
                findings.setdefault(f.key, f)
        except Exception as exc:  # a broken rule must not hide the others
            print(f"nndoctor: rule {rule.id} failed on this record: {exc}", file=sys.stderr)
    return [f for f in findings.values() if f.id not in ignore]


def run_summary(record: RunRecord, view: TraceView) -> str:
    """One line: what ran, whether it finished, how far it got, where the loss went."""
    state = "finished" if record.finished else "did not finish (killed or crashed); findings recomputed from its trace"
    line = f"{record.directory}: {record.meta.get('script', '?')} {state}; {view.last_step} optimizer steps"
    loss = view.loss
    good = loss.values[np.isfinite(loss.values)]
    if len(good):
        line += f"; loss {good[0]:.4g} -> {good[-1]:.4g}"
    if len(good) < len(loss):
        line += f" ({len(loss) - len(good)} non-finite)"
    return line


def main(args: argparse.Namespace) -> int:
    from rich.text import Text

    from nndoctor.report.source import read_record
    from nndoctor.report.terminal import make_console, print_summary

    record = read_record(args.record)
    ignore = set(args.ignore)
    view = record.trace.view(final=True)
    found = recompute_findings(record, ignore)
    console = make_console()
    console.print(Text(run_summary(record, view), style="dim"), soft_wrap=True)
    print_summary(console, found, details=True, headline="nndoctor report")
    write_outputs(args, found, title=f"nndoctor report {record.directory.name}", record=record)
    return 0
