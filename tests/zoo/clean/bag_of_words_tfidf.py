"""Healthy: a linear text classifier on synthetic bag-of-words documents with TF-IDF weighting
and L2-normalised rows (sparse, mostly-zero inputs, as scikit-learn's TfidfVectorizer gives)."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(56)
V, N = 500, 2000
topic = torch.randint(0, 3, (N,))
word_probs = torch.softmax(torch.randn(3, V) * 2, dim=1)
counts = torch.stack(
    [torch.bincount(torch.multinomial(word_probs[t], 40, replacement=True), minlength=V) for t in topic]
).float()
idf = torch.log(N / (1 + (counts > 0).sum(0).float()))
tfidf = counts * idf
X = tfidf / tfidf.norm(dim=1, keepdim=True)

model = nn.Linear(V, 3)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(5):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), topic[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
