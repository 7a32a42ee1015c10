"""Bug: double-softmax. A CNN on digit images whose forward() ends in torch.softmax(x, dim=1)
"so the outputs are probabilities", trained with nn.CrossEntropyLoss, which applies
log-softmax itself: the gradients shrink as the probabilities saturate and training crawls."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(31)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
X = (X - X.mean()) / X.std()
y = torch.tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU()
        )
        self.classifier = nn.Linear(32 * 16, 10)

    def forward(self, x):
        logits = self.classifier(self.features(x).flatten(1))
        return torch.softmax(logits, dim=1)


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
