"""Shared test helpers: run zoo scripts in-process under the monitor and collect findings."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nndoctor.findings import Severity
from nndoctor.monitor.runner import RunResult, run_script

ZOO = Path(__file__).parent / "zoo"
CLEAN = sorted((ZOO / "clean").glob("*.py"))


def run_zoo(relpath: str, *args: str, log_dir=None) -> RunResult:
    """Run ``tests/zoo/<relpath>`` exactly as ``nndoctor run`` would, without a subprocess (and
    give torch's thread count back: a script's ``set_num_threads`` would change the numerics,
    and so the findings, of every test after it)."""
    threads = torch.get_num_threads()
    try:
        return run_script(ZOO / relpath, list(args), log_dir=log_dir)
    finally:
        torch.set_num_threads(threads)


def ids(result: RunResult, min_severity: Severity = Severity.INFO) -> set[str]:
    return {f.id for f in result.findings if f.severity.rank <= min_severity.rank}


def problems(result: RunResult) -> set[str]:
    """Ids of error and warning findings: a healthy run must have none."""
    return ids(result, Severity.WARNING)


@pytest.fixture(scope="session")
def clean_results() -> dict[str, RunResult]:
    """Every clean zoo script run once per test session (shared by all rules' negative tests)."""
    return {p.stem: run_zoo(f"clean/{p.name}") for p in CLEAN}
