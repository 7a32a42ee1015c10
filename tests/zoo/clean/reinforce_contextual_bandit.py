"""Healthy: REINFORCE on a contextual bandit (4 arms whose payoff depends on the context) with a
learned value baseline: the policy-gradient "loss" -log pi(a|s) * advantage is not a quantity
that falls steadily; it hovers around zero and changes sign while the average reward climbs."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(90)
ARMS, DIM = 4, 6
true_w = torch.randn(DIM, ARMS)

policy = nn.Sequential(nn.Linear(DIM, 32), nn.Tanh(), nn.Linear(32, ARMS))
value = nn.Sequential(nn.Linear(DIM, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(list(policy.parameters()) + list(value.parameters()), lr=3e-3)
for step in range(400):
    s = torch.randn(64, DIM)
    dist = torch.distributions.Categorical(logits=policy(s))
    a = dist.sample()
    reward = (s @ true_w).gather(1, a[:, None]).squeeze(1) + 0.5 * torch.randn(64)
    baseline = value(s).squeeze(1)
    advantage = (reward - baseline).detach()
    loss = -(dist.log_prob(a) * advantage).mean() + 0.5 * F.mse_loss(baseline, reward) - 0.01 * dist.entropy().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 99:
        print(f"step {step} mean reward {reward.mean().item():.3f}")
