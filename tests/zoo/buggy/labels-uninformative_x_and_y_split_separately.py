"""Digits MLP whose features and labels are split by two train_test_split calls with different
seeds: labels no longer match their inputs. The training loss memorises its way down slowly;
the validation loss never beats the constant predictor and rises. (Found in a probe.)"""

import torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xva = train_test_split(X, test_size=0.3, random_state=0)
ytr, yva = train_test_split(y, test_size=0.3, random_state=1)  # BUG: different shuffle -> labels no longer match inputs
sc = StandardScaler().fit(Xtr)
Xtr, Xva = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (Xtr, Xva))
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(20):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i:i + 32]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        val_loss = loss_fn(out, yva).item()
        acc = (out.argmax(1) == yva).float().mean().item()
    if epoch % 5 == 4: print(f"epoch {epoch} loss {loss.item():.3f} val_loss {val_loss:.3f} val_acc {acc:.3f}")
print(f"FINAL val_acc {acc:.3f}")
