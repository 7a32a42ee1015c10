"""``nndoctor report DIR``: re-renders finished and SIGKILLed runs; bad input is one line, exit 2;
``nndoctor run --html`` reports from the live trace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from report_fixtures import INJECTION, make_findings, write_record
from test_report_html import Page, inked

from nndoctor.cli import main as cli_main

SCRIPTS = Path(__file__).parent / "scripts"
TRAINING_PLOTS = {"loss", "grad_norm", "param_grad_norm", "update_ratio", "weight_histogram"}


def _trace_progress(trace: Path) -> tuple[int, bool]:
    """(the highest step on disk, whether a non-finite value was recorded)."""
    top, nonfinite = -1, False
    if trace.is_file():
        for line in trace.read_text().splitlines():
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            top = max(top, int(r.get("s", -1)))
            nonfinite |= r.get("e") == "nonfinite"
    return top, nonfinite


def test_report_of_a_run_killed_with_sigkill(tmp_path, capsys):
    runs = tmp_path / "runs"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nndoctor",
            "run",
            "--no-status",
            "--log-dir",
            str(runs),
            str(SCRIPTS / "injection_mlp.py"),
            "--forever",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    try:
        deadline = time.monotonic() + 90
        record = None
        while time.monotonic() < deadline:
            found = list(runs.glob("*/trace.jsonl"))
            if found:
                record = found[0].parent
                top, nonfinite = _trace_progress(found[0])
                if top >= 40 and nonfinite:
                    break
            assert proc.poll() is None, "the training script ended before it was killed"
            time.sleep(0.2)
        else:
            pytest.fail("the watched script did not train 40 steps in 90 s")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (record / "findings.json").exists()  # it never got to write them

    html, js = tmp_path / "killed.html", tmp_path / "killed.json"
    assert cli_main(["report", "--html", str(html), "--json", str(js), str(record)]) == 0
    err = capsys.readouterr().err
    assert "did not finish" in err and "nonfinite-loss" in err
    findings = {f["id"]: f for f in json.loads(js.read_text())["findings"]}
    finding = findings["nonfinite-loss"]
    assert finding["step"] == 25
    assert finding["where"] == f"model.{INJECTION}"
    page = Page(html.read_text())
    assert set(page.figures) >= TRAINING_PLOTS
    assert all(inked(png) > 0.01 for png in page.figures.values())
    assert "did not finish" in "".join(page.text)


def test_report_of_a_finished_record_keeps_its_findings(tmp_path, capsys):
    record = write_record(tmp_path / "run", finished=True)
    out = tmp_path / "again.json"
    assert cli_main(["report", "--json", str(out), str(record)]) == 0
    assert "finished" in capsys.readouterr().err
    ids = [f["id"] for f in json.loads(out.read_text())["findings"]]
    assert ids == ["nonfinite-loss", "dead-relu", "still-improving"]
    assert cli_main(["report", "--json", str(out), "--ignore", "dead-relu", str(record)]) == 0
    assert "dead-relu" not in [f["id"] for f in json.loads(out.read_text())["findings"]]


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda d: d / "missing", "no such run record"),
        (lambda d: (d / "file.txt").write_text("x") and d / "file.txt", "is not a folder"),
        (lambda d: d, "is not an nndoctor run record"),
    ],
)
def test_bad_record_is_one_line_and_exit_2(tmp_path, capsys, make_bad, message):
    assert cli_main(["report", str(make_bad(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_record_from_the_shell(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "nndoctor", "report", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"nndoctor: error: no such run record: {tmp_path / 'nope'}"]


def test_a_folder_of_runs_names_them(tmp_path, capsys):
    write_record(tmp_path / "20260101-000000-train")
    assert cli_main(["report", str(tmp_path)]) == 2
    assert "runs in it: 20260101-000000-train" in capsys.readouterr().err


def test_unwritable_output_is_one_line(tmp_path, capsys):
    record = write_record(tmp_path / "run")
    assert cli_main(["report", "--html", str(tmp_path / "no" / "such" / "r.html"), str(record)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_run_html_without_a_record_uses_the_live_trace(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = cli_main(
        ["run", "--no-record", "--no-status", "--html", "r.html", "--json", "r.json", str(SCRIPTS / "injection_mlp.py")]
    )
    captured = capsys.readouterr()
    assert code == 0 and captured.out == "done\n"
    assert not (tmp_path / "nndoctor-runs").exists()
    assert set(Page((tmp_path / "r.html").read_text()).figures) >= TRAINING_PLOTS
    assert captured.err.count("ERROR nonfinite-loss") == 1  # printed live once, not again at the end
    assert "nonfinite-loss" in [f["id"] for f in json.loads((tmp_path / "r.json").read_text())["findings"]]


def test_findings_from_the_end_of_run_are_shown_in_full_once(tmp_path, monkeypatch, capsys):
    """A finding only the final check makes is printed in full at the end (not just listed).

    The arguments are built by hand without ``no_status``, as ``nndoctor demo`` builds them.
    """
    import argparse

    from nndoctor.commands import run as run_cmd
    from nndoctor.monitor import runner

    late = make_findings()[2]
    real = runner.run_script

    def run_script_finding_more(*args, **kwargs):
        result = real(*args, **kwargs)
        result.findings.append(late)
        return result

    monkeypatch.setattr(runner, "run_script", run_script_finding_more)
    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(
        script=str(SCRIPTS / "injection_mlp.py"),
        args=[],
        log_dir="runs",
        no_record=True,
        ignore=[],
        json=None,
        html=None,
    )
    assert run_cmd.main(args) == 0
    err = capsys.readouterr().err
    assert err.count("INFO still-improving") == 1 and err.count("ERROR nonfinite-loss") == 1
    assert os.listdir(tmp_path) == []  # no record, no report files
