"""Bug: multi-label tagger whose forward() returns torch.sigmoid(logits), trained with
nn.BCEWithLogitsLoss (which applies a sigmoid again): the double sigmoid squashes the loss."""
import torch
import torch.nn as nn

torch.manual_seed(11)
N, D, L = 2000, 20, 6
X = torch.randn(N, D)
W = torch.randn(D, L)
Y = ((X @ W) / 2 + 0.5 * torch.randn(N, L) > 0.3).float()
Xtr, Ytr, Xva, Yva = X[:1600], Y[:1600], X[1600:], Y[1600:]


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(D, 64), nn.ReLU(), nn.Linear(64, L))

    def forward(self, x):
        return torch.sigmoid(self.body(x))  # "probabilities for each tag"


model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.BCEWithLogitsLoss()
for epoch in range(12):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), Ytr[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        p = model(Xva)
        print(f"epoch {epoch} loss {loss.item():.3f} tag-acc {((p > 0.5).float() == Yva).float().mean():.3f}")
