"""Live findings about the state of a run are withdrawn when the end of the run no longer shows them.

A plateau reported at step 300 of a run that later learns is not a problem of that run; the
summary and the JSON must not keep accusing it. Findings about events (a NaN, a spike, a wrong
call) stay whatever the end looks like.
"""

from __future__ import annotations

import json

import torch
from sklearn.datasets import load_digits
from torch import nn

from nndoctor import Monitor
from nndoctor.findings import Severity
from nndoctor.rules.base import Rule


class _LiveOnly(Rule):
    """Fires on every live check, never on the final one."""

    id = "live-only-state"
    severity = Severity.WARNING
    requires = frozenset({"loss"})
    retractable = True

    def check(self, view):
        if not view.final and view.last_step >= 3:
            yield self.finding("stuck for now", "wait", step=view.last_step)


class _LiveOnlyEvent(_LiveOnly):
    id = "live-only-event"
    retractable = False


class _Always(_LiveOnly):
    id = "always-state"

    def check(self, view):
        if view.last_step >= 3:
            yield self.finding("stuck", "wait", step=view.last_step)


def _every_step_clock(monitor: Monitor) -> None:
    """Live rule checks after every optimizer step: a clock that moves a minute per step (and not
    at all while the rules are checked)."""
    monitor._clock = lambda: 60.0 * monitor.step
    monitor._last_check = -60.0


def _train_ten_steps(monitor: Monitor, model: nn.Module, opt: torch.optim.Optimizer) -> None:
    _every_step_clock(monitor)
    with monitor:
        for _ in range(10):
            opt.zero_grad()
            model(torch.randn(8, 4)).pow(2).mean().backward()
            opt.step()


def _digits(n: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    X, y = load_digits(return_X_y=True)
    return torch.tensor(X[:n] / 16.0, dtype=torch.float32), torch.tensor(y[:n])


def test_a_state_finding_the_final_check_drops_is_resolved_and_an_event_stays():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor([model], [opt], rules=[_LiveOnly(), _LiveOnlyEvent(), _Always()])
    _train_ten_steps(monitor, model, opt)
    assert {f.id for f in monitor.findings} == {"live-only-event", "always-state"}
    assert [f.id for f in monitor.resolved] == ["live-only-state"]


class _SameIdEvent(Rule):
    """An event rule sharing its id with a retractable state rule (as live rules of one diagnosis do)."""

    id = "live-only-state"
    severity = Severity.WARNING
    requires = frozenset({"loss"})

    def check(self, view):
        if not view.final and view.last_step >= 3:
            yield self.finding("it happened", "fix it", where="model.fc", step=3)


def test_withdrawal_follows_the_rule_that_made_a_finding_not_its_id():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor([model], [opt], rules=[_LiveOnly(), _SameIdEvent()])
    _train_ten_steps(monitor, model, opt)
    assert [(f.id, f.where) for f in monitor.findings] == [("live-only-state", "model.fc")]  # the event stays
    assert [(f.id, f.where) for f in monitor.resolved] == [("live-only-state", None)]


def test_a_plateau_the_run_left_is_withdrawn_from_the_summary(tmp_path):
    # 300 steps at a rate far too low: the loss sits at ln 10 and the live checks say so; then the
    # script raises the rate by hand (a warm restart) and the model learns digits properly.
    torch.manual_seed(0)
    X, y = _digits()
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=1e-6)
    monitor = Monitor()
    _every_step_clock(monitor)
    live = []
    monitor.on_finding = live.append
    losses = []
    with monitor:
        for step in range(1200):
            if step == 300:
                for group in opt.param_groups:
                    group["lr"] = 0.1
            i = torch.randint(0, len(X), (64,))
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(X[i]), y[i])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert sum(losses[:50]) / 50 > 2.2 and sum(losses[-50:]) / 50 < 0.3  # stuck, then learned
    said_stuck = {f.id for f in live} & {"loss-plateau", "lr-too-low"}
    assert said_stuck, [f.id for f in live]  # reported while it was true...
    final = {f.id for f in monitor.findings}
    assert not said_stuck & final, final  # ... and not kept against a run that learned
    assert said_stuck <= {f.id for f in monitor.resolved}


def test_the_run_command_lists_withdrawn_findings_apart(tmp_path, monkeypatch, capsys):
    from nndoctor import cli
    from nndoctor.monitor import runner

    script = tmp_path / "train.py"
    script.write_text("print('trained')\n")
    stuck = _LiveOnly().finding("stuck for now", "wait", step=5)

    def fake_run_script(*args, **kwargs):
        return runner.RunResult(0, [], None, False, [stuck])

    monkeypatch.setattr(runner, "run_script", fake_run_script)
    out = tmp_path / "findings.json"
    assert cli.main(["run", "--no-record", "--no-status", "--json", str(out), str(script)]) == 0
    doc = json.loads(out.read_text())
    assert doc["findings"] == [] and [f["id"] for f in doc["resolved"]] == ["live-only-state"]
    text = capsys.readouterr().err  # nndoctor writes to stderr: the script's stdout stays its own
    assert "no problems found" in text and "withdrawn: live-only-state (step 5)" in text


class _PlacedOtherwiseAtTheEnd(_LiveOnly):
    """Live: the problem in model; at the end the same problem, found another way, with no place."""

    id = "moved-state"

    def check(self, view):
        if view.last_step >= 3:
            yield self.finding("collapsed", "fix", where=None if view.final else "model", step=3)


def test_a_finding_the_end_restates_elsewhere_is_not_resolved():
    # probe 10: constant-output live at "model" (outputs), at the end at no module (loss calls)
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor([model], [opt], rules=[_PlacedOtherwiseAtTheEnd()])
    _train_ten_steps(monitor, model, opt)
    assert [(f.id, f.where) for f in monitor.findings] == [("moved-state", None)]
    assert monitor.resolved == []
