"""Bug: exploding-gradients. A vanilla RNN with nonlinearity="relu" and identity-initialised
recurrent weights (the IRNN recipe, chosen "to avoid vanishing gradients") regresses the mean of
a 40-step noisy sequence with no gradient clipping: the unbounded recurrence gives a few batches
gradients 1e5x the usual ones, and each of those updates throws the weights far away."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(61)
N, T = 2048, 40
X = torch.randn(N, T, 1)
y = X.mean(1)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, 64, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(64, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


model = Model()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
for epoch in range(3):
    perm = torch.randperm(N)
    for i in range(0, N, 32):
        idx = perm[i : i + 32]
        loss = F.mse_loss(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
