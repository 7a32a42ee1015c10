"""A fix with several code blocks shows each one as code, in the terminal and in HTML."""

from __future__ import annotations

from rich.console import Console

from nndoctor.findings import Finding, Severity
from nndoctor.report.fix_text import fix_parts
from nndoctor.report.html import _fix_html
from nndoctor.report.terminal import finding_renderable

FIX = (
    "Lower the rate:\n```\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n```\n"
    "If the model attends, check the mask:\n```python\nmask = tokens == PAD\n```"
)


def test_every_block_is_split_out():
    assert fix_parts(FIX) == [
        ("Lower the rate:", False),
        ("optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)", True),
        ("If the model attends, check the mask:", False),
        ("mask = tokens == PAD", True),
    ]
    assert fix_parts("Just prose.") == [("Just prose.", False)]


def test_the_terminal_and_the_page_show_no_fence():
    finding = Finding("constant-output", Severity.WARNING, "Predictions do not depend on the input", "msg", FIX)
    console = Console(record=True, width=100, color_system=None)
    console.print(finding_renderable(finding))
    text = console.export_text()
    assert "```" not in text and "mask = tokens == PAD" in text and "check the mask:" in text
    page = _fix_html(FIX)
    assert "```" not in page and page.count("<pre><code>") == 2 and "python" not in page
