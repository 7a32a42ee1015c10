"""dead-relu: a large share of a layer's ReLU units never activate."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.quantities.activations import WINDOW
from nndoctor.registry import register
from nndoctor.rules._windows import first_sustained
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import primary_lr
from nndoctor.rules.loss._curve import learned_nothing, learned_nothing_text, learning_evidence, learning_evidence_text
from nndoctor.rules.loss.lr_too_high import LrTooHigh, fix_line

INIT_FIX = (
    "The units were dead from the start: initialise the layer before the ReLU with Kaiming init and "
    "a zero bias (a large negative bias switches units off for every input):\n"
    "```\nnn.init.kaiming_normal_(layer.weight, nonlinearity='relu'); nn.init.zeros_(layer.bias)\n```"
)
PILED_UP_FIX = (
    "The units died while gradients piled up from step to step (they are never cleared): each update "
    "grows until it pushes the pre-activations below zero. Clear them every step (see missing-zero-grad):\n"
    "```\noptimizer.zero_grad()   # before loss.backward()\n```"
)


def training_fix(view) -> str:
    """Lower the rate of the user's own optimizer (its type and its latest rate from the trace)."""
    lr = primary_lr(view)
    rate = float(lr.values[-1]) / 10 if len(lr) and lr.values[-1] > 0 else None
    return (
        "The units died during training, typically from updates that were too large: lower the learning "
        "rate (e.g. 10x), or use LeakyReLU so that a unit pushed below zero can recover:\n"
        f"```\n{fix_line(view, rate)}   # or nn.LeakyReLU(0.01)\n```"
    )


@register
class DeadReLU(Rule):
    """A large share of a layer's ReLU units output zero for every input.

    What it detects:
        ReLU units (``nn.ReLU`` modules and functional ``F.relu``/``torch.relu``) that output
        0 for every sample and position in three consecutive sampled steps (a window of several
        batches, so a unit that fires rarely is not called dead), for at least ``threshold``
        (60%) of the layer's units, at ``persist`` measurements in a row that span at least
        ``min_span`` steps, start at the first measurement (dead from initialisation), or
        last until the end of the run.
    Why it matters:
        A ReLU that never fires passes no gradient, so its incoming weights never change again:
        the unit is dead for good and the layer has lost that much capacity. Healthy networks
        keep dead units to a few percent; typical causes are a learning rate far too high (one
        big update pushes pre-activations below zero for all inputs) or a large negative bias
        at initialisation.
    Fix:
        Lower the learning rate; initialise with Kaiming init and zero biases; or use LeakyReLU.
    """

    id = "dead-relu"
    severity = Severity.WARNING
    title = "Dead ReLU units"
    requires = frozenset({"activations"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def __init__(
        self,
        threshold: float = 0.6,
        persist: int = 3,
        min_span: int = 50,
        min_units: int = 8,
        error_above: float = 0.9,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold is a share of units in (0, 1], got {threshold}")
        if persist < 1:
            raise ValueError(f"persist must be at least 1 measurement, got {persist}")
        self.threshold = threshold
        self.persist = persist
        self.min_span = min_span
        self.min_units = min_units
        self.error_above = error_above

    def check(self, view):
        sites = {e.data.get("key"): e.data for e in view.events("activation_site")}
        for key in view.keys("dead_fraction"):
            site = sites.get(key, {})
            units = int(site.get("units") or 0)
            if units < self.min_units:
                continue
            series = view.series("dead_fraction", key)
            run = first_sustained(
                series.steps,
                series.values >= self.threshold,
                self.persist,
                self.min_span,
                from_start=True,
                at_end=view.final,
            )
            if run is not None:
                yield self._finding(view, key, site, series, units, run)

    def _harm(self, view, dead: float, evidence: dict) -> tuple[Severity, str]:
        """How much the dead units cost, from the loss: a model that learns nothing with a dead
        layer is crippled by it; one whose loss still falls well below where it started does
        without those units (a VAE's encoder often keeps a fraction of its features alive), so
        the finding is a note unless nearly the whole layer is gone."""
        crippled = dead >= self.error_above
        stuck = learned_nothing(view)
        if stuck is not None:
            evidence["model_learns"] = False
            return (Severity.ERROR if crippled else Severity.WARNING), f" Meanwhile {learned_nothing_text(stuck)}."
        learns = learning_evidence(view)
        if learns is not None:
            evidence["model_learns"] = True
            return (Severity.WARNING if crippled else Severity.INFO), (
                f" The model still learns with the units left alive ({learning_evidence_text(learns)}): the dead "
                "units cost capacity, worth fixing if the model underfits."
            )
        return (Severity.ERROR if crippled else Severity.WARNING), ""

    def _finding(self, view, key, site, series, units, run):
        values = series.values[run.start : run.stop + 1]
        dead = float(values.max())
        first = float(series.values[0])
        from_init = run.start == 0
        after = site.get("after")
        functional = bool(site.get("functional"))
        where = key.split("[")[0]
        what = f"the ReLU applied to {after}'s output" if functional else f"{where}"
        if not functional and after:
            what += f" (after {after})"
        evidence = {
            "dead_fraction": dead,
            "dead_units": round(dead * units),
            "units": units,
            "dead_since_step": run.first_step,
            "dead_until_step": run.last_step,
            "sampled_steps_dead": run.count,
            "first_measured_dead_fraction": first,
            "latest_dead_fraction": float(series.values[-1]),
            "window_sampled_steps": WINDOW,
            "activation": "functional relu" if functional else site.get("kind", "ReLU"),
        }
        if site.get("values_per_unit"):
            evidence["values_per_unit_in_window"] = int(site["values_per_unit"])
        cause = (
            "They were dead from the first measurement, which points at the initialisation."
            if from_init
            else f"Only {first:.0%} were dead at the first measurement: they died during training."
        )
        severity, harm = self._harm(view, dead, evidence)
        message = (
            f"{dead:.0%} of the {units} units of {what} output 0 for every input, in each of {WINDOW} consecutive "
            f"sampled batches, from step {run.first_step} to step {run.last_step}. A dead ReLU passes no gradient, "
            f"so these units stop learning. {cause}{harm}"
        )
        return self.finding(
            message,
            INIT_FIX if from_init else PILED_UP_FIX if LrTooHigh.gradients_pile_up(view) else training_fix(view),
            where=where,
            step=run.first_step,
            evidence=evidence,
            severity=severity,
        )
