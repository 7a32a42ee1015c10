"""The HTML report without a browser: content, escaping, offline-ness, sources, robustness."""

from __future__ import annotations

import base64
import html
import io
import re
from html.parser import HTMLParser

import pytest
from matplotlib.image import imread
from report_fixtures import ALL_PLOTS, EXAMINE_PLOTS, IMG_INJECTION, INJECTION, make_findings, make_trace, write_record

from nndoctor.commands._common import write_outputs
from nndoctor.report.html import render_html
from nndoctor.report.plots import make_plots
from nndoctor.trace import Trace


class Page(HTMLParser):
    """Collects what a reader would: tags, figures and their images, visible text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.figures: dict[str, bytes] = {}
        self.text: list[str] = []
        self.attrs_seen: list[tuple[str, str | None]] = []
        self._figure: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        self.attrs_seen += attrs
        if tag == "figure":
            self._figure = a.get("data-plot")
        if tag == "img" and self._figure:
            assert a["src"].startswith("data:image/png;base64,")
            self.figures[self._figure] = base64.b64decode(a["src"].split(",", 1)[1])

    def handle_data(self, data):
        self.text.append(data)


def inked(png: bytes) -> float:
    """Share of pixels that are not white: a drawn chart has some, a blank one none."""
    img = imread(io.BytesIO(png))[..., :3]
    return float((img < 0.92).any(axis=-1).mean())


@pytest.fixture(scope="module")
def page_html() -> str:
    return render_html(make_findings(), title=f"report {INJECTION}", source=make_trace())


def test_every_chart_is_embedded_and_drawn(page_html):
    page = Page(page_html)
    assert set(page.figures) == ALL_PLOTS
    for key, png in page.figures.items():
        assert 0.01 < inked(png) < 0.9, key


def test_findings_come_first_most_severe_first_with_evidence_and_fix(page_html):
    text = html.unescape(page_html)
    order = [text.index(f'data-id="{i}"') for i in ("nonfinite-loss", "dead-relu", "still-improving")]
    assert order == sorted(order)
    assert order[-1] < text.index('id="training"')  # findings before the charts
    for f in make_findings():
        assert f.message in text and f.title in text
    assert "last_finite_loss" in text and "0.4121" in text
    assert "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)" in text
    assert "--ignore dead-relu" in text


def test_user_strings_are_escaped_and_the_page_loads_nothing(page_html):
    assert INJECTION not in page_html and IMG_INJECTION not in page_html
    assert html.escape(INJECTION) in page_html and html.escape(IMG_INJECTION, quote=True) in page_html
    page = Page(page_html)
    assert "script" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attrs_seen)
    assert INJECTION in "".join(page.text)  # shown as text
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page_html)  # nothing fetched: works offline
    assert "Content-Security-Policy" in page_html and "default-src 'none'" in page_html


def test_any_source_gives_the_same_data(tmp_path):
    from nndoctor.report.source import resolve

    record_dir = write_record(tmp_path / "run", finished=False)
    trace = make_trace(examine=False, finished=False)
    sources = {"trace": trace, "view": trace.view(), "dir": record_dir, "str": str(record_dir)}
    summaries = {}
    for name, source in sources.items():
        view = resolve(source).view
        summaries[name] = (
            {(n, k): repr(view.series(n, k).values.tolist()) for n in view.names() for k in [None, *view.keys(n)]},
            [e.step for e in view.events("weight_histogram")],
        )
    assert summaries["trace"] == summaries["view"] == summaries["dir"] == summaries["str"]
    page = render_html([], source=record_dir)
    assert "train.py" in page and "--epochs 3" in page and "did not finish" in page
    assert set(Page(page).figures) == ALL_PLOTS - EXAMINE_PLOTS


def test_no_findings_and_no_measurements():
    page = render_html([], title="empty")
    assert "No problems found" in page and "No measurements" in page
    assert Page(page).figures == {}


def test_malformed_examine_data_is_skipped_not_fatal():
    trace = Trace()
    trace.scalar("loss", 0, 1.0)
    trace.scalar("loss", 1, 0.5)
    trace.event("lr_range_curve", 0, lrs=["a", "b"], losses=[1, 2])
    trace.event("overfit_curve", 0, steps=[1], losses=[])
    trace.event("confusion_matrix", 0, labels=["a"], matrix=[[1, 2], [3]])
    trace.event("sample_predictions", 0, items="nope")
    trace.event("bias_variance", 0, train_error="x")
    trace.event("weight_histogram", 0, phase="start", layers={"w": {"counts": [1, 2], "edges": [0, 1]}})
    plots, failed = make_plots(trace.view(), [])
    assert [p.key for p in plots] == ["loss"] and failed == []


def test_a_chart_that_breaks_becomes_a_note(monkeypatch):
    from nndoctor.report.plots import training

    def broken(view, findings):
        raise ValueError("bad data")

    monkeypatch.setattr("nndoctor.report.plots.ALL", (broken, training.loss_plot))
    page = render_html([], source=make_trace(examine=False))
    assert "broken: ValueError: bad data" in page and 'data-plot="loss"' in page


def test_write_outputs_takes_a_trace_as_examine_passes_it(tmp_path):
    import argparse

    args = argparse.Namespace(json=str(tmp_path / "f.json"), html=str(tmp_path / "r.html"))
    written = write_outputs(args, make_findings(), "nndoctor examine recipe.py", trace=make_trace())
    assert [p.name for p in written] == ["f.json", "r.html"]
    page = Page((tmp_path / "r.html").read_text())
    assert {"lr_range_curve", "overfit_curve", "confusion_matrix", "bias_variance"} <= set(page.figures)


def test_weight_histogram_caption_says_when_the_run_did_not_finish():
    killed = make_trace(examine=False, finished=False)
    assert "at the start only" in render_html([], source=killed)
    start = killed.view().events("weight_histogram")[0]
    killed.event("weight_histogram", 200, **{**start.data, "phase": "checkpoint"})
    assert "last checkpoint, step 200" in render_html([], source=killed)


def test_weights_that_went_nan_are_called_out():
    trace = make_trace(examine=False, finished=False)
    layers = {
        name: {"counts": [], "edges": [], "n": 0, "mean": 0.0, "std": 0.0, "nonfinite": 500}
        for name in trace.view().events("weight_histogram")[0].data["layers"]
    }
    trace.event("weight_histogram", 280, phase="end", layers=layers)
    page = html.unescape(render_html([], source=trace))
    assert "At step 280, 3 of the 3 layers shown have NaN/Inf weights." in page


def test_charts_ignore_and_keep_the_users_matplotlib_settings():
    import matplotlib

    with matplotlib.rc_context({"axes.facecolor": "black", "figure.facecolor": "black"}):
        plots, _ = make_plots(make_trace(examine=False).view(), [])
        assert matplotlib.rcParams["axes.facecolor"] == "black"  # the script's settings stay
    loss = next(p for p in plots if p.key == "loss")
    assert inked(loss.png) < 0.5  # drawn in the default style, not on black


def test_a_hand_edited_findings_file_cannot_inject_either():
    from nndoctor.findings import Finding

    hostile = Finding.from_dict(
        {
            "id": INJECTION,
            "severity": "error",
            "title": INJECTION,
            "message": IMG_INJECTION,
            "fix": INJECTION,
            "where": INJECTION,
            "step": INJECTION,
            "evidence": {INJECTION: [IMG_INJECTION]},
        }
    )
    page = render_html([hostile], title=INJECTION, source=make_trace(examine=False), meta={"script": INJECTION})
    assert INJECTION not in page and IMG_INJECTION not in page
    assert "script" not in Page(page).tags and 'data-plot="loss"' in page
