"""Bug: nonfinite-loss. A tiny 1D segmentation net with a per-sample hand-written Dice loss
1 - 2|P*T| / (|P| + |T|) and no smoothing epsilon. Half the samples have an empty mask; once
the (hard-sigmoid) prediction for such a sample is exactly zero everywhere, 0/0 = NaN."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(115)
N, L = 256, 32
X = torch.randn(N, 1, L)
has_fg = torch.rand(N, 1, 1) < 0.5
X = torch.where(has_fg, X, X.clamp(max=1.2))
Y = ((X > 1.5) & has_fg).float()


def dice_loss(logits, target):
    p = F.hardsigmoid(logits)
    inter = (p * target).sum((1, 2))
    dice = 2 * inter / (p.sum((1, 2)) + target.sum((1, 2)))  # bug: no eps
    return (1 - dice).mean()


model = nn.Sequential(nn.Conv1d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv1d(8, 1, 3, padding=1))
opt = torch.optim.Adam(model.parameters(), lr=3e-2)
for epoch in range(6):
    perm = torch.randperm(N)
    for i in range(0, N, 16):
        b = perm[i : i + 16]
        loss = dice_loss(model(X[b]), Y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
