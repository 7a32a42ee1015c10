"""Bug: masked mean pooling divides by the number of real tokens; some sequences are empty (all
padding), so the pooling layer computes 0 / 0 = NaN for them."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
V, T, N = 100, 12, 1024
lengths = torch.randint(0, T + 1, (N,))  # BUG: length 0 happens
tokens = torch.randint(1, V, (N, T))
mask = torch.arange(T)[None, :] < lengths[:, None]
tokens = tokens * mask
y = (tokens.float().sum(1) / lengths.clamp_min(1) > V / 2).long()


class MaskedMeanPool(nn.Module):
    def forward(self, h, mask):
        m = mask.unsqueeze(-1).float()
        return (h * m).sum(1) / m.sum(1)


class BagModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, 16, padding_idx=0)
        self.pool = MaskedMeanPool()
        self.head = nn.Linear(16, 2)

    def forward(self, tokens, mask):
        return self.head(self.pool(self.embed(tokens), mask))


model = BagModel()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _step in range(30):
    idx = torch.randint(0, N, (64,))
    loss = F.cross_entropy(model(tokens[idx], mask[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
