"""Active experiments for ``nndoctor examine``: the checks practitioners run before a long training.

One experiment per file, run in this order (later ones use what earlier ones found):

1. ``probe``: one batch through the model and the loss (what the loss receives, the task).
2. ``init``: weight scales against Xavier/Kaiming, identical rows that never break symmetry.
3. ``data``: input scale, NaN/Inf, class balance, target scale.
4. ``split``: train/val duplicates and a classifier two-sample test for distribution shift.
5. ``labels``: can a simple cross-validated model predict the labels at all?
6. ``initial-loss``: the loss at initialisation against its expected value.
7. ``gradient-flow``: which parameters get gradients, and how gradients shrink with depth.
8. ``batch-independence``: does a sample's output depend on the other samples in its batch?
9. ``gradcheck``: custom autograd code against finite differences, in float64.
10. ``overfit``: memorise 10 examples (then 100); classify the curve when it cannot.
11. ``learning-rate``: 100 iterations, LR divided by 3 until clean; an LR range test.
12. ``baselines``: majority/mean and linear baselines against a short training of the model.

Each records into a :class:`~nndoctor.trace.Trace`; the rules in ``nndoctor.rules.experiments``
judge it. :func:`examine` runs them all.
"""

from nndoctor.experiments.base import Budget, Context, Diverged, Experiment, Skip, StopExperiment
from nndoctor.experiments.baselines import Baselines
from nndoctor.experiments.batch_independence import BatchIndependence
from nndoctor.experiments.data_checks import DataChecks
from nndoctor.experiments.gradcheck import GradCheck
from nndoctor.experiments.gradient_flow import GradientFlow
from nndoctor.experiments.init_scale import InitScale
from nndoctor.experiments.initial_loss import InitialLoss
from nndoctor.experiments.label_signal import LabelSignal
from nndoctor.experiments.learning_rate import LearningRate
from nndoctor.experiments.model_probe import ModelProbe
from nndoctor.experiments.overfit import Overfit
from nndoctor.experiments.runner import Examination, examine
from nndoctor.experiments.split_checks import SplitChecks

EXPERIMENTS: list[type[Experiment]] = [
    ModelProbe,
    InitScale,
    DataChecks,
    SplitChecks,
    LabelSignal,
    InitialLoss,
    GradientFlow,
    BatchIndependence,
    GradCheck,
    Overfit,
    LearningRate,
    Baselines,
]

__all__ = [
    "EXPERIMENTS",
    "Budget",
    "Context",
    "Diverged",
    "Examination",
    "Experiment",
    "Skip",
    "StopExperiment",
    "examine",
]
