"""Sharpness-aware minimisation written as a torch.optim.Optimizer subclass wrapping SGD
(two forward/backward passes per step: ascend to w + rho*g/|g|, then descend from the
perturbed point with the original weights restored), on tabular data (its step() clears the
gradients inside, before re-evaluating the closure: not a zero_grad() between backward() and
step(); found in a probe):
sklearn load_breast_cancer, standardised, MLP with BatchNorm + dropout,
MultiStepLR, label smoothing."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

torch.manual_seed(0)

class SAM(torch.optim.Optimizer):
    def __init__(self, params, base_optimizer, rho=0.05, **kw):
        defaults = dict(rho=rho, **kw)
        super().__init__(params, defaults)
        self.base_optimizer = base_optimizer(self.param_groups, **kw)
        self.param_groups = self.base_optimizer.param_groups

    @torch.no_grad()
    def first_step(self, zero_grad=False):
        grad_norm = torch.norm(torch.stack([p.grad.norm(2) for g in self.param_groups for p in g["params"] if p.grad is not None]), 2)
        for group in self.param_groups:
            scale = group["rho"] / (grad_norm + 1e-12)
            for p in group["params"]:
                if p.grad is None:
                    continue
                e_w = p.grad * scale
                self.state[p]["e_w"] = e_w
                p.add_(e_w)
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad=False):
        for group in self.param_groups:
            for p in group["params"]:
                if "e_w" in self.state[p]:
                    p.sub_(self.state[p]["e_w"])
        self.base_optimizer.step()
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def step(self, closure):
        closure = torch.enable_grad()(closure)
        self.first_step(zero_grad=True)
        closure()
        self.second_step()

d = load_breast_cancer()
Xtr, Xte, ytr, yte = train_test_split(d.data, d.target, test_size=0.3, random_state=0, stratify=d.target)
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr = torch.tensor((Xtr - mu) / sd, dtype=torch.float32); Xte = torch.tensor((Xte - mu) / sd, dtype=torch.float32)
ytr = torch.tensor(ytr); yte = torch.tensor(yte)

model = nn.Sequential(nn.Linear(30, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(64, 2))
opt = SAM(model.parameters(), torch.optim.SGD, rho=0.05, lr=0.05, momentum=0.9, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.MultiStepLR(opt.base_optimizer, milestones=[40, 70], gamma=0.1)
crit = nn.CrossEntropyLoss(label_smoothing=0.05)
for ep in range(3):
    model.train(); p = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr) - 15, 32):          # drop a tiny last batch (BatchNorm)
        b = p[i:i + 32]
        xb, yb = Xtr[b], ytr[b]
        loss = crit(model(xb), yb)
        loss.backward()
        def closure():
            l = crit(model(xb), yb); l.backward(); return l
        opt.step(closure)
        opt.zero_grad()
    sched.step()
    if ep % 15 == 0 or ep == 89:
        model.eval()
        with torch.no_grad():
            tr = (model(Xtr).argmax(1) == ytr).float().mean().item()
            te = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {ep} loss {loss.item():.4f} train acc {tr:.3f} test acc {te:.3f}")
print(f"final train acc {tr:.3f}, test acc {te:.3f} (majority class {max(yte.float().mean().item(), 1 - yte.float().mean().item()):.3f})")
