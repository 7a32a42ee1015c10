"""A self-contained HTML report: findings first (most severe first), then the charts.

One file that works offline: inline CSS, charts embedded as base64 PNG (drawn by matplotlib),
no scripts at all, and a Content-Security-Policy that forbids loading anything from anywhere.
Every string that came from the user's code (module names, messages, evidence, script paths)
goes through :func:`html.escape`; the CSP is a second wall should one ever slip through.
"""

from __future__ import annotations

import base64
import html
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nndoctor.findings import Finding, Severity, sort_findings
from nndoctor.report.fix_text import fix_parts
from nndoctor.report.plots import Plot, make_plots
from nndoctor.report.plots.examine import sample_items
from nndoctor.report.source import ReportData, Source, resolve
from nndoctor.report.terminal import format_value

SECTIONS = (
    ("training", "Training"),
    ("layers", "Inside the layers"),
    ("examine", "Experiments (examine)"),
)
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
MAX_SAMPLE_ROWS = 24

_CSS = """
:root { --err:#c62828; --warn:#b26a00; --info:#1565c0; --ok:#2e7d32; --line:#e0e0e0; --muted:#666; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #212121;
       background: #fafafa; line-height: 1.45; }
main { max-width: 1080px; margin: 0 auto; padding: 0 20px 40px; }
header { background: #263238; color: #fff; padding: 18px 20px; }
header .inner { max-width: 1080px; margin: 0 auto; }
header h1 { margin: 0 0 6px; font-size: 1.4em; word-break: break-all; }
header .meta { color: #cfd8dc; font-size: .9em; margin: 0; }
nav { margin: 10px 0 0; font-size: .9em; }
nav a { color: #b3e5fc; margin-right: 14px; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #263238; color: #eceff1; padding: 10px 12px; border-radius: 6px; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: .8em;
         font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.badge.error { background: var(--err); } .badge.warning { background: var(--warn); }
.badge.info { background: var(--info); } .badge.ok { background: var(--ok); }
table { border-collapse: collapse; }
table.summary { width: 100%; background: #fff; margin: 8px 0 18px; font-size: .92em; }
table.summary th, table.summary td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line);
                                      vertical-align: top; word-break: break-word; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--info);
           border-radius: 6px; padding: 12px 16px; margin: 14px 0; }
.finding.error { border-left-color: var(--err); } .finding.warning { border-left-color: var(--warn); }
.finding h3 { margin: 0 0 4px; font-size: 1.08em; }
.finding .where { color: var(--muted); margin: 0 0 8px; font-size: .92em; word-break: break-word; }
.finding h4 { margin: 12px 0 4px; font-size: .95em; }
table.evidence td { padding: 2px 14px 2px 0; vertical-align: top; word-break: break-word; }
table.evidence td:first-child { color: var(--muted); white-space: nowrap; }
.silence { color: var(--muted); font-size: .85em; margin: 8px 0 0; }
.clean { background: #e8f5e9; border: 1px solid #a5d6a7; border-radius: 6px; padding: 12px 16px; }
figure { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 16px 0; padding: 12px; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: #424242; font-size: .92em; margin-top: 8px; }
figcaption b { color: #212121; }
table.samples { background: #fff; font-size: .9em; }
table.samples th, table.samples td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; }
.right { color: var(--ok); font-weight: 600; } .wrong { color: var(--err); font-weight: 600; }
.notes { color: var(--muted); font-size: .85em; }
footer { color: var(--muted); font-size: .8em; margin-top: 40px; }
"""


def esc(value: object) -> str:
    """Escape anything for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "x"


def _fix_html(fix: str) -> str:
    """The fix's prose as paragraphs, its code blocks as <pre><code>."""
    return "".join(
        f"<pre><code>{esc(text)}</code></pre>" if is_code else f"<p>{esc(text)}</p>".replace("\n", "<br>")
        for text, is_code in fix_parts(fix)
    )


def finding_html(f: Finding, anchor: str) -> str:
    sev = f.severity.value
    where = f" in <code>{esc(f.where)}</code>" if f.where else ""
    step = f" at step {esc(f.step)}" if f.step is not None else ""
    parts = [
        f'<article class="finding {sev}" id="{anchor}" data-id="{esc(f.id)}" data-severity="{sev}">',
        f'<h3><span class="badge {sev}">{sev}</span> <code>{esc(f.id)}</code> {esc(f.title)}</h3>',
    ]
    if where or step:
        parts.append(f'<p class="where">found{where}{step}</p>')
    parts.append(f'<p class="message">{esc(f.message)}</p>')
    if f.evidence:
        rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(format_value(v))}</td></tr>" for k, v in f.evidence.items())
        parts.append(f'<h4>Evidence</h4><table class="evidence">{rows}</table>')
    if f.fix:
        parts.append(f"<h4>Fix</h4>{_fix_html(f.fix)}")
    parts.append(f'<p class="silence">silence it: <code>--ignore {esc(f.id)}</code></p></article>')
    return "\n".join(parts)


