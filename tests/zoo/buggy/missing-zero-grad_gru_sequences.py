"""Bug: missing-zero-grad. A GRU sequence classifier whose loop calls loss.backward() and
optimizer.step() but forgot optimizer.zero_grad(): every step applies the sum of all the
gradients so far (a frequent forum question: "my GRU loss goes up after a few batches")."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(30)
N, T = 1024, 20
X = torch.randn(N, T, 3)
y = (X[:, :, 0].cumsum(1)[:, -1] > 0).long() + 2 * (X[:, -5:, 1].mean(1) > 0).long()


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 32, batch_first=True)
        self.fc = nn.Linear(32, 4)

    def forward(self, x):
        _, h = self.gru(x)
        return self.fc(h[-1])


model = GRUClassifier()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(4):
    perm = torch.randperm(N)
    for i in range(0, N, 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
