"""Options and outputs shared by the subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nndoctor.errors import BadInput
from nndoctor.findings import Finding


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE", help="write the findings as JSON (CONTRACT.md format)")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report with plots")
    p.add_argument("--ignore", metavar="ID", action="append", default=[], help="silence a diagnosis id (repeatable)")


def report_source(context: dict[str, Any]) -> Any:
    """What the reports draw from, best first: a live ``trace``, a loaded ``record``, a ``record_dir``."""
    for key in ("trace", "record", "record_dir"):
        if context.get(key) is not None:
            return context[key]
    return None


def write_outputs(args: argparse.Namespace, findings: Sequence[Finding], title: str, **context: Any) -> list[Path]:
    """Write ``--json``, ``--html`` and ``--tensorboard`` if asked; return the paths written.

    ``context`` says where the measurements are: ``trace=`` (a :class:`nndoctor.trace.Trace`, as
    ``run`` and ``examine`` have), ``record=`` (a loaded run record) or ``record_dir=`` (a run
    record folder); ``meta=`` adds lines to the report's header; ``resolved=`` (the findings the
    end of the run withdrew) goes into the JSON. The data is read once and shared by every output.
    """
    from nndoctor.report.json_report import write_json
    from nndoctor.report.terminal import make_console

    wanted_html, wanted_tb = getattr(args, "html", None), getattr(args, "tensorboard", None)
    data = None
    if wanted_html or wanted_tb:
        from nndoctor.report.source import resolve

        data = resolve(report_source(context), context.get("meta"), context.get("record_dir"))
    written: list[Path] = []
    try:
        if getattr(args, "json", None):
            resolved = context.get("resolved") or ()
            write_json(args.json, findings, **({"resolved": [f.to_dict() for f in resolved]} if resolved else {}))
            written.append(Path(args.json))
        if wanted_html:
            from nndoctor.report.html import write_html

            written.append(write_html(wanted_html, findings, title=title, source=data))
        if wanted_tb:
            from nndoctor.report.tensorboard import export_tensorboard

            if data is None or data.view is None:
                raise BadInput("--tensorboard needs measurements, and this command has none to export")
            name = data.directory.name if data.directory is not None else None
            written.append(export_tensorboard(data.view, wanted_tb, findings=findings, run_name=name))
    except OSError as exc:
        raise BadInput(f"cannot write {exc.filename or 'the report'}: {exc.strerror or exc}") from None
    if written:
        from rich.text import Text

        console = make_console()
        for path in written:
            console.print(Text(f"wrote {path}", style="dim"), soft_wrap=True)
    return written
