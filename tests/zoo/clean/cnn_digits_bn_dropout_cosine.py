"""Clean: small CNN on 8x8 digits (1x8x8), BatchNorm + dropout, AdamW, cosine LR, val loop."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = X.astype("float32") / 16.0
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
mean, std = Xtr.mean(), Xtr.std()
Xtr = torch.tensor((Xtr - mean) / std).view(-1, 1, 8, 8)
Xva = torch.tensor((Xva - mean) / std).view(-1, 1, 8, 8)
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
train_dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(Xva, yva), batch_size=256)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = self.drop(torch.flatten(x, 1))
        return self.fc(x)


model = SmallCNN()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
epochs = 10
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
crit = nn.CrossEntropyLoss()
for epoch in range(epochs):
    model.train()
    tot = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    sched.step()
    model.eval()
    correct, vloss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_dl:
            out = model(xb)
            vloss += crit(out, yb).item() * len(xb)
            correct += (out.argmax(1) == yb).sum().item()
    print(f"epoch {epoch} train {tot/len(Xtr):.3f} val {vloss/len(Xva):.3f} acc {correct/len(Xva):.3f}")
