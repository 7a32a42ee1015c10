"""Bug: a custom init fills every Linear weight with 0.05 (and the biases with 0). Every hidden
unit computes the same value and gets the same gradient, so the 64 rows of each hidden layer
stay identical for the whole run: the network is as good as one unit wide and stops at ~70%
validation accuracy on wine, where the default init reaches ~100% (probe 9: nothing reported)."""

import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
scaler = StandardScaler().fit(Xtr)
Xtr, Xva = (torch.tensor(scaler.transform(a), dtype=torch.float32) for a in (Xtr, Xva))
ytr, yva = torch.tensor(ytr), torch.tensor(yva)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(13, 64), nn.Linear(64, 64), nn.Linear(64, 3)
        self.apply(self.init_weights)

    @staticmethod
    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.05)  # BUG: one constant for every weight
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for _epoch in range(40):
    model.train()
    for xb, yb in DataLoader(TensorDataset(Xtr, ytr), batch_size=16, shuffle=True):
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
model.eval()
with torch.no_grad():
    accuracy = (model(Xva).argmax(1) == yva).float().mean().item()
print(f"val accuracy {accuracy:.3f}, distinct rows in fc1: {torch.unique(model.fc1.weight.detach(), dim=0).shape[0]}")
