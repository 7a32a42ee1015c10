"""Bug: loss-plateau. An LSTM sequence classifier reads out[:, 0], the output after the *first*
time step, instead of out[:, -1]: the label (the sign of a sum over 25 steps) depends on the whole
sequence, the head sees one step of it, and the loss stays at ln 2."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(77)
N, T = 1200, 25
X = torch.randn(N, T, 2)
y = (X[:, :, 0].sum(1) > 0).long()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(2, 32, batch_first=True)
        self.fc = nn.Linear(32, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, 0])


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _ in range(8):
    perm = torch.randperm(1000)
    for i in range(0, 1000, 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
with torch.no_grad():
    acc = (model(X[1000:]).argmax(1) == y[1000:]).float().mean().item()
print(f"last loss {loss.item():.3f} val acc {acc:.3f}")
