"""Bug: a vanilla RNN classifying noisy sine vs square waves, recurrent weights initialised with
gain 2.5 and no gradient clipping: the first gradients are 1e5-1e10x the usual ones and the
updates they cause wreck the recurrent layer."""

import math

import torch
from torch import nn

torch.manual_seed(2)
T, N = 80, 1024
t = torch.linspace(0, 4 * math.pi, T)
freq = torch.rand(N, 1) * 1.5 + 0.5
kind = torch.randint(0, 2, (N,))
wave = torch.sin(freq * t)
wave = torch.where(kind[:, None] == 1, torch.sign(wave), wave)
X = (wave + 0.3 * torch.randn(N, T)).unsqueeze(-1)
y = kind


class WaveRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, 48, batch_first=True)
        nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=2.5)  # spectral radius 2.5
        self.out = nn.Linear(48, 2)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


model = WaveRNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for _epoch in range(3):
    perm = torch.randperm(N)
    for i in range(0, N, 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()  # BUG: no clip_grad_norm_ before the step
        optimizer.step()
print(f"final loss {loss.item():.3f}")