def findings_html(findings: Sequence[Finding]) -> str:
    findings = sort_findings(list(findings))
    if not findings:
        return '<div class="clean"><span class="badge ok">ok</span> No problems found.</div>'
    rows, cards = [], []
    for i, f in enumerate(findings, 1):
        anchor = f"finding-{i}-{_slug(f.id)}"
        sev = f.severity.value
        rows.append(
            f'<tr><td><span class="badge {sev}">{sev}</span></td><td><a href="#{anchor}"><code>{esc(f.id)}</code></a>'
            f"</td><td>{esc(f.where or '-')}</td><td>{'-' if f.step is None else esc(f.step)}</td><td>{esc(f.title)}</td></tr>"
        )
        cards.append(finding_html(f, anchor))
    table = (
        '<table class="summary"><thead><tr><th>severity</th><th>id</th><th>where</th><th>step</th><th>what</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return table + "\n" + "\n".join(cards)


def figure_html(plot: Plot) -> str:
    data = base64.b64encode(plot.png).decode("ascii")
    return (
        f'<figure id="plot-{esc(plot.key)}" data-plot="{esc(plot.key)}">'
        f'<img src="data:image/png;base64,{data}" alt="{esc(plot.title)}">'
        f"<figcaption><b>{esc(plot.title)}.</b> {esc(plot.caption)}</figcaption></figure>"
    )


def samples_table_html(items: Iterable[dict[str, Any]]) -> str:
    """The wrong predictions first (they are the interesting ones), then right ones."""
    items = list(items)
    if not items:
        return ""
    wrong = [i for i in items if not i.get("correct")]
    right = [i for i in items if i.get("correct")]
    shown = wrong[: MAX_SAMPLE_ROWS // 2] + right[: MAX_SAMPLE_ROWS // 2]
    extra = [k for k in ("confidence", "loss") if any(k in i for i in items)]
    head = "".join(f"<th>{esc(h)}</th>" for h in ("#", "true", "predicted", "", *extra))
    rows = []
    for item in shown:
        ok = bool(item.get("correct"))
        mark = '<span class="right">right</span>' if ok else '<span class="wrong">wrong</span>'
        cells = [esc(item.get("index", "")), esc(item.get("label", "")), esc(item.get("predicted", "")), mark]
        cells += [esc(format_value(item[k])) if k in item else "" for k in extra]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        f"<h3>Sample predictions ({len(right)} right, {len(wrong)} wrong)</h3>"
        f'<table class="samples" id="sample-predictions"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _run_line(data: ReportData) -> str:
    meta, view = data.meta, data.view
    bits = []
    if meta.get("script"):
        bits.append(f"script <code>{esc(meta['script'])}</code>")
    if meta.get("argv") and len(meta["argv"]) > 1:
        bits.append("arguments <code>" + esc(" ".join(str(a) for a in meta["argv"][1:])) + "</code>")
    if meta.get("started"):
        bits.append(f"started {esc(meta['started'])}")
    if data.finished is False:
        bits.append("<b>did not finish</b> (killed or crashed; findings recomputed from its trace)")
    if view is not None and view.last_step:
        bits.append(f"{int(view.last_step)} optimizer steps")
        loss = view.loss
        good = loss.values[np.isfinite(loss.values)] if len(loss) else loss.values
        if len(good):
            bits.append(f"loss {esc(format_value(float(good[0])))} &rarr; {esc(format_value(float(good[-1])))}")
    for key in ("torch", "python"):
        if meta.get(key):
            bits.append(f"{key} {esc(meta[key])}")
    if data.directory is not None:
        bits.append(f"record <code>{esc(data.directory)}</code>")
    return " &middot; ".join(bits)


def _counts(findings: Sequence[Finding]) -> str:
    out = []
    for sev in Severity:
        n = sum(f.severity is sev for f in findings)
        if n:
            out.append(f'<span class="badge {sev.value}">{n} {sev.value}{"s" if n > 1 else ""}</span>')
    return " ".join(out) or '<span class="badge ok">no problems</span>'


def render_html(
    findings: Sequence[Finding],
    title: str = "nndoctor report",
    source: Source = None,
    meta: dict[str, Any] | None = None,
) -> str:
    """The whole page as a string. ``source``: a Trace, TraceView, RunRecord or record folder."""
    data = source if isinstance(source, ReportData) else resolve(source, meta)
    plots, failed = make_plots(data.view, findings) if data.view is not None else ([], [])
    items = sample_items(data.view) if data.view is not None else []
    body = [f'<section id="findings"><h2>Findings {_counts(findings)}</h2>{findings_html(findings)}</section>']
    nav = ['<a href="#findings">Findings</a>']
    for key, heading in SECTIONS:
        parts = []
        for p in plots:
            if p.section == key:
                parts.append(figure_html(p))
                if p.key == "sample_predictions":
                    parts.append(samples_table_html(items))
        if key == "examine" and items and not any(p.key == "sample_predictions" for p in plots):
            parts.append(samples_table_html(items))
        if parts:
            body.append(f'<section id="{key}"><h2>{esc(heading)}</h2>{"".join(parts)}</section>')
            nav.append(f'<a href="#{key}">{esc(heading)}</a>')
    if data.view is None:
        body.append('<p class="notes">No measurements were available for this report, so it has no charts.</p>')
    if failed:
        body.append('<p class="notes">Charts that could not be drawn: ' + esc("; ".join(failed)) + "</p>")
    from nndoctor import __version__

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header><div class="inner"><h1>{esc(title)}</h1><p class="meta">{_run_line(data)}</p>
<nav>{"".join(nav)}</nav></div></header>
<main>
{"".join(body)}
<footer>nndoctor {esc(__version__)} &middot; generated {esc(time.strftime("%Y-%m-%d %H:%M:%S"))}</footer>
</main>
</body>
</html>
"""


def write_html(
    path: str | Path,
    findings: Sequence[Finding],
    title: str = "nndoctor report",
    source: Source = None,
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(render_html(findings, title, source, meta), encoding="utf-8")
    return path
