"""The HTML report in a real headless Chromium: loads clean, shows every finding, every chart is
a decoded image with ink on it, and injected markup from the user's names stays inert text.

Skips (with the reason) where Chromium is not installed or cannot start; ``.ci/run`` installs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_browser import PROBE, BrowserUnavailable, Chromium, find_chromium
from report_fixtures import ALL_PLOTS, IMG_INJECTION, INJECTION, make_findings, make_trace

from nndoctor.cli import main as cli_main
from nndoctor.report.html import write_html

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set NNDOCTOR_CHROMIUM)")
    try:
        with Chromium(binary) as b:
            yield b
    except BrowserUnavailable as exc:
        pytest.skip(f"Chromium cannot run here: {exc}")


def assert_clean_page(page, expected_plots: set[str]) -> dict:
    probe = page.probe
    assert page.console_errors == [], page.console_errors
    assert page.dialogs == [], f"an injected script ran: {page.dialogs}"
    assert probe["scripts"] == 0 and probe["handlers"] == 0  # no <script>, no on*= attribute in the DOM
    plots = {img["plot"] for img in probe["images"]}
    assert expected_plots <= plots, expected_plots - plots
    for img in probe["images"]:
        assert img["complete"] and img["width"] > 200 and img["height"] > 100, img
        assert img["shownWidth"] > 100, img  # laid out, not collapsed
        assert 0.01 < img["inked"] < 0.9 and img["colors"] > 8, img  # drawn on, not blank or solid
    return probe


def test_synthetic_report_renders_every_finding_and_chart(browser, tmp_path):
    findings = make_findings()
    page_path = write_html(tmp_path / "report.html", findings, title=f"run {INJECTION}", source=make_trace())
    page = browser.load(page_path, PROBE)
    probe = assert_clean_page(page, ALL_PLOTS)
    shown = [(f["id"], f["severity"]) for f in probe["findings"]]
    assert shown == [("nonfinite-loss", "error"), ("dead-relu", "warning"), ("still-improving", "info")]  # worst first
    for f, card in zip(sorted(findings, key=lambda f: f.severity.rank), probe["findings"], strict=True):
        assert f.message in card["text"]
        assert "Evidence" in card["text"] and "Fix" in card["text"]
    dead = probe["findings"][1]["text"]
    assert "0.62" in dead and "nn.LeakyReLU(0.01)" in dead
    assert IMG_INJECTION in dead  # the evidence value shows as text
    assert probe["title"] == f"run {INJECTION}"
    assert probe["text"].count(INJECTION) >= 4  # title, table, card, sample predictions: all literal text


def test_report_of_a_real_run_in_the_browser(browser, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = cli_main(
        [
            "run",
            "--no-status",
            "--html",
            "run.html",
            "--log-dir",
            str(tmp_path / "runs"),
            str(SCRIPTS / "injection_mlp.py"),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == "done\n"
    page = browser.load(tmp_path / "run.html", PROBE)
    probe = assert_clean_page(page, {"loss", "grad_norm", "param_grad_norm", "update_ratio", "weight_histogram"})
    card = next(c for c in probe["findings"] if c["id"] == "nonfinite-loss")
    assert f"model.{INJECTION}" in card["text"]  # where: the layer named like a script tag, shown as text


def test_the_browser_checks_can_fail(browser, tmp_path):
    """The harness itself sees a script that runs, a console error and a blank image."""
    import base64
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # an empty white figure
    blank = base64.b64encode(buf.getvalue()).decode()
    bad = tmp_path / "bad.html"
    bad.write_text(
        f"<html><body><figure data-plot='x'><img src='data:image/png;base64,{blank}'></figure>"
        f"<script>console.error('boom'); alert('xss');</script></body></html>"
    )
    page = browser.load(bad, PROBE)
    assert page.dialogs == ["xss"]
    assert any("boom" in e for e in page.console_errors)
    assert page.probe["scripts"] == 1
    [img] = page.probe["images"]
    assert img["inked"] < 0.01  # blank: assert_clean_page would reject it
    with pytest.raises(AssertionError):
        assert_clean_page(page, {"x"})
