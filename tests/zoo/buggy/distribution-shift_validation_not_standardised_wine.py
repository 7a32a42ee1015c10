"""Wine classifier: features standardised with the training statistics for training, while the
validation set is fed raw (values up to ~1500). The model fits its training batches; every
validation loss is ~100-1000x what predicting a constant scores. (Found in a probe.)"""

import torch, torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
Xtr, Xva = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
mean, std = Xtr.mean(0), Xtr.std(0)
Xtr = (Xtr - mean) / std                                # BUG: Xva is never standardised
model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(60):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 16):
        idx = perm[i:i + 16]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        val_loss = loss_fn(out, yva).item()
        acc = (out.argmax(1) == yva).float().mean().item()
    if epoch % 10 == 9: print(f"epoch {epoch} train_loss {loss.item():.3f} val_loss {val_loss:.3f} val_acc {acc:.3f}")
print(f"FINAL val_acc {acc:.3f}")
