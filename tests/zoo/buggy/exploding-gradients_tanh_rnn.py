"""Bug: a vanilla tanh RNN with large recurrent weights and no gradient clipping: the gradient norm
spikes by orders of magnitude on some batches (the classic exploding-gradient cliff)."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
N, T = 1024, 60
X = torch.randn(N, T, 4)
y = X[:, :, 0].sum(1, keepdim=True) / T**0.5


class RNNRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 64, batch_first=True)
        nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=2.0)  # spectral radius 2: gradients blow up through time
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


model = RNNRegressor()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
for _step in range(120):
    idx = torch.randint(0, N, (32,))
    loss = F.mse_loss(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()  # BUG: no torch.nn.utils.clip_grad_norm_ before the step
    optimizer.step()
print(f"final loss {loss.item():.3f}")
