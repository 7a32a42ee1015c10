"""Terminal rendering with rich: one renderable per finding, one summary table.

The same renderables can be recorded and exported (``Console(record=True)``), so every target
shows the same thing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from nndoctor.findings import Finding, Severity, sort_findings
from nndoctor.report.fix_text import fix_parts

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def make_console(stderr: bool = True) -> Console:
    """nndoctor writes to stderr so the user's own stdout stays exactly as it was."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=None if sys.stderr.isatty() else 100)


def format_value(value: object) -> str:
    """A number or list as a person reads it: 4 significant digits, long lists cut at 8."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(format_value(v) for v in value[:8])
        return f"[{shown}{', ...' if len(value) > 8 else ''}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in list(value.items())[:8]) + "}"
    return str(value)


def finding_renderable(finding: Finding) -> RenderableType:
    """A panel: the message, the evidence (numbers), the fix (a code line)."""
    parts: list[RenderableType] = [Text(finding.message)]
    if finding.evidence:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim")
        table.add_column()
        for key, value in finding.evidence.items():
            table.add_row(key, Text(format_value(value)))
        parts += [Text(""), Text("Evidence", style="bold"), table]
    if finding.fix:
        parts += [Text(""), Text("Fix", style="bold")]
        for text, is_code in fix_parts(finding.fix):
            if is_code:
                parts.append(Syntax(text, "python", theme="ansi_dark", background_color="default"))
            else:
                parts.append(Text(text))
    where = f" in {finding.where}" if finding.where else ""
    step = f" at step {finding.step}" if finding.step is not None else ""
    title = Text.assemble(
        (f"{finding.severity.value.upper()} ", STYLE[finding.severity]),
        (finding.id, "bold"),
        (f"{where}{step}", ""),
    )
    sub = Text(f"silence: --ignore {finding.id}", style="dim")
    return Panel(
        Group(Text(finding.title, style="bold"), Text(""), *parts),
        title=title,
        title_align="left",
        subtitle=sub,
        subtitle_align="right",
        border_style=STYLE[finding.severity],
    )


def summary_renderable(findings: Sequence[Finding], headline: str = "nndoctor summary") -> RenderableType:
    """A table of every finding, most severe first; a clear line when there is none."""
    findings = sort_findings(list(findings))
    if not findings:
        return Text(f"{headline}: no problems found.", style="green")
    table = Table(title=headline, title_justify="left", show_lines=False, expand=False)
    table.add_column("severity")
    table.add_column("id", style="bold")
    table.add_column("where")
    table.add_column("step", justify="right")
    table.add_column("what")
    for f in findings:
        table.add_row(
            Text(f.severity.value, style=STYLE[f.severity]),
            f.id,
            Text(f.where or "-"),
            "-" if f.step is None else str(f.step),
            _what(f),
        )
    return table


def _what(finding: Finding) -> Text:
    """The title, and the finding it follows from when one in the list explains it."""
    text = Text(finding.title)
    cause = finding.evidence.get("likely_cause")
    if cause:
        text.append(f" (follows from {cause})", style="dim")
    return text


def print_finding(console: Console, finding: Finding) -> None:
    console.print(finding_renderable(finding))


def print_summary(
    console: Console,
    findings: Sequence[Finding],
    details: bool = True,
    headline: str = "nndoctor summary",
    resolved: Sequence[Finding] = (),
) -> None:
    """The end-of-run summary: the table, then each finding in full unless already shown; last,
    one line for each live finding the end of the run withdrew (its panel was shown while the
    run trained, so the reader learns it no longer holds)."""
    console.print()
    console.print(summary_renderable(findings, headline))
    for f in sort_findings(list(resolved)):
        where = f" in {f.where}" if f.where else ""
        step = f" (step {f.step})" if f.step is not None else ""
        console.print(
            Text(f"withdrawn: {f.id}{where}{step} was reported while training; the end of the run no longer shows it."),
            style="dim",
            soft_wrap=True,
        )
    if details:
        for f in sort_findings(list(findings)):
            console.print(finding_renderable(f))
