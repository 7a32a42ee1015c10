"""A self-contained HTML report, rendered from the same renderables as the terminal."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from nndoctor.findings import Finding, sort_findings
from nndoctor.report.terminal import finding_renderable, summary_renderable


def write_html(path: str | Path, findings: Sequence[Finding], title: str = "nndoctor report") -> None:
    console = Console(record=True, width=110, file=io.StringIO(), force_terminal=True)
    console.print(summary_renderable(findings, title))
    for f in sort_findings(list(findings)):
        console.print(finding_renderable(f))
    Path(path).write_text(console.export_html(inline_styles=True))
