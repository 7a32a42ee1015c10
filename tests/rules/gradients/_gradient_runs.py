"""Zoo runs shared by the gradient / learning-rate / non-finite rule tests: each script runs once.

Several test modules assert different things about the same buggy run; running it once per
session keeps these tests inside their time budget.
"""

from __future__ import annotations

from functools import cache

from conftest import run_zoo
from nndoctor.findings import Finding
from nndoctor.monitor.runner import RunResult


@cache
def run(script: str) -> RunResult:
    """``tests/zoo/<script>`` run under the monitor, once per test session."""
    return run_zoo(script)


def found(script: str, rule_id: str) -> list[Finding]:
    """The findings of ``rule_id`` on ``script``'s run."""
    return [f for f in run(script).findings if f.id == rule_id]


def dump(script: str) -> list[dict]:
    """Every finding of the run, for assertion messages."""
    return [f.to_dict() for f in run(script).findings]
