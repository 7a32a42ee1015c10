"""Bug: lr-too-low (lr collapses). ExponentialLR(gamma=0.9) meant per epoch is stepped inside the
batch loop: after 200 batches the learning rate is 0.01 * 0.9**200 ~ 7e-12 and training freezes
long before the model fits the wine-like task."""

import torch
from sklearn.datasets import make_classification
from torch import nn

torch.manual_seed(127)
Xn, yn = make_classification(3000, 16, n_informative=10, n_classes=5, random_state=127)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn)

model = nn.Sequential(nn.Linear(16, 128), nn.ReLU(), nn.Linear(128, 5))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
crit = nn.CrossEntropyLoss()
for epoch in range(6):
    perm = torch.randperm(3000)
    for i in range(0, 3000, 32):
        b = perm[i : i + 32]
        loss = crit(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()  # bug: per batch instead of per epoch
    print(f"epoch {epoch} loss {loss.item():.3f} lr {sched.get_last_lr()[0]:.2e}")
