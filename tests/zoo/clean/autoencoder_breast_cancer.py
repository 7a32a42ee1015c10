"""Clean: tiny undercomplete autoencoder on standardized breast-cancer features, MSE reconstruction."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

torch.manual_seed(2)
X = load_breast_cancer().data
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
perm = torch.randperm(len(X))
Xtr, Xva = X[perm[:460]], X[perm[460:]]

encoder = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 6))
decoder = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 30))
model = nn.Sequential(encoder, decoder)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.MSELoss()
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        xb = Xtr[perm[i:i + 32]]
        opt.zero_grad()
        loss = crit(model(xb), xb)
        loss.backward()
        opt.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            v = crit(model(Xva), Xva).item()
        print(f"epoch {epoch} train {loss.item():.3f} val {v:.3f}")
