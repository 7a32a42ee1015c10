"""Clean: EMA of weights with torch.optim.swa_utils.AveragedModel(multi_avg_fn=get_ema_multi_avg_fn(0.99)),
updated after every optimizer step; evaluate both raw and EMA model on breast cancer. BCEWithLogits."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

torch.manual_seed(8)
X, y = load_breast_cancer(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=8, stratify=y)
m, s = Xtr.mean(0), Xtr.std(0)
t = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xte = t((Xtr - m) / s), t((Xte - m) / s)
ytr, yte = t(ytr), t(yte)

model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 1))
ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.99))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(25):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i:i + 32]
        loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]).squeeze(1), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        ema.update_parameters(model)
    if epoch % 5 == 4:
        model.eval(); ema.eval()
        with torch.no_grad():
            a_raw = ((model(Xte).squeeze(1) > 0).float() == yte).float().mean().item()
            a_ema = ((ema(Xte).squeeze(1) > 0).float() == yte).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.3f} acc raw {a_raw:.3f} ema {a_ema:.3f}")
print(f"final acc raw {a_raw:.3f} ema {a_ema:.3f}")
