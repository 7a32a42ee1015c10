"""Bug: nn.MSELoss between 10 logits (B, 10) and the integer class ids cast to float; the (B,)
shape error was "fixed" with unsqueeze(1), so the target (B, 1) broadcasts to (B, 10) and every output regresses to the label value; accuracy ~chance."""
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(14)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.MSELoss()
for epoch in range(15):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 50):
        b = perm[i:i + 50]
        loss = crit(model(X[b]), y[b].float().unsqueeze(1))  # bug
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
