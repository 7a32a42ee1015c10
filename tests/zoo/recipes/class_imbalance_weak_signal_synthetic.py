"""Bug: 95/5 classes with a real but weak signal, unweighted BCE (class-imbalance).

From a probe: judged by accuracy, the model (5.3 % error) sat within noise of always answering the
majority (6.2 %), and examine also called it worse than the baseline and its labels uninformative.
Judged by balanced error (0.43 against 0.5, its chance spread 0.01) it has learned something; the
finding is the imbalance alone.
"""

import torch
from recipe_data import recipe_dict
from sklearn.datasets import make_classification
from torch import nn


def recipe():
    torch.manual_seed(0)
    X, y = make_classification(
        n_samples=3000, n_features=20, n_informative=6, weights=[0.95, 0.05], flip_y=0.01, random_state=0
    )
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 1))
    return recipe_dict(
        model, nn.BCEWithLogitsLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (X[:2400], y[:2400], X[2400:], y[2400:])
    )
