"""Options and outputs shared by the subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from nndoctor.findings import Finding


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE", help="write the findings as JSON (CONTRACT.md format)")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--ignore", metavar="ID", action="append", default=[], help="silence a diagnosis id (repeatable)")


def write_outputs(args: argparse.Namespace, findings: Sequence[Finding], title: str, **context: object) -> None:
    """Write ``--json`` and ``--html`` if asked. ``context`` carries extra report data (a trace...)."""
    from nndoctor.report.json_report import write_json

    if getattr(args, "json", None):
        write_json(args.json, findings)
    if getattr(args, "html", None):
        from nndoctor.report.html import write_html

        write_html(args.html, findings, title=title)
