"""Healthy: second-order MAML on sine-wave regression (amplitude 0.1-5, phase 0-pi): one inner SGD
step through torch.func.functional_call with create_graph=True, the meta-loss averaged over 8 tasks,
meta-optimised with Adam. The post-adaptation query loss falls well below the pre-adaptation loss."""
import math
import torch
from torch import nn
from torch.func import functional_call

torch.manual_seed(14)
net = nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1))
meta_opt = torch.optim.Adam(net.parameters(), lr=3e-3)
inner_lr, K = 0.01, 10


def task():
    a = torch.empty(1).uniform_(0.1, 5.0)
    p = torch.empty(1).uniform_(0, math.pi)
    def draw(n):
        x = torch.empty(n, 1).uniform_(-5, 5)
        return x, a * torch.sin(x + p)
    return draw


def adapt(params, x, y, create_graph):
    loss = nn.functional.mse_loss(functional_call(net, params, (x,)), y)
    grads = torch.autograd.grad(loss, list(params.values()), create_graph=create_graph)
    return {k: v - inner_lr * g for (k, v), g in zip(params.items(), grads)}


hist = []
for it in range(600):
    meta_loss = 0.0
    for _ in range(8):
        draw = task()
        xs, ys = draw(K)
        xq, yq = draw(K)
        fast = adapt(dict(net.named_parameters()), xs, ys, create_graph=True)
        meta_loss = meta_loss + nn.functional.mse_loss(functional_call(net, fast, (xq,)), yq)
    meta_loss = meta_loss / 8
    meta_opt.zero_grad()
    meta_loss.backward()
    meta_opt.step()
    hist.append(meta_loss.item())
    if it % 100 == 99:
        print(f"iter {it} mean meta loss (last 100) {sum(hist[-100:]) / 100:.3f}")

pre, post = 0.0, 0.0
for _ in range(100):
    draw = task()
    xs, ys = draw(K)
    xq, yq = draw(100)
    params = {k: v.detach() for k, v in net.named_parameters()}
    with torch.no_grad():
        pre += nn.functional.mse_loss(functional_call(net, params, (xq,)), yq).item()
    for _ in range(3):
        params = {k: v.requires_grad_() for k, v in params.items()}
        params = {k: v.detach() for k, v in adapt(params, xs, ys, create_graph=False).items()}
    with torch.no_grad():
        post += nn.functional.mse_loss(functional_call(net, params, (xq,)), yq).item()
print(f"query mse before adaptation {pre / 100:.3f}, after 3 steps {post / 100:.3f}")
