"""Findings that explain other findings: fix the cause first.

One fault shows in many places. Raw inputs in the thousands make every update huge (the loss
jumps: ``lr-too-high``), kill ReLUs and collapse the outputs; gradients never cleared grow step
by step until the loss climbs (``loss-increasing``). Each rule sees its own symptom and is right
about it, but a practitioner reading the list should meet the cause first, and read in each
symptom that it follows from it: a smaller learning rate is no fix for unscaled inputs.

So, when a finding and one it explains are both in the list, the symptom says so (and carries
``likely_cause`` in its evidence), its fix starts from the cause's, the cause takes the severity
of its worst symptom (the run is broken, and it is why), and the causes come first among
findings of the same severity.
"""

from __future__ import annotations

from dataclasses import replace

from nndoctor.findings import GUESS_BREAK, Finding, Severity

#: The symptoms that a collapse of the loss or the model's outputs can show, whatever broke it.
_STALLED = frozenset({"loss-plateau", "constant-output", "lr-too-low"})
_DIVERGED = frozenset(
    {"lr-too-high", "loss-increasing", "exploding-gradients", "nonfinite-loss", "loss-oscillating", "dead-relu"}
)

#: cause id -> ids of the findings it is known to produce.
EXPLAINS: dict[str, frozenset[str]] = {
    # inputs far from unit scale: updates (and pre-activations) scaled by the inputs' size
    "unnormalized-input": _DIVERGED | {"saturated-activation", "loss-plateau", "constant-output"},
    # gradients summed over every step so far: the step grows until training diverges
    "missing-zero-grad": _DIVERGED | {"loss-plateau", "constant-output"},
    # a loss on broadcast shapes pairs every prediction with every target: only the mean is learnt
    "loss-shape-broadcast": frozenset({"loss-plateau", "constant-output"}),
    # samples mixed by a view: nothing per sample is left to learn
    "batch-dependence": frozenset({"loss-plateau", "constant-output"}),
    # the model never changes, so its loss and outputs cannot
    "params-not-updated": _STALLED,
    "params-without-grad": _STALLED,
    "bad-init": _STALLED | {"dead-relu"},
    # an output squashed into the wrong range (a ReLU before signed targets, a second sigmoid):
    # the loss stalls above what the model could reach, the outputs pinned at the range's edge
    "output-activation-mismatch": frozenset({"loss-plateau", "constant-output"}),
    # steps far too large: units knocked dead, outputs collapsed, the loss stuck or blown up
    "lr-too-high": frozenset(
        {
            "dead-relu",
            "saturated-activation",
            "constant-output",
            "loss-plateau",
            "exploding-gradients",
            "nonfinite-loss",
            "loss-oscillating",
        }
    ),
}


def link_causes(findings: list[Finding]) -> list[Finding]:
    """``findings`` with each symptom of a present cause saying so, and each cause raised to the
    severity of its worst symptom. Only causes of warning severity or above explain anything."""
    present = {f.id: f for f in findings if f.severity is not Severity.INFO and f.id in EXPLAINS}
    if not present:
        return findings
    out, worst = [], {}
    for f in findings:
        cause = _root_cause(f.id, present)
        if cause is None:
            out.append(f)
            continue
        worst[cause.id] = min(worst.get(cause.id, cause.severity.rank), f.severity.rank)
        note = (
            f" This is likely a consequence of {cause.id} ({cause.title[:1].lower()}{cause.title[1:]}): fix that first."
        )
        own, guessed, _ = f.message.partition(GUESS_BREAK)
        if guessed:  # the symptom's own guess gives way to the cause found, and so does its fix
            fix = f"Fix {cause.id} first: {cause.fix}"
        else:  # its own fix may not be needed at all (a rate 1e4 lower for inputs in the thousands)
            fix = f"Fix {cause.id} first; if this remains after that: {f.fix}"
        message = own if cause.id in own + f.fix else own + note
        out.append(replace(f, message=message, fix=fix, evidence={**f.evidence, "likely_cause": cause.id}))
    by_rank = {s.rank: s for s in Severity}
    return [
        replace(f, severity=by_rank[worst[f.id]]) if f.id in worst and worst[f.id] < f.severity.rank else f for f in out
    ]


def _root_cause(symptom: str, present: dict[str, Finding]) -> Finding | None:
    """The present cause of ``symptom`` that nothing else present explains (raw inputs, not the
    learning rate they made too high), else the first one that explains it."""
    causes = [c for cid, c in present.items() if cid != symptom and symptom in EXPLAINS[cid]]
    for c in causes:
        if not any(c.id in EXPLAINS[other] for other in present if other != c.id):
            return c
    return causes[0] if causes else None
