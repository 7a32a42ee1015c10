"""Findings that explain others: the symptom names its cause, the cause comes first and is as severe."""

from __future__ import annotations

import torch
from torch import nn

from conftest import run_zoo
from nndoctor import Monitor
from nndoctor.causes import link_causes
from nndoctor.findings import Finding, Severity, sort_findings
from nndoctor.rules.base import Rule


def _f(id_, severity, step, message="msg", fix="fix"):
    return Finding(id=id_, severity=severity, title=f"Title of {id_}", message=message, fix=fix, step=step)


def test_a_symptom_names_its_cause_and_the_cause_leads():
    found = [
        _f("lr-too-high", Severity.ERROR, 1),
        _f("unnormalized-input", Severity.WARNING, 0),
        _f("overfitting", Severity.WARNING, 50),
    ]
    linked = sort_findings(link_causes(found))
    assert [f.id for f in linked] == ["unnormalized-input", "lr-too-high", "overfitting"]
    cause, symptom, other = linked
    assert cause.severity is Severity.ERROR  # as broken as its worst symptom
    assert symptom.evidence["likely_cause"] == "unnormalized-input"
    assert "consequence of unnormalized-input" in symptom.message
    assert "likely_cause" not in other.evidence and other.message == "msg"  # not a symptom of it


def test_causes_lead_among_equals_even_when_found_later():
    found = [_f("loss-increasing", Severity.ERROR, 0), _f("missing-zero-grad", Severity.ERROR, 1)]
    assert [f.id for f in sort_findings(link_causes(found))] == ["missing-zero-grad", "loss-increasing"]


def test_nothing_changes_without_a_cause_or_with_an_info_one():
    alone = [_f("overfitting", Severity.WARNING, 1), _f("dead-relu", Severity.ERROR, 3)]
    assert link_causes(alone) == alone
    mild = [_f("unnormalized-input", Severity.INFO, 0), _f("lr-too-high", Severity.ERROR, 1)]
    assert link_causes(mild) == mild


def test_a_symptom_that_already_names_its_cause_is_not_told_twice():
    found = [
        _f("missing-zero-grad", Severity.ERROR, 1),
        _f("dead-relu", Severity.ERROR, 3, fix="Clear gradients first (see missing-zero-grad)"),
    ]
    symptom = link_causes(found)[1]
    assert symptom.message == "msg" and symptom.evidence["likely_cause"] == "missing-zero-grad"


def test_raw_inputs_lead_the_findings_of_the_divergence_they_cause():
    # raw breast-cancer features (areas in the thousands) into an MLP with SGD and momentum
    result = run_zoo("buggy/unnormalized-input_raw_breast_cancer_sgd.py")
    first = result.findings[0]
    assert first.id == "unnormalized-input" and first.severity is Severity.ERROR, [f.id for f in result.findings]
    symptoms = [f for f in result.findings if f.evidence.get("likely_cause") == "unnormalized-input"]
    assert {"lr-too-high", "dead-relu", "loss-plateau"} <= {f.id for f in symptoms}
    assert all("consequence of unnormalized-input" in f.message for f in symptoms)


def test_a_chain_of_causes_points_at_its_root():
    found = [
        _f("unnormalized-input", Severity.WARNING, 0),
        _f("lr-too-high", Severity.ERROR, 1),
        _f("dead-relu", Severity.ERROR, 3),
    ]
    linked = {f.id: f for f in link_causes(found)}
    assert linked["lr-too-high"].evidence["likely_cause"] == "unnormalized-input"
    assert linked["dead-relu"].evidence["likely_cause"] == "unnormalized-input"  # not the rate the inputs forced
    alone = {f.id: f for f in link_causes(found[1:])}
    assert alone["dead-relu"].evidence["likely_cause"] == "lr-too-high"
    assert "likely_cause" not in alone["lr-too-high"].evidence


class _LiveRule(Rule):
    """Fires on live checks from step 3 on, with what it was built to say."""

    requires = frozenset({"loss"})

    def __init__(self, id_: str, severity: Severity) -> None:
        self.id, self.severity, self.title = id_, severity, f"Title of {id_}"
        super().__init__()

    def check(self, view):
        if not view.final and view.last_step >= 3:
            yield self.finding(f"{self.id} seen", "fix it", step=3)


def test_findings_printed_while_training_come_cause_first_and_name_their_cause():
    # the symptom's rule runs before the cause's: both fire on the same live check
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    rules = [_LiveRule("lr-too-high", Severity.ERROR), _LiveRule("unnormalized-input", Severity.WARNING)]
    monitor = Monitor([model], [opt], rules=rules)
    monitor._clock = lambda: 60.0 * monitor.step  # a live check after every step
    monitor._last_check = -60.0
    printed = []
    monitor.on_finding = printed.append
    with monitor:
        for _ in range(6):
            opt.zero_grad()
            model(torch.randn(8, 4)).pow(2).mean().backward()
            opt.step()
    assert [f.id for f in printed] == ["unnormalized-input", "lr-too-high"]  # each once, the cause first
    cause, symptom = printed
    assert cause.severity is Severity.ERROR and "consequence of unnormalized-input" in symptom.message


def test_a_symptoms_own_guess_gives_way_to_a_cause_found():
    guess = "Stuck.\n\nLikely cause: the data the model is fitted to."
    alone = link_causes([_f("loss-plateau", Severity.WARNING, 5, message=guess, fix="check the labels")])
    assert alone[0].message == guess and alone[0].fix == "check the labels"  # nothing explains it: kept
    found = [
        _f("loss-plateau", Severity.WARNING, 5, message=guess, fix="check the labels"),
        _f("loss-shape-broadcast", Severity.ERROR, 0, fix="squeeze the output"),
    ]
    symptom = next(f for f in link_causes(found) if f.id == "loss-plateau")
    assert symptom.message.startswith("Stuck. This is likely a consequence of loss-shape-broadcast")
    assert "Likely cause" not in symptom.message and symptom.fix == "Fix loss-shape-broadcast first: squeeze the output"


def test_an_output_squashed_into_the_wrong_range_explains_the_stall_it_causes():
    # A ReLU before signed regression targets: outputs pinned at 0 (constant-output), the loss at
    # the target variance (loss-plateau). The mismatch leads, as severe as they are.
    found = [
        _f("constant-output", Severity.ERROR, 1),
        _f("loss-plateau", Severity.ERROR, 750),
        _f("output-activation-mismatch", Severity.WARNING, 0),
    ]
    linked = sort_findings(link_causes(found))
    assert linked[0].id == "output-activation-mismatch" and linked[0].severity is Severity.ERROR
    assert all(f.evidence["likely_cause"] == "output-activation-mismatch" for f in linked[1:])


def test_a_symptoms_fix_starts_from_its_cause():
    found = [
        _f("lr-too-high", Severity.ERROR, 1, fix="lr=5e-08"),
        _f("unnormalized-input", Severity.WARNING, 0, fix="standardise"),
    ]
    symptom = next(f for f in link_causes(found) if f.id == "lr-too-high")
    assert symptom.fix == "Fix unnormalized-input first; if this remains after that: lr=5e-08"
