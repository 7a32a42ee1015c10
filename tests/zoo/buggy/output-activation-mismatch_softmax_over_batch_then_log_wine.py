"""Bug: a wine classifier whose forward() ends in softmax(dim=0), then torch.log into NLLLoss.

The softmax normalises each class's scores across the batch instead of each sample's scores
across the classes: a sample's prediction depends on who else is in its batch, and the "log-
probabilities" NLLLoss receives are not a distribution over the classes. Training still lowers
the loss, so nothing looks broken (a softmax dim copied from a 1-D example).
"""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(3)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(13, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return F.softmax(self.out(torch.relu(self.hidden(x))), dim=0)  # BUG: dim=1 is the classes


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.nll_loss(torch.log(model(X[idx]) + 1e-8), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
