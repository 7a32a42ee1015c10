"""``nndoctor report DIR``: re-render a finished or crashed run's record."""

from __future__ import annotations

import argparse
import sys

from nndoctor.commands._common import add_output_options, write_outputs
from nndoctor.errors import BadInput

HELP = "re-render a finished or crashed run's record"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output_options(p)
    p.add_argument("record", help="a run record folder (nndoctor-runs/<run>)")


def main(args: argparse.Namespace) -> int:
    from nndoctor.findings import Finding
    from nndoctor.registry import make_rules
    from nndoctor.report.terminal import make_console, print_summary
    from nndoctor.trace import load_record

    try:
        record = load_record(args.record)
    except FileNotFoundError as exc:
        raise BadInput(str(exc)) from None
    view = record.trace.view(final=True)
    findings: dict = {}
    for d in record.findings or []:
        f = Finding.from_dict(d)
        findings[f.key] = f
    for rule in make_rules(ignore=set(args.ignore)):
        try:
            for f in rule.check(view):
                findings.setdefault(f.key, f)
        except Exception as exc:  # a broken rule must not hide the others
            print(f"nndoctor: rule {rule.id} failed on this record: {exc}", file=sys.stderr)
    found = [f for f in findings.values() if f.id not in set(args.ignore)]
    state = "finished" if record.finished else "did not finish (killed or crashed); findings recomputed from its trace"
    console = make_console()
    console.print(f"[dim]{record.directory}: {record.meta.get('script', '?')} {state}; last step {view.last_step}[/dim]")
    print_summary(console, found, details=True, headline="nndoctor report")
    write_outputs(args, found, title=f"nndoctor report {record.directory}", record=record)
    return 0
