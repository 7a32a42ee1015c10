"""Bug: the GRU encoder's final hidden state is detached inside forward() (copied from a TBPTT
snippet), so the embedding and the GRU never receive gradient; only the head trains."""
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(13)
V, T, N = 20, 30, 2000
tokens = torch.randint(0, V, (N, T))
labels = ((tokens[:, :10] < 5).sum(1) > 2).long()  # depends on the early tokens


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 32)
        self.gru = nn.GRU(32, 64, batch_first=True)
        self.head = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x):
        _, h = self.gru(self.emb(x))
        h = h[-1].detach()  # bug
        return self.head(h)


model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(6):
    perm = torch.randperm(1600)
    for i in range(0, 1600, 64):
        b = perm[i:i + 64]
        loss = F.cross_entropy(model(tokens[b]), labels[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(tokens[1600:]).argmax(1) == labels[1600:]).float().mean()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
